import test from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram } from '../../src/measure/histogram.js';
import { isStable, p99CiSpread } from '../../src/measure/stability.js';
import { summarize } from '../../src/measure/summary.js';
import type { LatencySummary } from '../../src/domain/latency.js';
import type { MeasureSettings } from '../../src/domain/results.js';
import { logNormal, mulberry32 } from './random.js';

const settings: MeasureSettings = { warmupMs: 0, minMs: 1000, maxMs: 5000, minSamples: 100, p99CiBound: 0.05 };

function summary(count: number, p99: number, ci: [number, number] | null): LatencySummary {
  return { count, mean: p99 / 2, stddev: 1, min: 0.1, max: p99 * 2, p50: p99 / 2, p90: p99 * 0.8, p99, p999: p99 * 1.5, p99Ci: ci };
}

const tight = (count: number): LatencySummary => summary(count, 10, [9.8, 10.3]);
const wide = (count: number): LatencySummary => summary(count, 10, [9, 12]);

test('not done before the minimum time, below the minimum samples, or while the CI is wide', () => {
  const early = isStable(tight(1000), settings, 500);
  assert.deepEqual([early.done, early.stable], [false, false]);
  assert.match(early.reason, /0\.5 s of at least 1 s/);
  const few = isStable(tight(50), settings, 2000);
  assert.deepEqual([few.done, few.stable], [false, false]);
  assert.match(few.reason, /50 of 100 inferences/);
  const noisy = isStable(wide(1000), settings, 2000);
  assert.deepEqual([noisy.done, noisy.stable], [false, false]);
  assert.match(noisy.reason, /95% CI of p99 ±20%, bound ±5%/);
});

test('done and stable once time, samples and CI are all met', () => {
  const verdict = isStable(tight(1000), settings, 1000);
  assert.deepEqual([verdict.done, verdict.stable], [true, true]);
  assert.match(verdict.reason, /^p99 stable after 1000 inferences in 1 s/);
});

test('the maximum time ends the window: unstable unless CI and samples are met', () => {
  const unstable = isStable(wide(1000), settings, 5000);
  assert.deepEqual([unstable.done, unstable.stable], [true, false]);
  assert.match(unstable.reason, /^p99 did not stabilise within 5 s \(95% CI of p99 ±20%/);
  const starved = isStable(tight(50), settings, 5000);
  assert.deepEqual([starved.done, starved.stable], [true, false]);
  assert.match(starved.reason, /only 50 of 100 inferences/);
  const fine = isStable(tight(1000), { ...settings, minMs: 9000 }, 5000);
  assert.deepEqual([fine.done, fine.stable], [true, true]);
});

test('a lopsided CI counts by its farther end, not its half-width', () => {
  const lopsided = summary(1000, 10, [9.9, 10.8]);
  assert.ok(Math.abs(p99CiSpread(lopsided)! - 0.08) < 1e-9);
  assert.equal(isStable(lopsided, settings, 2000).done, false);
});

test('a window too small for a p99 CI is never stable, and says how many inferences a CI needs', () => {
  const small = summary(300, 10, null);
  assert.equal(p99CiSpread(small), null);
  const waiting = isStable(small, settings, 2000);
  assert.deepEqual([waiting.done, waiting.stable], [false, false]);
  assert.match(waiting.reason, /too few samples for a 95% CI of p99 \(needs 368 inferences\)/);
  const ended = isStable(small, settings, 5000);
  assert.deepEqual([ended.done, ended.stable], [true, false]);
  assert.match(ended.reason, /^p99 did not stabilise within 5 s \(too few samples for a 95% CI of p99/);
});

test('a real recording becomes stable as samples accumulate, and stays stable', () => {
  const h = new LatencyHistogram();
  const draw = logNormal(1000, 0.4);
  const u = mulberry32(17);
  const verdicts: boolean[] = [];
  // One simulated inference per ms; check every 250 ms as the runner does.
  for (let elapsed = 250; elapsed <= 20_000; elapsed += 250) {
    for (let i = 0; i < 250; i++) h.record(draw(u));
    verdicts.push(isStable(summarize(h.snapshot()), { ...settings, maxMs: 60_000 }, elapsed).done);
  }
  const firstDone = verdicts.indexOf(true);
  assert.ok(firstDone > 3, `stable too early (check ${firstDone})`);
  assert.ok(verdicts.slice(-10).every(Boolean), 'stable at the end');
});
