import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import type { TrialConfig } from '../../src/domain/config.js';
import { buildReport } from '../../src/report/build.js';
import { configKey } from '../../src/domain/config.js';
import { openStore, type TrialRecord } from '../../src/store/index.js';
import { runStudy } from '../../src/study/loop.js';
import { collect, tempDir, tinyStudy } from './helpers.js';
import { fakeMachine, type FakeMachine } from './fake-machine.js';

const cacheDir = tempDir();

function stored(dbPath: string, name: string): { trials: TrialRecord[]; strategy: [string | null, string | null] } {
  const store = openStore(dbPath, { readonly: true });
  try {
    const study = store.getStudy(name)!;
    return { trials: store.listTrials(study.id), strategy: [study.strategyUsed, study.strategyReason] };
  } finally {
    store.close();
  }
}

/** Throughput grows with processes and batch; p99 with batch. The baseline is a little slower than p1. */
const steady: FakeMachine = {
  perf: (c: TrialConfig) => ({ tps: (c.baseline ? 900 : 1000 * c.processes) * c.batch ** 0.5, p99Ms: 2 * c.batch ** 0.7 * (c.baseline ? 1.1 : 1) }),
};

test('drift: only the trials between the two baseline runs that bracket a slow spell are flagged, on TPS and on p99', async () => {
  for (const [what, slow] of [
    ['TPS', { speed: (i: number) => (i >= 7 && i <= 9 ? 0.6 : 1), p99Speed: () => 1 }],
    ['p99', { speed: () => 1, p99Speed: (i: number) => (i >= 7 && i <= 9 ? 0.5 : 1) }],
  ] as const) {
    const dbPath = join(tempDir(), 'drift.db');
    const fake = fakeMachine({ ...steady, ...slow });
    const { events, listener } = collect();
    const definition = tinyStudy({
      name: `drift-${what}`,
      space: { processes: [1, 2], threads: [1, 2], numa: ['none', 'local'], batch: [1, 2] },
      strategy: 'grid',
      drift: { everyTrials: 3 },
    });
    await runStudy({ definition, dbPath, cacheDir, onEvent: listener, dependencies: fake.dependencies });
    const { trials } = stored(dbPath, definition.name);
    // Runs 7-9 (the 8th to 10th trials) ran slow. The drift runs of the baseline: every 3 search trials.
    const driftRuns = trials.filter((t) => t.kind === 'baseline' && t.pairedWith === null).map((t) => t.number);
    const slowRuns = [8, 9, 10];
    const before = Math.max(...driftRuns.filter((n) => n < slowRuns[0]!));
    const after = Math.min(...driftRuns.filter((n) => n > slowRuns.at(-1)!));
    const expected = trials.filter((t) => t.number > before && t.number < after && t.kind !== 'baseline').map((t) => t.number);
    assert.ok(expected.length >= 3, `${what}: trials between ${before} and ${after}`);
    assert.deepEqual(trials.filter((t) => t.drift).map((t) => t.number), expected, `${what}: drift runs at ${driftRuns}`);
    const drifts = events.filter((e) => e.type === 'baselineDrift');
    assert.ok(drifts.length >= 1);
    // Into the slow spell and out of it.
    assert.deepEqual(drifts.map((d) => (what === 'TPS' ? /TPS ([-+]\d+)%/ : /p99 ([-+]\d+)%/).exec(d.reason)?.[1]), what === 'TPS' ? ['-40', '+67'] : ['+100', '-50']);
    // A drift run that showed drift is measured again at once.
    const firstDrift = trials.find((t) => t.id === drifts[0]!.trialId)!;
    const next = trials.find((t) => t.number === firstDrift.number + 1)!;
    assert.deepEqual([next.kind, next.config.baseline, next.pairedWith], ['baseline', true, null]);
    assert.match(next.reason, /measured again/);
  }
});

