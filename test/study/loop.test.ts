import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import { createPlainReporter } from '../../src/cli/reporters/plain.js';
import { configKey } from '../../src/search/strategy.js';
import { openStore } from '../../src/store/index.js';
import { runStudy } from '../../src/study/loop.js';
import { resolveModel } from '../../src/workload/resolve-model.js';
import { collect, tempDir, tinyStudy, TINY_MLP } from './helpers.js';

const cacheDir = tempDir();

function trialsOf(dbPath: string, name: string) {
  const store = openStore(dbPath, { readonly: true });
  try {
    const study = store.getStudy(name)!;
    return { study, trials: store.listTrials(study.id) };
  } finally {
    store.close();
  }
}

test('a tiny grid study runs to completion and every trial is in the database', async () => {
  const dbPath = join(tempDir(), 'autotune.db');
  const { events, listener } = collect();
  const outcome = await runStudy({ definition: tinyStudy(), dbPath, cacheDir, onEvent: listener });
  assert.equal(outcome.reason, 'exhausted');

  const { study, trials } = trialsOf(dbPath, 'tiny');
  assert.equal(study.state, 'complete');
  assert.equal(trials.length, 3);
  assert.ok(trials.every((t) => t.state === 'complete' && t.tps! > 0 && t.p99Ms! > 0));
  assert.equal(trials[0]!.kind, 'baseline');
  assert.equal(trials[0]!.config.baseline, true);
  assert.deepEqual(trials.slice(1).map((t) => configKey(t.config)).sort(), ['p1/t1/none/b1/cores/spin', 'p2/t1/none/b1/cores/spin']);

  assert.equal(events[0]!.type, 'studyStarted');
  assert.equal(events.at(-1)!.type, 'studyFinished');
  const started = events[0]!.type === 'studyStarted' ? events[0]!.study : null;
  assert.equal(started?.plannedTrials, 3);
  assert.equal(started?.strategy, 'auto (grid)');
  assert.equal(started?.spaceSize, 2);
  assert.equal(events.filter((e) => e.type === 'trialFinished').length, 3);
  assert.ok(events.some((e) => e.type === 'trialPhase' && e.phase === 'measuring'));

  // The machine checks ran on this machine at the start, are kept with the study, and their
  // warnings reached the dashboard header and the warning stream.
  assert.deepEqual(study.machineChecks.map((c) => c.id), ['governor', 'turbo', 'numa-balancing', 'thp', 'smt', 'cpu-quota', 'other-load', 'steal']);
  assert.notEqual(study.machineChecks.find((c) => c.id === 'other-load')?.status, 'unknown', 'the live machine was sampled');
  const warned = study.machineChecks.filter((c) => c.status === 'warn');
  assert.deepEqual(started?.machineWarnings, warned.map((c) => `${c.id}: ${c.finding}`));
  for (const c of warned) {
    assert.ok(events.some((e) => e.type === 'warning' && e.message.startsWith(`machine check ${c.id}: ${c.finding}; `)), c.id);
  }

  assert.equal(outcome.summary.completed, 3);
  assert.ok(outcome.summary.front.length >= 1);
  assert.equal(outcome.summary.baseline?.trialId, trials[0]!.id);
  assert.ok(outcome.summary.best && outcome.summary.gain);
  assert.equal(outcome.summary.gain.tps, outcome.summary.best.tps / outcome.summary.baseline!.tps);

  // Running it again measures nothing twice.
  const again = await runStudy({ definition: tinyStudy(), dbPath, cacheDir });
  assert.equal(again.reason, 'exhausted');
  assert.equal(trialsOf(dbPath, 'tiny').trials.length, 3);
});

