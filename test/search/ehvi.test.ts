import test from 'node:test';
import assert from 'node:assert/strict';
import { expectedHypervolumeImprovement, feasibilityScore, hypervolumeImprovement, normalCdf } from '../../src/search/ehvi.js';
import { hypervolume2d } from '../../src/search/hypervolume.js';
import { paretoFront } from '../../src/search/pareto.js';
import { createRng } from '../../src/search/rng.js';

test('hypervolume improvement equals the growth of the hypervolume, on random fronts', () => {
  const rng = createRng(3);
  const ref = { tps: 0, p99Ms: 50 };
  for (let trial = 0; trial < 200; trial++) {
    const points = Array.from({ length: 1 + rng.int(8) }, () => ({ tps: 100 * rng.uniform(), p99Ms: 60 * rng.uniform() }));
    const front = paretoFront(points.filter((p) => p.p99Ms < ref.p99Ms));
    const candidate = { tps: 100 * rng.uniform(), p99Ms: 60 * rng.uniform() };
    const expected = hypervolume2d([...points, candidate], ref) - hypervolume2d(points, ref);
    assert.ok(Math.abs(hypervolumeImprovement(candidate, front, ref) - expected) < 1e-9 * (1 + expected));
  }
});

test('hand-computed improvement: a point between two front points', () => {
  const ref = { tps: 0, p99Ms: 10 };
  const front = [{ tps: 10, p99Ms: 2 }, { tps: 40, p99Ms: 6 }];
  // new point (30, 4): strip 4..6 gains 30 - 10 = 20 per ms
  assert.equal(hypervolumeImprovement({ tps: 30, p99Ms: 4 }, front, ref), 40);
  assert.equal(hypervolumeImprovement({ tps: 5, p99Ms: 3 }, front, ref), 0);
  assert.equal(hypervolumeImprovement({ tps: 50, p99Ms: 12 }, front, ref), 0);
});

test('EHVI with no uncertainty is the improvement of the mean; uncertainty adds optimism', () => {
  const ref = { tps: 0, p99Ms: 10 };
  const front = [{ tps: 40, p99Ms: 5 }];
  const rng = createRng(1);
  const normals = Array.from({ length: 4000 }, () => [rng.normal(), rng.normal()] as [number, number]);
  const sure = { logTpsMean: Math.log(30), logTpsSd: 0, logP99Mean: Math.log(3), logP99Sd: 0 };
  assert.ok(Math.abs(expectedHypervolumeImprovement(sure, front, ref, normals) - 30 * 2) < 1e-9);
  const dominatedSure = { logTpsMean: Math.log(20), logTpsSd: 0, logP99Mean: Math.log(7), logP99Sd: 0 };
  assert.equal(expectedHypervolumeImprovement(dominatedSure, front, ref, normals), 0);
  const dominatedUnsure = { ...dominatedSure, logTpsSd: 0.8, logP99Sd: 0.5 };
  assert.ok(expectedHypervolumeImprovement(dominatedUnsure, front, ref, normals) > 1);
});

test('feasibility score ranks by the chance of meeting the SLO', () => {
  const p = (mean: number, sd: number) => ({ logTpsMean: 0, logTpsSd: 1, logP99Mean: Math.log(mean), logP99Sd: sd });
  assert.ok(Math.abs(normalCdf(feasibilityScore(p(10, 0.3), 10)) - 0.5) < 1e-6);
  assert.ok(feasibilityScore(p(5, 0.3), 10) > feasibilityScore(p(8, 0.3), 10));
  // far in the tail the probabilities underflow alike, the scores still differ
  assert.ok(feasibilityScore(p(1e6, 0.1), 10) > feasibilityScore(p(1e8, 0.1), 10));
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
});