test('confirmation: a configuration lucky in the search loses the pick once measured again beside the baseline', async () => {
  const dbPath = join(tempDir(), 'confirm.db');
  const lucky = 'p2/t1/none/b1/cores/spin';
  const fake = fakeMachine({
    perf: (c) => ({ tps: c.baseline ? 800 : c.processes === 2 ? 1000 : 1100, p99Ms: c.baseline ? 3 : 2 }),
    // The lucky configuration's first run measured twice its real speed.
    speed: (i, c) => (configKey(c) === lucky && fakeRuns.runs.filter((r) => configKey(r) === lucky).length === 1 ? 2 : 1),
  });
  const fakeRuns = fake;
  const definition = tinyStudy({ name: 'confirm', space: { processes: [1, 2], threads: [1], numa: ['none'], batch: [1] }, strategy: 'grid', drift: { everyTrials: null } });
  const outcome = await runStudy({ definition, dbPath, cacheDir, dependencies: fake.dependencies });
  const { trials } = stored(dbPath, 'confirm');
  const confirm = trials.filter((t) => t.kind === 'confirm');
  // The lucky one was the search's pick and was confirmed first; its median fell, p1 became the pick and was confirmed too.
  assert.equal(configKey(confirm[0]!.config), lucky);
  assert.deepEqual(
    [...new Set(confirm.map((t) => configKey(t.config)))],
    [lucky, 'p1/t1/none/b1/cores/spin'],
  );
  for (const run of confirm) {
    const pair = trials.filter((t) => t.pairedWith === run.id);
    assert.equal(pair.length, 1, `trial ${run.number} has one baseline run paired with it`);
    assert.equal(pair[0]!.number, run.number + 1, 'A B A B: the pair runs right after');
  }
  assert.equal(configKey(outcome.summary.best!.config), 'p1/t1/none/b1/cores/spin');
  // The gain is the median of three paired ratios, 1100/800, with a 95% interval.
  const gain = outcome.summary.gain!.total!;
  assert.equal(gain.tps.pairs, 3);
  assert.ok(Math.abs(gain.tps.ratio - 1100 / 800) < 1e-9);
  assert.ok(gain.tps.ci !== null && gain.tps.ci[0] <= gain.tps.ratio && gain.tps.ratio <= gain.tps.ci[1]);
});

test('serving: the SLO pick is the configuration with the highest capacity under the SLO, not the highest closed-loop throughput', async () => {
  const dbPath = join(tempDir(), 'serving.db');
  const fake = fakeMachine({
    ...steady,
    // Two processes of batch 2 have the most throughput at saturation but queue badly under load.
    capacity: (c) => (c.baseline ? 400 : c.processes === 2 && c.batch === 2 ? 500 : c.processes === 1 && c.batch === 2 ? 1100 : 700),
  });
  const definition = tinyStudy({
    name: 'serving',
    sloMs: 100,
    space: { processes: [1, 2], threads: [1], numa: ['none'], batch: [1, 2] },
    strategy: 'grid',
    drift: { everyTrials: null },
    serving: { configurations: 3 },
  });
  const outcome = await runStudy({ definition, dbPath, cacheDir, dependencies: fake.dependencies });
  // The baseline first (the gain's reference), then the candidates by closed-loop throughput.
  const order = fake.searches.map((s) => configKey(s.config));
  assert.equal(order[0], 'baseline/b1');
  assert.deepEqual(order.slice(1, 4), ['p2/t1/none/b2/cores/spin', 'p2/t1/none/b1/cores/spin', 'p1/t1/none/b2/cores/spin']);
  // The winner runs at batch 2: the baseline's capacity at batch 2 is measured for its placement gain.
  assert.equal(order[4], 'baseline/b2');
  assert.equal(configKey(outcome.summary.best!.config), 'p1/t1/none/b2/cores/spin');
  const capacity = outcome.summary.capacity!;
  assert.ok(capacity.capacityRps! <= 1100 && capacity.capacityRps! >= 1100 - 0.05 * capacity.ceilingRps, `capacity ${capacity.capacityRps}`);
  assert.ok(Math.abs(capacity.gain!.total!.ratio - capacity.capacityRps! / outcome.summary.baselineCapacity!.capacityRps!) < 1e-9);
  // The serving winner is a pick like the others: confirmed beside the baseline, its gains paired.
  const { trials } = stored(dbPath, 'serving');
  const confirmed = trials.filter((t) => t.kind === 'confirm' && t.state === 'complete' && configKey(t.config) === 'p1/t1/none/b2/cores/spin');
  assert.ok(confirmed.length >= 3, `${confirmed.length} confirmation runs of the winner`);
  assert.ok(outcome.summary.gain!.placement!.tps.pairs >= 3 && outcome.summary.gain!.total!.tps.pairs >= 3);

  const store = openStore(dbPath, { readonly: true });
  try {
    const study = store.getStudy('serving')!;
    const report = buildReport(store, study, { here: null });
    assert.equal(report.recommendations.find((r) => r.pick === 'slo')!.capacity?.trialId, capacity.trialId);
    assert.equal(report.capacities[0]!.label, 'p1 t1 none b2 spin');
    // Every window of every search was stored as it ended.
    const windows = store.listStudyServingSteps(study.id);
    assert.equal(windows.length, report.capacities.reduce((sum, c) => sum + c.steps.length, 0));
  } finally {
    store.close();
  }
});

