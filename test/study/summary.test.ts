import assert from 'node:assert/strict';
import test from 'node:test';
import { isInteractive } from '../../src/cli/interactive.js';
import { formatSummary } from '../../src/cli/reporters/format.js';
import { driftBetween, driftBounds } from '../../src/study/drift.js';
import { summarizeTrials } from '../../src/study/summary.js';
import { trialRecord as trial } from '../fixtures/report/trial-record.js';

test('summary: front, best under the SLO, gain over the baseline; repeats by their median, drifted ones left out', () => {
  const trials = [
    trial({ baseline: true, threads: 2 }, 100, 10),
    trial({ processes: 2 }, 300, 12),
    trial({ processes: 2 }, 200, 8), // a repeat of the same configuration: the median of the two, 250 / 10
    trial({ threads: 2 }, 180, 5),
    trial({ processes: 2, batch: 8 }, 900, 40),
    trial({ processes: 2, batch: 32 }, 950, 80, { drift: true }),
    trial({ processes: 2, batch: 32 }, 500, 90), // the trusted measurement of that configuration
    trial({ processes: 2, threads: 2 }, 0, 0, { state: 'failed', tps: null, p99Ms: null }),
  ];
  const summary = summarizeTrials(trials, [], 20, 1);
  assert.equal(summary.completed, 7);
  assert.equal(summary.failed, 1);
  assert.deepEqual(summary.front.map((p) => [p.tps, p.p99Ms]), [[180, 5], [250, 10], [900, 40]]);
  assert.deepEqual([summary.best?.tps, summary.best?.p99Ms], [250, 10]);
  assert.equal(summary.best?.trialId, trials[2]!.id);
  assert.equal(summary.gain?.total?.tps.ratio, 2.5);
  assert.equal(summary.gain?.total?.p99.ratio, 1);
  assert.equal(summarizeTrials(trials, [], 1, 1).best, null);
  const unbounded = summarizeTrials(trials, [], null, 1);
  assert.equal(unbounded.best?.tps, 900);
  // Batch 8 has no baseline of its own here: the placement gain is unknown, the total gain is against batch 1.
  assert.equal(unbounded.gain?.placement, null);
  assert.equal(unbounded.gain?.total?.tps.ratio, 9);
  assert.deepEqual(summarizeTrials([], [], null, 1), { completed: 0, failed: 0, front: [], baseline: null, best: null, gain: null, capacity: null, baselineCapacity: null });
  assert.equal(
    formatSummary(unbounded, null).at(-1),
    "placement gain unknown (no baseline at this batch); total gain (vs baseline b1, as run today): 9.00x TPS (unpaired, no CI), p99 4.00x the baseline's (+30.0 ms, slower) (unpaired, no CI)",
  );
  assert.match(formatSummary(summary, 20).at(-1)!, /2\.50x TPS \(unpaired, no CI\), p99 1\.00x the baseline's \(\+0\.000 ms, the same\)/);
});

test('drift: the bound is the threshold until the baseline has moved a few times, then three times its usual move', () => {
  const run = (number: number, tps: number, p99Ms: number) => ({ trialId: number, number, tps, p99Ms });
  const floor = driftBounds([run(1, 100, 10), run(5, 101, 10)], 0.1);
  assert.deepEqual(floor, { tps: 0.1, p99: 0.2, basis: 1 });
  assert.equal(driftBetween(run(1, 148, 10), run(9, 88, 10), floor).drifted, true);
  assert.equal(driftBetween(run(1, 148, 10), run(9, 140, 10), floor).drifted, false);
  // p99 alone can show it: throughput steady, the tail 50% slower.
  const tail = driftBetween(run(1, 100, 10), run(9, 99, 15), floor);
  assert.equal(tail.drifted, true);
  assert.match(tail.reason, /p99 \+50% \(10\.00 -> 15\.00 ms, bound ±20%\)/);
  // A machine whose baseline moves 8% from run to run as a rule: a 12% move is its normal.
  const noisy = [run(1, 100, 10), run(3, 108, 10.8), run(5, 100, 10), run(7, 92, 9.2), run(9, 100, 10), run(11, 108, 10.8)];
  assert.equal(driftBounds(noisy.slice(0, 5), 0.1).tps, 0.1, 'four changes are too few for a spread: the threshold holds');
  const bounds = driftBounds(noisy, 0.1);
  assert.equal(bounds.basis, 5);
  assert.ok(bounds.tps > 0.2 && bounds.tps < 0.3, `bound ${bounds.tps}`);
  assert.equal(driftBetween(run(9, 100, 10), run(11, 112, 11), bounds).drifted, false);
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
