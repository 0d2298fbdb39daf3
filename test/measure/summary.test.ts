import test from 'node:test';
import assert from 'node:assert/strict';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { AutotuneError } from '../../src/errors.js';
import { LatencyHistogram } from '../../src/measure/histogram.js';
import { summarize } from '../../src/measure/summary.js';
import { logNormal, sample, uniform } from './random.js';

function snapshotOf(values: number[]) {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h.snapshot();
}

const within = (got: number, exact: number, relative: number): boolean => Math.abs(got - exact) <= relative * Math.abs(exact);

test('summarize gives ms figures that match the exact statistics', () => {
  const values = sample(50_000, 11, logNormal(2000, 0.5));
  const sorted = [...values].sort((a, b) => a - b);
  const s = summarize(snapshotOf(values));
  assert.equal(s.count, values.length);
  assert.ok(within(s.mean, mean(values) / 1000, 1e-9));
  assert.ok(within(s.stddev, sampleStandardDeviation(values) / 1000, 1e-6));
  assert.equal(s.min, sorted[0]! / 1000);
  assert.equal(s.max, sorted.at(-1)! / 1000);
  const exactMs = (q: number): number => sorted[Math.ceil(q * values.length) - 1]! / 1000;
  assert.ok(within(s.p50, exactMs(0.5), 1 / 128));
  assert.ok(within(s.p90, exactMs(0.9), 1 / 128));
  assert.ok(within(s.p99, exactMs(0.99), 1 / 128));
  assert.ok(within(s.p999, exactMs(0.999), 1 / 128));
  assert.ok(s.p99Ci[0] <= s.p99 && s.p99 <= s.p99Ci[1]);
});

test('p99 CI comes from the binomial ranks n*q ± 1.96*sqrt(n*q*(1-q)), clamped', () => {
  // 1..100 us: ranks floor(99 - 1.95) = 97 and ceil(100.95) -> clamped to 100.
  const s = summarize(snapshotOf(Array.from({ length: 100 }, (_, i) => i + 1)));
  assert.deepEqual(s.p99Ci, [0.097, 0.1]);
  const one = summarize(snapshotOf([250]));
  assert.deepEqual([one.count, one.p50, one.p99, one.stddev, one.p99Ci], [1, 0.25, 0.25, 0, [0.25, 0.25]]);
});

test('the p99 CI covers the true p99 of a uniform distribution about 95% of the time', () => {
  // Uniform 0-1000 us: the true p99 is 990 us.
  let covered = 0;
  const runs = 40;
  for (let seed = 1; seed <= runs; seed++) {
    const [low, high] = summarize(snapshotOf(sample(20_000, seed, uniform(0, 1000)))).p99Ci;
    if (low <= 0.99 && 0.99 <= high) covered++;
  }
  assert.ok(covered >= 34, `covered ${covered} of ${runs}`);
  const [low, high] = summarize(snapshotOf(sample(1_000_000, 99, uniform(0, 1000)))).p99Ci;
  assert.ok(low <= 0.99 && 0.99 <= high, `[${low}, ${high}]`);
});

test('the p99 CI shrinks as the sample grows', () => {
  const widths = [1000, 10_000, 100_000, 1_000_000].map((n) => {
    const [low, high] = summarize(snapshotOf(sample(n, 5, logNormal(1000, 0.8)))).p99Ci;
    return high - low;
  });
  for (let i = 1; i < widths.length; i++) assert.ok(widths[i]! < widths[i - 1]!, `widths ${widths.join(', ')}`);
});

test('an empty histogram has no summary: a clear error instead of zeros', () => {
  assert.throws(
    () => summarize(new LatencyHistogram().snapshot()),
    (e: unknown) => e instanceof AutotuneError && e.kind === 'trial' && /no latencies were recorded/.test(e.message),
  );
});
