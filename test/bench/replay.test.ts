import test from 'node:test';
import assert from 'node:assert/strict';
import { replay, trialsToHold, trueVolume } from '../../bench/replay.js';
import { syntheticTable } from '../../bench/synthetic-model.js';
import type { Draw, ReplayRow, ReplayTable } from '../../bench/table.js';
import { completeConfig, type TrialConfig } from '../../src/domain/config.js';
import { createBayesStrategy } from '../../src/search/bayes.js';
import { createGridStrategy } from '../../src/search/grid.js';
import { type Strategy } from '../../src/search/strategy.js';
import { configKey } from '../../src/domain/config.js';

const config = (batch: number, baseline = false): TrialConfig => completeConfig({ processes: 1, threads: baseline ? 2 : 1, numa: 'none', batch, smt: 'cores', spinning: true, baseline });
const steady: Draw = { tps: 100, p99Ms: 10, noisy: false };

/** A hand-made table: each row's draws are given in order (the k-th measurement gets the k-th, cycling). */
function tableOf(rows: Array<{ batch: number; truth: { tps: number; p99Ms: number }; draws: Draw[] }>, baselineDraws: Draw[] = [steady]): ReplayTable {
  const draws = new Map<string, Draw[]>();
  const asRow = (c: TrialConfig, truth: ReplayRow['truth'], d: Draw[]): ReplayRow => {
    draws.set(configKey(c), d);
    return { config: c, truth };
  };
  return {
    name: 'hand-made',
    description: 'test table',
    synthetic: true,
    truthNote: 'given',
    sloMs: 20,
    rows: rows.map((r) => asRow(config(r.batch), r.truth, r.draws)),
    baseline: asRow(config(1, true), steady, baselineDraws),
    measure(row, repeat) {
      const d = draws.get(configKey(row.config))!;
      return d[(repeat - 1) % d.length]!;
    },
  };
}

/** Proposes the given batches in order, then nothing. */
function scripted(batches: number[]): Strategy {
  return {
    name: 'scripted',
    next(context) {
      const step = context.history.filter((o) => !o.config.baseline).length;
      const batch = batches[step];
      return batch === undefined ? null : { config: context.space.find((c) => c.batch === batch)!, reason: 'script' };
    },
  };
}

test('trials to a target count until the curve reaches it and stays there to the end of the run', () => {
  assert.equal(trialsToHold([0.5, 0.96, 0.9, 0.97, 0.98], 0.95), 4);
  assert.equal(trialsToHold([0.96, 0.97], 0.95), 1);
  assert.equal(trialsToHold([0.96, 0.9], 0.95), null);
  assert.equal(trialsToHold([], 0.95), null);
});

test('a re-measurement is a fresh draw and can put a truly better configuration back on the reported front', () => {
  // A is truly better than B, but its first window was disturbed (an outlier): B looks better.
  const table = tableOf([
    { batch: 2, truth: { tps: 200, p99Ms: 5 }, draws: [{ tps: 60, p99Ms: 15, noisy: true }, { tps: 210, p99Ms: 5, noisy: false }] },
    { batch: 4, truth: { tps: 120, p99Ms: 8 }, draws: [{ tps: 120, p99Ms: 8, noisy: false }] },
  ]);
  const run = replay(table, scripted([2, 4, 2]), { seed: 1, budget: 10 });
  assert.deepEqual(run.trials.map((t) => `${t.kind} b${t.row.config.batch}`), ['baseline b1', 'search b2', 'search b4', 'repeat b2']);
  assert.deepEqual(run.trials.slice(1).map((t) => t.draw.tps), [60, 120, 210]);
  const truth = trueVolume(table);
  // After B the measured front holds only B (A's draw is dominated); A's second run brings it back:
  // its median (135/s, 10 ms) is no longer dominated by B.
  assert.ok(run.curve[2]! < run.curve[1]!, `B pushed A off: ${run.curve.join(', ')}`);
  assert.equal(run.curve[3], truth);
});

test('the baseline runs first and again after every 10 search trials, and each run counts as a trial', () => {
  const table = tableOf(Array.from({ length: 25 }, (_, i) => ({ batch: i + 2, truth: { tps: 100 + i, p99Ms: 10 + i / 10 }, draws: [{ tps: 100 + i, p99Ms: 10 + i / 10, noisy: false }] })));
  const run = replay(table, createGridStrategy(), { seed: 1, budget: 100 });
  const baselines = run.trials.flatMap((t, i) => (t.kind === 'baseline' ? [i + 1] : []));
  assert.deepEqual(baselines, [1, 12, 23]);
  assert.equal(run.trials.length, 25 + 3);
  assert.equal(run.curve.length, run.trials.length);
  assert.ok(run.trials.every((t) => !t.drift));
});

test('a baseline that moved flags the trials since its last run as drift and is measured again at once', () => {
  const table = tableOf(
    Array.from({ length: 15 }, (_, i) => ({ batch: i + 2, truth: { tps: 100, p99Ms: 10 }, draws: [{ tps: 100, p99Ms: 10, noisy: false }] })),
    [steady, { tps: 60, p99Ms: 10, noisy: false }, steady],
  );
  const run = replay(table, createGridStrategy(), { seed: 1, budget: 100 });
  const kinds = run.trials.map((t) => t.kind);
  assert.deepEqual(kinds.slice(0, 14), ['baseline', ...new Array(10).fill('search'), 'baseline', 'baseline', 'search']);
  assert.deepEqual(run.trials.map((t) => t.drift).slice(0, 14), [false, ...new Array(10).fill(true), false, false, false]);
  assert.equal(kinds.filter((k) => k === 'baseline').length, 3);
});

test('a smaller budget branched off the long run ends as a study run with that budget alone', () => {
  const full = syntheticTable();
  const small: ReplayTable = { ...full, rows: full.rows.filter((r) => r.config.processes * r.config.threads <= 8 && r.config.numa !== 'spread' && r.config.batch <= 32) };
  const branched = replay(small, createBayesStrategy(), { seed: 3, budget: 40, checkpoints: [25] });
  const alone = replay(small, createBayesStrategy(), { seed: 3, budget: 25, checkpoints: [25] });
  assert.deepEqual(branched.ends.get(25), alone.ends.get(25));
  assert.equal(branched.trials.length, 40);
  // the 25-trial study spent its last trials re-measuring, which the long run had not done yet
  const remeasured = (trials: typeof alone.trials): number => trials.filter((t) => t.kind === 'repeat').length;
  assert.ok(remeasured(alone.trials) > remeasured(branched.trials.slice(0, 25)), 'the short study did not use its endgame');
});

test('the SYNTHETIC table judges on noise-free values and measures with fresh seeded draws', () => {
  const table = syntheticTable();
  const row = table.rows.find((r) => r.config.processes === 8 && r.config.threads === 8 && r.config.numa === 'local' && r.config.batch === 16)!;
  const first = table.measure(row, 1, 5);
  assert.deepEqual(table.measure(row, 1, 5), first, 'a draw is a pure function of (row, repeat, seed)');
  assert.notDeepEqual(table.measure(row, 2, 5), first);
  assert.notDeepEqual(table.measure(row, 1, 6), first);
  assert.ok(table.rows.every((r) => r.truth.tps > 0 && r.truth.p99Ms > 0));
  assert.ok(table.baseline.config.baseline);
});
