import test from 'node:test';
import assert from 'node:assert/strict';
import { hypervolume2d } from '../../src/search/hypervolume.js';

const p = (tps: number, p99Ms: number) => ({ tps, p99Ms });

test('one point: the rectangle up to the reference', () => {
  assert.equal(hypervolume2d([p(100, 4)], { tps: 0, p99Ms: 10 }), 100 * 6);
  assert.equal(hypervolume2d([p(100, 4)], { tps: 20, p99Ms: 10 }), 80 * 6);
});

test('staircase of three points, hand computed', () => {
  // strips: p99 2..5 at tps 10, 5..8 at 40, 8..10 at 60
  const hv = hypervolume2d([p(40, 5), p(10, 2), p(60, 8)], { tps: 0, p99Ms: 10 });
  assert.equal(hv, 10 * 3 + 40 * 3 + 60 * 2);
});

test('dominated points and duplicates add nothing', () => {
  const ref = { tps: 0, p99Ms: 10 };
  const base = hypervolume2d([p(40, 5), p(10, 2)], ref);
  assert.equal(hypervolume2d([p(40, 5), p(10, 2), p(30, 6), p(40, 5), p(10, 2)], ref), base);
});

test('points at or beyond the reference (an SLO) count for nothing', () => {
  const ref = { tps: 0, p99Ms: 10 };
  assert.equal(hypervolume2d([p(1000, 10), p(500, 12)], ref), 0);
  assert.equal(hypervolume2d([p(1000, 12), p(20, 5)], ref), 20 * 5);
  assert.equal(hypervolume2d([], ref), 0);
});

test('adding a non-dominated point grows the volume by exactly its new area', () => {
  const ref = { tps: 0, p99Ms: 10 };
  const before = hypervolume2d([p(10, 2), p(60, 8)], ref);
  const after = hypervolume2d([p(10, 2), p(60, 8), p(40, 5)], ref);
  assert.equal(after - before, (40 - 10) * (8 - 5));
});
