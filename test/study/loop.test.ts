import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import { createPlainReporter } from '../../src/cli/reporters/plain.js';
import { configKey } from '../../src/domain/config.js';
import { openStore } from '../../src/store/index.js';
import { confirmationCandidates } from '../../src/study/confirm.js';
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
  assert.ok(trials.every((t) => t.state === 'complete' && t.tps! > 0 && t.p99Ms! > 0));
  assert.equal(trials[0]!.kind, 'baseline');
  assert.equal(trials[0]!.config.baseline, true);
  assert.deepEqual(trials.slice(1, 3).map((t) => configKey(t.config)).sort(), ['p1/t1/none/b1/cores/spin', 'p2/t1/none/b1/cores/spin']);
  // Then the picks are confirmed: each confirmation run followed by the baseline run paired with it.
  const confirmation = trials.slice(3);
  assert.ok(confirmation.length >= 6 && confirmation.length % 2 === 0, `${confirmation.length} confirmation runs`);
  for (let i = 0; i < confirmation.length; i += 2) {
    const [run, pair] = [confirmation[i]!, confirmation[i + 1]!];
    assert.equal(run.kind, 'confirm');
    assert.deepEqual([pair.kind, pair.config.baseline, pair.pairedWith, pair.round], ['baseline', true, run.id, run.round]);
  }
  const rounds = new Map<string, number[]>();
  for (const run of confirmation.filter((t) => t.kind === 'confirm')) rounds.set(configKey(run.config), [...(rounds.get(configKey(run.config)) ?? []), run.round!]);
  // The study's final candidates have all three pairs; one that stopped being a candidate after a
  // round (its confirmed median moved) keeps the rounds it had.
  for (const [key, seen] of rounds) assert.deepEqual(seen, seen.map((_, i) => i + 1), key);
  const finalists = confirmationCandidates(trials, null).map((p) => configKey(p.config));
  assert.ok(finalists.length > 0);
  for (const key of finalists) assert.deepEqual(rounds.get(key), [1, 2, 3], key);

  assert.equal(events[0]!.type, 'studyStarted');
  assert.equal(events.at(-1)!.type, 'studyFinished');
  const started = events[0]!.type === 'studyStarted' ? events[0]!.study : null;
  assert.equal(started?.plannedTrials, 3);
  assert.equal(started?.strategy, 'auto (grid)');
  assert.equal(started?.spaceSize, 2);
  assert.equal(events.filter((e) => e.type === 'trialFinished').length, trials.length);
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

  assert.equal(outcome.summary.completed, trials.length);
  assert.ok(outcome.summary.front.length >= 1);
  // The baseline point is the median of every baseline run at its batch, the paired ones included.
  assert.ok(trials.find((t) => t.id === outcome.summary.baseline?.trialId)?.config.baseline);
  assert.ok(outcome.summary.best && outcome.summary.gain);
  assert.ok(outcome.summary.gain.total !== null && outcome.summary.gain.total.tps.ratio > 0);

  // Running it again measures nothing twice (its picks are confirmed already, unless the confirmed
  // figures made another configuration a pick).
  const again = await runStudy({ definition: tinyStudy(), dbPath, cacheDir });
  assert.equal(again.reason, 'exhausted');
  const after = trialsOf(dbPath, 'tiny').trials;
  assert.equal(after.filter((t) => t.kind === 'search' || t.kind === 'repeat').length, 2);
  assert.ok(after.filter((t) => t.kind === 'confirm').every((t) => t.round! <= 3));
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
  const search = trials.filter((t) => t.kind !== 'confirm' && t.pairedWith === null);
  // baseline, search, drift check, search: the check comes after every search trial but the last;
  // a check that showed drift is followed by one more, measured at once.
  const kinds = search.map((t) => t.kind);
  assert.ok(kinds.join() === 'baseline,search,baseline,search' || kinds.join() === 'baseline,search,baseline,baseline,search', kinds.join());
  assert.ok(trials.every((t) => t.state === 'complete'));
  assert.ok(search[2]!.config.baseline);
  assert.deepEqual(events.filter((e) => e.type === 'trialStarted' && e.counted).length, 3);
  assert.ok(events.every((e) => e.type !== 'trialStarted' || e.counted === (e.number === 1 || e.kind === 'search')));

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
  const complete = trials.filter((t) => t.state === 'complete' && (t.kind === 'search' || t.number === 1));
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
  assert.equal(trialsOf(dbPath, 'changing').trials.filter((t) => t.kind === 'search' || t.number === 1).length, 2);
});
