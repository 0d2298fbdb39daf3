import test from 'node:test';
import assert from 'node:assert/strict';
import { sampleStandardDeviation } from 'simple-statistics';
import { SYNTHETIC_NOISE, syntheticDraw } from '../../bench/synthetic-model.js';
import { createRng } from '../../src/search/rng.js';

const truth = { tps: 1000, p99Ms: 10 };
const DRAWS = 20_000;

function draws(load: number, seed: number) {
  const rng = createRng(seed);
  return Array.from({ length: DRAWS }, () => syntheticDraw(truth, load, rng));
}

test('about 5% of draws are outliers 2-3x worse on both objectives, most of them flagged noisy', () => {
  const all = draws(0.5, 1);
  // Without an outlier a draw stays within 5 sd of the truth: far above 1/2 of it.
  const outliers = all.filter((d) => d.tps < 0.6 * truth.tps);
  const share = outliers.length / DRAWS;
  // 5% of 20000: sd of the count is about 31, so +-0.6 percentage points is about 4 sd.
  assert.ok(Math.abs(share - SYNTHETIC_NOISE.outlierRate) < 0.006, `outlier share ${share}`);
  for (const d of outliers) {
    const k = truth.tps / d.tps;
    assert.ok(k > 1.6 && k < 3.8, `an outlier ${k.toFixed(2)}x slower`);
    assert.ok(d.p99Ms > 1.6 * truth.p99Ms, `an outlier with p99 ${d.p99Ms}`);
  }
  const flagged = outliers.filter((d) => d.noisy).length / outliers.length;
  assert.ok(flagged > 0.65 && flagged < 0.85, `flagged share of outliers ${flagged}`);
  const falseAlarms = all.filter((d) => d.tps >= 0.6 * truth.tps && d.noisy).length / (DRAWS - outliers.length);
  assert.ok(falseAlarms < 0.1, `false alarms ${falseAlarms}`);
});

test('the spread grows with load', () => {
  const spread = (load: number, objective: 'tps' | 'p99Ms'): number =>
    sampleStandardDeviation(draws(load, 2).filter((d) => d.tps >= 0.6 * truth.tps).map((d) => Math.log(d[objective] / truth[objective])));
  for (const objective of ['tps', 'p99Ms'] as const) {
    const idle = spread(0, objective);
    const busy = spread(1, objective);
    assert.ok(busy > 2 * idle, `${objective}: sd ${idle.toFixed(4)} idle vs ${busy.toFixed(4)} at full load`);
  }
});
