import test from 'node:test';
import assert from 'node:assert/strict';
import { dominates, paretoFront } from '../../src/search/pareto.js';

const p = (tps: number, p99Ms: number, id = '') => ({ tps, p99Ms, id });

test('dominates needs at least as good on both and strictly better on one', () => {
  assert.equal(dominates(p(10, 5), p(9, 5)), true);
  assert.equal(dominates(p(10, 5), p(10, 6)), true);
  assert.equal(dominates(p(10, 5), p(10, 5)), false);
  assert.equal(dominates(p(10, 5), p(11, 6)), false);
  assert.equal(dominates(p(9, 4), p(10, 5)), false);
});

test('front of a hand-computed set, sorted by p99 ascending', () => {
  const points = [p(100, 10, 'a'), p(50, 4, 'b'), p(80, 12, 'c'), p(120, 20, 'd'), p(50, 6, 'e'), p(10, 2, 'f')];
  // c is beaten by a (more TPS, less p99); e by b (same TPS, less p99).
  assert.deepEqual(paretoFront(points).map((x) => x.id), ['f', 'b', 'a', 'd']);
});

test('ties on one objective keep only the better point', () => {
  const front = paretoFront([p(10, 5, 'slow'), p(10, 3, 'fast'), p(8, 3, 'low')]);
  assert.deepEqual(front.map((x) => x.id), ['fast']);
});

test('duplicates are all kept, in input order', () => {
  const front = paretoFront([p(10, 5, 'x'), p(20, 9, 'y'), p(10, 5, 'z'), p(20, 9, 'w')]);
  assert.deepEqual(front.map((x) => x.id), ['x', 'z', 'y', 'w']);
});

test('non-finite points never enter and empty input gives an empty front', () => {
  assert.deepEqual(paretoFront([]), []);
  assert.deepEqual(paretoFront([p(NaN, 1, 'n'), p(5, Infinity, 'i'), p(1, 1, 'ok')]).map((x) => x.id), ['ok']);
});