test('budget: the trial count includes the baseline; drift re-runs of the baseline are recorded but not counted', async () => {
  const dbPath = join(tempDir(), 'autotune.db');
  const definition = tinyStudy({
    space: { processes: [1, 2], threads: [1], numa: ['none', 'local'], batch: [1] },
    budget: { trials: 3 },
    strategy: 'grid',
    drift: { everyTrials: 1 },
  });
  const { events, listener } = collect();
  const outcome = await runStudy({ definition, dbPath, cacheDir, onEvent: listener });
  assert.equal(outcome.reason, 'budget');
  const { trials } = trialsOf(dbPath, 'tiny');
  // baseline, search, drift check, search: the check comes after every search trial but the last.
  assert.deepEqual(trials.map((t) => t.kind), ['baseline', 'search', 'baseline', 'search']);
  assert.ok(trials.every((t) => t.state === 'complete'));
  assert.ok(trials[2]!.config.baseline);
  // A flag only where the check moved beyond its bound: each flagged id is a search trial before it.
  for (const drift of events.filter((e) => e.type === 'baselineDrift')) {
    assert.deepEqual(drift.flaggedTrials, [trials[1]!.id]);
    assert.ok(trialsOf(dbPath, 'tiny').trials[1]!.drift);
  }
  assert.deepEqual(events.flatMap((e) => (e.type === 'trialStarted' ? [e.counted] : [])), [true, true, false, true]);

  // Resumed with one more trial: done and planned count the same trials, so done never passes planned.
  const resumed = collect();
  const lines: string[] = [];
  const plain = createPlainReporter((line) => lines.push(line));
  await runStudy({ definition: { ...definition, budget: { ...definition.budget, trials: 4 } }, dbPath, cacheDir, onEvent: (e) => (resumed.listener(e), plain(e)) });
  const started = resumed.events[0]!;
  assert.ok(started.type === 'studyStarted');
  assert.deepEqual([started.study.completedTrials, started.study.plannedTrials], [3, 4]);
  assert.equal(resumed.events.filter((e) => e.type === 'trialStarted' && e.counted).length, 1);
  const places = lines.flatMap((l) => /Z trial #\d+ \[(\d+)\/(\d+)\] .*: started/.exec(l)?.slice(1).map(Number) ?? []);
  assert.deepEqual(places, [4, 4], lines.join(''));
});

test('the stop signal aborts the running trial, which is marked interrupted and re-run on resume', async () => {
  const dbPath = join(tempDir(), 'autotune.db');
  const stop = new AbortController();
  const { events, listener } = collect();
  const outcome = await runStudy({
    definition: tinyStudy(),
    dbPath,
    cacheDir,
    signal: stop.signal,
    onEvent: (e) => {
      listener(e);
      // Stop while the second trial (the first search trial) is measuring.
      if (e.type === 'trialPhase' && e.phase === 'measuring' && events.filter((x) => x.type === 'trialStarted').length === 2) stop.abort();
    },
  });
  assert.equal(outcome.reason, 'interrupted');
  let { study, trials } = trialsOf(dbPath, 'tiny');
  assert.equal(study.state, 'interrupted');
  assert.deepEqual(trials.map((t) => t.state), ['complete', 'interrupted']);
  const interruptedKey = configKey(trials[1]!.config);

  const resumed = collect();
  const again = await runStudy({ definition: tinyStudy(), dbPath, cacheDir, onEvent: resumed.listener });
  assert.equal(again.reason, 'exhausted');
  const first = resumed.events[0]!;
  assert.ok(first.type === 'studyStarted' && first.study.resumed && first.study.completedTrials === 1);
  ({ study, trials } = trialsOf(dbPath, 'tiny'));
  assert.equal(study.state, 'complete');
  const complete = trials.filter((t) => t.state === 'complete');
  assert.equal(complete.length, 3);
  assert.equal(new Set(complete.map((t) => configKey(t.config))).size, 3);
  assert.equal(configKey(trials[2]!.config), interruptedKey, 'the interrupted configuration is measured next');
});

test('a model changed since the study began is refused unless forced', async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'autotune.db');
  const modelPath = join(dir, 'model.onnx');
  copyFileSync((await resolveModel(TINY_MLP, { cacheDir })).path, modelPath);
  const definition = tinyStudy({ name: 'changing', model: modelPath, budget: { trials: 1 } });
  assert.equal((await runStudy({ definition, dbPath, cacheDir })).reason, 'budget');

  copyFileSync((await resolveModel('builtin:mlp?in=32&hidden=32&layers=1&out=8', { cacheDir })).path, modelPath);
  await assert.rejects(
    runStudy({ definition, dbPath, cacheDir }),
    (e: unknown) => e instanceof AutotuneError && e.kind === 'store' && /^model model\.onnx changed since study "changing" began .*pass --force/.test(e.message),
  );
  const { events, listener } = collect();
  const forced = await runStudy({ definition: { ...definition, budget: { trials: 2, time: null } }, dbPath, cacheDir, force: true, onEvent: listener });
  assert.equal(forced.reason, 'budget');
  assert.ok(events.some((e) => e.type === 'warning' && /changed since .* --force/.test(e.message)));
  assert.equal(trialsOf(dbPath, 'changing').trials.length, 2);
});
