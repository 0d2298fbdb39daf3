import assert from 'node:assert/strict';
import test from 'node:test';
import { isInteractive } from '../../src/cli/interactive.js';
import { formatSummary } from '../../src/cli/reporters/format.js';
import type { TrialConfig } from '../../src/placement/types.js';
import type { TrialRecord } from '../../src/store/index.js';
import { driftVerdict, tpsRelativeCi } from '../../src/study/drift.js';
import { summarizeTrials } from '../../src/study/summary.js';

let nextId = 1;
function trial(config: Partial<TrialConfig>, tps: number, p99Ms: number, over: Partial<TrialRecord> = {}): TrialRecord {
  const id = nextId++;
  return {
    id, studyId: 1, number: id, kind: config.baseline ? 'baseline' : 'search', state: 'complete',
    config: { processes: 1, threads: 1, numa: 'none', batch: 1, smt: 'cores', spinning: true, baseline: false, ...config },
    reason: '', startedAt: '', finishedAt: '', durationMs: 1, error: null, tps, ips: tps, p50Ms: p99Ms / 2, p90Ms: p99Ms,
    p99Ms, p999Ms: p99Ms, meanMs: p99Ms / 2, p99CiLow: p99Ms, p99CiHigh: p99Ms, noisy: false, noiseReasons: [],
    verified: true, pinned: true, drift: false, driftReason: null, pairedWith: null, round: null, capacity: null, ...over,
  };
}

test('summary: front, best under the SLO, gain over the baseline; repeats averaged, drifted ones left out', () => {
  const trials = [
    trial({ baseline: true, threads: 2 }, 100, 10),
    trial({ processes: 2 }, 300, 12),
    trial({ processes: 2 }, 200, 8), // a repeat of the same configuration: averaged to 250 / 10
    trial({ threads: 2 }, 180, 5),
    trial({ processes: 2, batch: 8 }, 900, 40),
    trial({ processes: 2, batch: 32 }, 950, 80, { drift: true }),
    trial({ processes: 2, batch: 32 }, 500, 90), // the trusted measurement of that configuration
    trial({ processes: 2, threads: 2 }, 0, 0, { state: 'failed', tps: null, p99Ms: null }),
  ];
  const summary = summarizeTrials(trials, 20);
  assert.equal(summary.completed, 7);
  assert.equal(summary.failed, 1);
  assert.deepEqual(summary.front.map((p) => [p.tps, p.p99Ms]), [[180, 5], [250, 10], [900, 40]]);
  assert.deepEqual([summary.best?.tps, summary.best?.p99Ms], [250, 10]);
  assert.equal(summary.best?.trialId, trials[2]!.id);
  assert.deepEqual(summary.gain, { tps: 2.5, p99: 1 });
  assert.equal(summarizeTrials(trials, 1).best, null);
  assert.equal(summarizeTrials(trials, null).best?.tps, 900);
  assert.deepEqual(summarizeTrials([], null), { completed: 0, failed: 0, front: [], baseline: null, best: null, gain: null });
  assert.equal(
    formatSummary(summarizeTrials(trials, null), null).at(-1),
    "gain over the baseline (100.0 samples/s, p99 10.00 ms): 9.00x throughput, p99 4.00x the baseline's (+30.0 ms, slower)",
  );
  assert.match(formatSummary(summary, 20).at(-1)!, /2\.50x throughput, p99 1\.00x the baseline's \(\+0\.000 ms, the same\)$/);
});

test('drift: a change counts only beyond the threshold and both confidence intervals', () => {
  const tight = { count: 10_000, mean: 1, stddev: 0.1 };
  assert.ok(Math.abs(tpsRelativeCi(tight) - 0.00196) < 1e-9);
  assert.equal(driftVerdict({ tps: 148, latency: tight }, { tps: 88, latency: tight }, 0.1).drifted, true);
  assert.equal(driftVerdict({ tps: 148, latency: tight }, { tps: 140, latency: tight }, 0.1).drifted, false);
  // A wide interval (few, scattered samples) raises the bound above the threshold.
  const wide = { count: 20, mean: 1, stddev: 1 };
  const verdict = driftVerdict({ tps: 100, latency: wide }, { tps: 70, latency: wide }, 0.1);
  assert.equal(verdict.drifted, false);
  assert.ok(verdict.bound > 0.8);
});

test('interactive only on a TTY, outside CI, without --no-ui or --json', () => {
  const tty = { isTTY: true };
  assert.equal(isInteractive({ ui: true, json: false, stdout: tty, env: { TERM: 'xterm' } }), true);
  assert.equal(isInteractive({ ui: true, json: false, stdout: {}, env: {} }), false);
  assert.equal(isInteractive({ ui: false, json: false, stdout: tty, env: {} }), false);
  assert.equal(isInteractive({ ui: true, json: true, stdout: tty, env: {} }), false);
  assert.equal(isInteractive({ ui: true, json: false, stdout: tty, env: { CI: 'true' } }), false);
  assert.equal(isInteractive({ ui: true, json: false, stdout: tty, env: { CI: 'false' } }), true);
  assert.equal(isInteractive({ ui: true, json: false, stdout: tty, env: { TERM: 'dumb' } }), false);
});