test('serving: a study stopped in the middle of a capacity search resumes it from its stored windows', async () => {
  const definition = tinyStudy({ name: 'resumed', sloMs: 100, space: { processes: [1, 2], threads: [1], numa: ['none'], batch: [1] }, strategy: 'grid', drift: { everyTrials: null }, serving: { configurations: 2 } });
  const capacity = (c: TrialConfig): number => (c.baseline ? 400 : c.processes * 450);
  const whole = fakeMachine({ ...steady, capacity });
  const wholeDb = join(tempDir(), 'whole.db');
  const uninterrupted = await runStudy({ definition, dbPath: wholeDb, cacheDir, dependencies: whole.dependencies });

  const dbPath = join(tempDir(), 'stopped.db');
  const controller = new AbortController();
  // Stop two windows into the second search (the first, the baseline's, took countSteps windows).
  const stopped = fakeMachine({ ...steady, capacity }, { abortAfterSteps: { count: countSteps(wholeDb, 0) + 2, controller } });
  const first = await runStudy({ definition, dbPath, cacheDir, signal: controller.signal, dependencies: stopped.dependencies });
  assert.equal(first.reason, 'interrupted');
  const interrupted = stored(dbPath, 'resumed').trials.filter((t) => t.kind === 'capacity' && t.state === 'interrupted');
  assert.equal(interrupted.length, 1);

  const again = fakeMachine({ ...steady, capacity });
  const resumed = await runStudy({ definition, dbPath, cacheDir, dependencies: again.dependencies });
  assert.equal(resumed.reason, 'exhausted');
  // The interrupted search went on from its two stored windows, and nothing else was measured twice.
  assert.deepEqual(again.searches.map((s) => [configKey(s.config), s.prior]), [[configKey(interrupted[0]!.config), 2], ...again.searches.slice(1).map((s) => [configKey(s.config), 0])]);
  assert.equal(again.runs.length, 0, 'no closed-loop run was repeated');
  assert.equal(resumed.summary.capacity?.capacityRps, uninterrupted.summary.capacity?.capacityRps);
});

/** Windows the capacity search of trial `index` (0-based among capacity trials) of a study took. */
function countSteps(dbPath: string, index: number): number {
  const store = openStore(dbPath, { readonly: true });
  try {
    const study = store.getStudy('resumed')!;
    const trial = store.listTrials(study.id).filter((t) => t.kind === 'capacity')[index]!;
    return store.listServingSteps(trial.id).length;
  } finally {
    store.close();
  }
}

test('auto with a time budget: a space that does not fit it is searched by bayes, and the choice is stored with its reason', async () => {
  const dbPath = join(tempDir(), 'auto.db');
  const fake = fakeMachine(steady);
  const definition = tinyStudy({
    name: 'auto',
    space: { processes: [1, 2], threads: [1, 2], numa: ['none', 'local'], batch: [1, 2, 4, 8] },
    budget: { time: 20, trials: 12 },
    measure: { warmup: 1, minTime: 2, maxTime: 4 },
  });
  await runStudy({ definition, dbPath, cacheDir, dependencies: fake.dependencies });
  const { strategy } = stored(dbPath, 'auto');
  assert.equal(strategy[0], 'bayes');
  assert.match(strategy[1]!, /^auto chose bayes: the 25 trials of the whole space do not fit the budget of 12$/);

  const timed = tinyStudy({ ...definition, name: 'timed', budget: { time: 60, trials: 30 } });
  await runStudy({ definition: timed, dbPath, cacheDir, dependencies: fake.dependencies });
  const chosen = stored(dbPath, 'timed').strategy;
  assert.equal(chosen[0], 'bayes');
  // The 30 trials fit the trial budget; 24 configurations and the baseline at about 5.5 s each
  // (1 s warm-up, a 2-4 s window, 1.5 s to start) do not fit the minute: 137.5 s.
  assert.match(chosen[1]!, /^auto chose bayes: the whole space \(25 trials at about 6s each, 2m18s\) does not fit the 1m budget$/);
});
