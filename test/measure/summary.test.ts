import test from 'node:test';
import assert from 'node:assert/strict';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { AutotuneError } from '../../src/errors.js';
import { LatencyHistogram } from '../../src/measure/histogram.js';
import { summarize } from '../../src/measure/summary.js';
import { logNormal, sample } from './random.js';

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
  assert.ok(s.p99Ci !== null && s.p99Ci[0] <= s.p99 && s.p99 <= s.p99Ci[1], `CI ${s.p99Ci}`);
});

test('a window too small for a 95% CI of p99 has none instead of a clamped interval', () => {
  // 1..367 us: 0.99^367 > 0.025, so even the largest recording is not surely above the true p99.
  const below = summarize(snapshotOf(Array.from({ length: 367 }, (_, i) => i + 1)));
  assert.equal(below.p99Ci, null);
  // At 368 the upper rank is the largest recording itself.
  const enough = summarize(snapshotOf(Array.from({ length: 368 }, (_, i) => i + 1)));
  assert.ok(enough.p99Ci !== null && enough.p99Ci[0] <= enough.p99 && enough.p99Ci[1] === 0.368, `CI ${enough.p99Ci}`);
  const one = summarize(snapshotOf([250]));
  assert.deepEqual([one.count, one.p50, one.p99, one.stddev, one.p99Ci], [1, 0.25, 0.25, 0, null]);
});

test('the p99 CI shrinks as the sample grows', () => {
  const widths = [1000, 10_000, 100_000, 1_000_000].map((n) => {
    const ci = summarize(snapshotOf(sample(n, 5, logNormal(1000, 0.8)))).p99Ci;
    assert.ok(ci !== null, `no CI from ${n} recordings`);
    return ci[1] - ci[0];
  });
  for (let i = 1; i < widths.length; i++) assert.ok(widths[i]! < widths[i - 1]!, `widths ${widths.join(', ')}`);
});

test('an empty histogram has no summary: a clear error instead of zeros', () => {
  assert.throws(
    () => summarize(new LatencyHistogram().snapshot()),
    (e: unknown) => e instanceof AutotuneError && e.kind === 'trial' && /no latencies were recorded/.test(e.message),
  );
});
