import test from 'node:test';
import assert from 'node:assert/strict';
import { fitGp } from '../../src/search/gp/gp.js';
import { matern52 } from '../../src/search/gp/kernel.js';
import { nelderMead } from '../../src/search/gp/nelder-mead.js';
import { createRng } from '../../src/search/rng.js';

test('Matérn 5/2 is 1 at zero distance and decays monotonically', () => {
  assert.equal(matern52(0), 1);
  const values = [0.01, 0.1, 1, 4, 25].map(matern52);
  for (let i = 1; i < values.length; i++) assert.ok(values[i]! < values[i - 1]!);
  assert.ok(values[values.length - 1]! < 1e-3);
});

test('Nelder-Mead finds the minimum of a shifted quadratic', () => {
  const r = nelderMead((x) => (x[0]! - 1) ** 2 + 3 * (x[1]! + 2) ** 2, [0, 0], { step: 0.5, maxEvaluations: 400, tolerance: 1e-12 });
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-3 && Math.abs(r.x[1]! + 2) < 1e-3, `got ${r.x.join(', ')}`);
});

test('GP fits 1-D sin: accurate between samples, confident at them, unsure far away', () => {
  const xs = Array.from({ length: 12 }, (_, i) => i / 11 * 0.6); // samples cover [0, 0.6] only
  const f = (x: number) => Math.sin(2 * Math.PI * x);
  const gp = fitGp(xs.map((x) => [x]), xs.map(f), ['continuous']);
  const inside = [0.03, 0.17, 0.33, 0.51];
  const pi = gp.predict(inside.map((x) => [x]));
  inside.forEach((x, i) => assert.ok(Math.abs(pi.mean[i]! - f(x)) < 0.05, `mean at ${x}: ${pi.mean[i]} vs ${f(x)}`));
  const atSample = gp.predict([[xs[3]!]]).variance[0]!;
  const far = gp.predict([[1]]).variance[0]!;
  assert.ok(atSample < 1e-3, `variance at a sample ${atSample}`);
  assert.ok(far > 50 * atSample && far > 0.05, `variance far away ${far} vs ${atSample}`);
});

test('GP fits a noisy 2-D bowl and estimates the noise', () => {
  const rng = createRng(7);
  const points: number[][] = [];
  const y: number[] = [];
  const bowl = (a: number, b: number) => 4 * (a - 0.3) ** 2 + (b - 0.6) ** 2;
  for (let i = 0; i < 60; i++) {
    const p = [rng.uniform(), rng.uniform()];
    points.push(p);
    y.push(bowl(p[0]!, p[1]!) + 0.05 * rng.normal());
  }
  const gp = fitGp(points, y, ['continuous', 'continuous']);
  const grid = [[0.3, 0.6], [0.1, 0.2], [0.8, 0.9], [0.5, 0.5]];
  const pred = gp.predict(grid);
  grid.forEach((p, i) => assert.ok(Math.abs(pred.mean[i]! - bowl(p[0]!, p[1]!)) < 0.1, `bowl at ${p.join(',')}: ${pred.mean[i]}`));
  // true noise variance is 0.0025
  assert.ok(gp.noiseVariance > 0.0005 && gp.noiseVariance < 0.01, `noise ${gp.noiseVariance}`);
  // the first dimension is steeper, so it gets the shorter length scale
  assert.ok(gp.hyper.lengthScales[0]! < gp.hyper.lengthScales[1]!);
});

test('categorical dimension: levels that differ are learnt, an irrelevant one gets a long scale', () => {
  const points: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 8; i++)
    for (let level = 0; level < 3; level++)
      for (let junk = 0; junk < 2; junk++) {
        points.push([i / 7, level, junk]);
        y.push(i / 7 + (level === 2 ? 2 : 0));
      }
  const gp = fitGp(points, y, ['continuous', 'categorical', 'categorical']);
  const pred = gp.predict([[0.5, 2, 0], [0.5, 0, 1]]);
  assert.ok(Math.abs(pred.mean[0]! - 2.5) < 0.1 && Math.abs(pred.mean[1]! - 0.5) < 0.1, `${pred.mean[0]} ${pred.mean[1]}`);
  assert.ok(gp.hyper.lengthScales[2]! > gp.hyper.lengthScales[1]!);
});
