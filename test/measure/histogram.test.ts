import test from 'node:test';
import assert from 'node:assert/strict';
import { AutotuneError } from '../../src/errors.js';
import { LatencyHistogram } from '../../src/measure/histogram.js';
import { exponential, logNormal, sample, uniform } from './random.js';

const N = 100_000;
/** Quantiles in per mille, so the nearest rank num * N / 1000 is an exact integer. */
const PER_MILLE = [1, 100, 500, 900, 990, 999];

function record(values: number[], subBuckets?: number): LatencyHistogram {
  const h = new LatencyHistogram(subBuckets);
  for (const v of values) h.record(v);
  return h;
}

const distributions = {
  'uniform 0-10 ms': uniform(0, 10_000),
  'exponential, mean 1 ms': exponential(1000),
  'log-normal, median 500 us': logNormal(500, 1),
  'sub-microsecond to 20 us': uniform(0.3, 20),
  'minutes': uniform(60e6, 600e6),
};

for (const subBuckets of [128, 16]) {
  test(`percentiles with ${subBuckets} sub-buckets are within 1/${subBuckets} of the exact nearest-rank value`, () => {
    for (const [name, draw] of Object.entries(distributions)) {
      const values = sample(N, 42, draw);
      const sorted = Float64Array.from(values).sort();
      const h = record(values, subBuckets);
      assert.equal(h.count, N);
      for (const permille of PER_MILLE) {
        const exact = sorted[(permille * N) / 1000 - 1]!;
        const got = h.percentile(permille / 1000);
        const error = Math.abs(got - exact) / exact;
        assert.ok(error <= 1 / subBuckets, `${name} q=${permille / 1000}: ${got} vs exact ${exact} (error ${error})`);
      }
      assert.equal(h.percentile(0), sorted[0]);
      assert.equal(h.percentile(1), sorted[N - 1]);
    }
  });
}

test('small counts: nearest rank within half a bucket, exact min and max', () => {
  const h = record([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => v * 100));
  const near = (got: number, exact: number): boolean => Math.abs(got - exact) <= exact / 256;
  assert.ok(near(h.percentile(0.5), 500), `p50 ${h.percentile(0.5)}`);
  assert.ok(near(h.percentile(0.9), 900), `p90 ${h.percentile(0.9)}`);
  assert.ok(near(h.valueAtRank(3), 300));
  assert.equal(h.percentile(0.99), 1000);
  assert.equal(h.percentile(0.1), 100);
  const [low, high] = h.boundsAtRank(5);
  assert.ok(low <= 500 && 500 < high && (high - low) / low <= 1 / 128, `[${low}, ${high})`);
});

test('merging per-worker histograms equals recording everything into one', () => {
  const values = sample(30_000, 7, logNormal(800, 0.7));
  const whole = record(values);
  const parts = [0, 1, 2].map((k) => record(values.filter((_, i) => i % 3 === k)));
  const merged = new LatencyHistogram();
  merged.merge(parts[0]!);
  merged.merge(parts[1]!.snapshot());
  merged.merge(JSON.parse(JSON.stringify(parts[2]!.snapshot())));
  const a = merged.snapshot();
  const b = whole.snapshot();
  assert.deepEqual(a.counts, b.counts);
  assert.deepEqual([a.total, a.minUs, a.maxUs], [b.total, b.minUs, b.maxUs]);
  assert.ok(Math.abs(a.sumUs - b.sumUs) / b.sumUs < 1e-12);
  assert.ok(Math.abs(a.sumSquaresUs - b.sumSquaresUs) / b.sumSquaresUs < 1e-12);
  for (const q of [0.5, 0.99, 0.999]) assert.equal(merged.percentile(q), whole.percentile(q));
});

test('snapshot round trip, through JSON, keeps every figure', () => {
  const h = record(sample(5000, 3, exponential(250)));
  h.record(0);
  h.record(1e-6);
  h.record(5e13);
  const snapshot = h.snapshot();
  assert.equal(snapshot.unit, 'us');
  assert.ok(snapshot.counts.length < 2000, 'snapshot stays sparse');
  const back = LatencyHistogram.fromSnapshot(JSON.parse(JSON.stringify(snapshot)));
  assert.deepEqual(back.snapshot(), snapshot);
  assert.equal(back.percentile(0), 0);
  assert.equal(back.percentile(1), 5e13);
});

test('an empty histogram snapshots to JSON-safe values and refuses percentiles', () => {
  const empty = new LatencyHistogram().snapshot();
  assert.deepEqual([empty.total, empty.minUs, empty.maxUs, empty.counts], [0, 0, 0, []]);
  assert.equal(JSON.stringify(empty).includes('null'), false);
  const back = LatencyHistogram.fromSnapshot(empty);
  assert.equal(back.count, 0);
  assert.throws(() => back.percentile(0.5), /no latencies were recorded/);
  const h = record([100]);
  h.merge(empty);
  assert.deepEqual([h.count, h.percentile(0), h.percentile(1)], [1, 100, 100]);
});

test('bad recordings, snapshots and merges are one-line AutotuneErrors', () => {
  const h = new LatencyHistogram();
  for (const bad of [-1, Number.NaN, Infinity]) assert.throws(() => h.record(bad), AutotuneError);
  assert.equal(h.count, 0);
  assert.throws(() => h.merge(new LatencyHistogram(64)), /cannot merge a histogram of 64 sub-buckets into one of 128/);
  assert.throws(() => record([1]).percentile(99), /fraction from 0 to 1/);
  const good = record([10, 20, 30]).snapshot();
  assert.throws(() => LatencyHistogram.fromSnapshot({ ...good, total: 4 }), /add up to 3, not the total 4/);
  assert.throws(() => LatencyHistogram.fromSnapshot({ ...good, counts: [[1e9, 3]] }), /outside/);
  assert.throws(() => LatencyHistogram.fromSnapshot({ ...good, counts: [...good.counts].reverse() }), /ascending/);
  assert.throws(() => LatencyHistogram.fromSnapshot({ ...good, subBuckets: 0 }), /sub-buckets/);
});

test('recordMs records milliseconds as microseconds', () => {
  const h = new LatencyHistogram();
  h.recordMs(1.5);
  assert.equal(h.percentile(0.5), 1500);
});
