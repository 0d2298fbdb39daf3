import test from 'node:test';
import assert from 'node:assert/strict';
import { AutotuneError } from '../../src/errors.js';
import { binomialAtLeast, binomialCdf } from '../../src/measure/distributions.js';
import { LatencyHistogram } from '../../src/measure/histogram.js';
import { minSamplesForInterval, quantileInterval, quantileRanks } from '../../src/measure/quantile-interval.js';
import { exactCdfAtMost } from './random.js';

const relativelyNear = (got: number, exact: number, tolerance = 1e-12): boolean => Math.abs(got - exact) <= tolerance * Math.abs(exact);

test('binomial tails match exact rational values, small upper tails included', () => {
  // Exact values from rational arithmetic (Python fractions), rounded once to a double.
  const cases: Array<[number, number, number, number]> = [
    [1970, 2000, 0.99, 0.021256171404065292],
    [3, 1000, 0.01, 0.01007265477201438],
    [0, 5000, 0.01, 1.4995915609980212e-22],
    [359, 368, 0.99, 0.0128241241990476],
    [4, 20, 0.5, 0.005908966064453125],
  ];
  for (const [x, n, p, exact] of cases) assert.ok(relativelyNear(binomialCdf(x, n, p), exact), `P(B(${n}, ${p}) <= ${x}) = ${binomialCdf(x, n, p)}, exact ${exact}`);
  // P(B(1000, 0.01) >= 40) = 4.69e-13: 1 - CDF would be off in the fifth digit.
  assert.ok(relativelyNear(binomialAtLeast(40, 1000, 0.01), 4.688553566249803e-13));
  assert.ok(relativelyNear(binomialAtLeast(10, 368, 0.01), 0.004447173831394875));
  assert.ok(relativelyNear(binomialAtLeast(368, 368, 0.99), 0.02476005539009371));
  assert.deepEqual([binomialAtLeast(0, 10, 0.3), binomialAtLeast(11, 10, 0.3)], [1, 0]);
});

/** The defining inequalities of the ranks, checked in exact arithmetic: q = num/den, tail = 1/tailDen. */
function exactlyRight(n: number, num: bigint, den: bigint, tailDen: bigint, [l, u]: [number, number]): boolean {
  // B counts recordings at or below the quantile: Binomial(n, q); n - B is Binomial(n, 1 - q).
  const lowerOk = exactCdfAtMost(l - 1, n, num, den, 1n, tailDen) && !exactCdfAtMost(l, n, num, den, 1n, tailDen);
  // P(B >= u) = P(n - B <= n - u).
  const upperTail = (rank: number): boolean => exactCdfAtMost(n - rank, n, den - num, den, 1n, tailDen);
  return lowerOk && upperTail(u) && !upperTail(u - 1);
}

test('quantile ranks are exactly the largest lower and smallest upper rank with each tail <= alpha/2', () => {
  const cases: Array<[number, number, bigint, bigint, number, bigint]> = [
    // n, q, q as a fraction, confidence, 2 / (1 - confidence)
    [368, 0.99, 99n, 100n, 0.95, 40n],
    [500, 0.99, 99n, 100n, 0.95, 40n],
    [2000, 0.99, 99n, 100n, 0.95, 40n],
    [3000, 0.99, 99n, 100n, 0.9, 20n],
    [1000, 0.99, 99n, 100n, 0.99, 200n],
    [100, 0.9, 9n, 10n, 0.95, 40n],
    [50, 0.5, 1n, 2n, 0.95, 40n],
  ];
  for (const [n, q, num, den, confidence, tailDen] of cases) {
    const ranks = quantileRanks(n, q, confidence);
    assert.ok(ranks !== null && exactlyRight(n, num, den, tailDen, ranks), `n ${n}, q ${q}, ${confidence}: ranks ${ranks}`);
  }
  // Textbook sign-test intervals of the median at 95%: ranks 1-6 of 6, 2-9 of 10, 6-15 of 20.
  assert.deepEqual([quantileRanks(6, 0.5), quantileRanks(10, 0.5), quantileRanks(20, 0.5)], [[1, 6], [2, 9], [6, 15]]);
});

test('an interval needs q^n <= alpha/2: 368 recordings for a 95% p99, 6 for a median', () => {
  // The smallest n with 40 * 99^n <= 100^n, in exact arithmetic.
  let exact = 1;
  while (40n * 99n ** BigInt(exact) > 100n ** BigInt(exact)) exact++;
  assert.equal(minSamplesForInterval(0.99), exact);
  assert.equal(exact, 368);
  assert.equal(quantileRanks(exact - 1, 0.99), null);
  assert.notEqual(quantileRanks(exact, 0.99), null);
  assert.equal(minSamplesForInterval(0.5), 6);
  assert.equal(quantileRanks(5, 0.5), null);
  // A lower quantile is bounded by its lower rank: (1 - q)^n <= alpha/2.
  assert.equal(minSamplesForInterval(0.01), minSamplesForInterval(0.99));
  assert.ok(minSamplesForInterval(0.99, 0.99) > minSamplesForInterval(0.99, 0.9));
  assert.equal(quantileRanks(0, 0.99), null);
});

test('the histogram interval holds the exact order statistics at those ranks and is null when too small', () => {
  const values = Array.from({ length: 1000 }, (_, i) => 1000 + 7 * i); // 1000 ... 7993 us
  const histogram = new LatencyHistogram();
  for (const v of values) histogram.record(v);
  const [l, u] = quantileRanks(values.length, 0.99)!;
  const interval = quantileInterval(histogram, 0.99)!;
  assert.ok(interval[0] <= values[l - 1]! && values[u - 1]! <= interval[1], `[${interval}] vs X(${l}) ${values[l - 1]}, X(${u}) ${values[u - 1]}`);
  assert.ok(interval[0] > values[l - 1]! * (1 - 1 / 128) && interval[1] < values[u - 1]! * (1 + 1 / 128), 'within a bucket of them');

  const small = new LatencyHistogram();
  for (const v of values.slice(0, 367)) small.record(v);
  assert.equal(quantileInterval(small, 0.99), null);
  small.record(8000);
  assert.notEqual(quantileInterval(small, 0.99), null);
});

test('bad arguments are usage errors that say what was wrong', () => {
  const usage = (pattern: RegExp) => (e: unknown) => e instanceof AutotuneError && e.kind === 'usage' && pattern.test(e.message);
  assert.throws(() => quantileRanks(100, 1), usage(/quantile must be a fraction strictly between 0 and 1, got 1/));
  assert.throws(() => quantileRanks(100, 0.99, 95), usage(/confidence must be a fraction .* got 95/));
  assert.throws(() => quantileRanks(10.5, 0.99), usage(/whole number >= 0, got 10.5/));
  assert.throws(() => minSamplesForInterval(0), usage(/quantile/));
});
