import assert from 'node:assert/strict';
import test from 'node:test';

import { LatencyHistogram } from '../../src/measure/histogram.js';
import { comparePromise } from '../../src/measure/promise.js';
import type { HistogramSnapshot } from '../../src/domain/latency.js';
import { logNormal, sample } from './random.js';

/** `n` latencies (µs) of a log-normal with median `medianUs`, times `scale`. */
function window(n: number, seed: number, medianUs = 1000, scale = 1): HistogramSnapshot {
  const h = new LatencyHistogram();
  for (const x of sample(n, seed, logNormal(medianUs, 0.5))) h.record(x * scale);
  return h.snapshot();
}

const steady = Array.from({ length: 10 }, () => ({ completed: 1000, expected: 1000 }));

test('the p99 ratio interval covers 1 at least 95% of the time when delivery matches the promise', () => {
  const runs = 300;
  let covered = 0;
  let kept = 0;
  for (let i = 0; i < runs; i++) {
    const c = comparePromise({ delivered: window(2000, 2 * i + 1), promised: window(2000, 2 * i + 2), intervals: steady, failed: 0 });
    const [low, high] = c.p99.ci!;
    if (low <= 1 && 1 <= high) covered++;
    if (c.verdict === 'kept') kept++;
  }
  // Bonferroni is conservative: both 97.5% intervals holding is at least 95%.
  assert.ok(covered / runs >= 0.95, `covered ${covered} of ${runs}`);
  assert.equal(kept, covered, 'the verdict is kept exactly when the interval holds 1');
});

test('a p99 twice the promise is missed, half of it is better, both beyond the spread', () => {
  const slower = comparePromise({ delivered: window(3000, 11, 1000, 2), promised: window(3000, 12), intervals: steady, failed: 0 });
  assert.equal(slower.verdict, 'missed');
  assert.ok(slower.p99.ci![0] > 1 && slower.p99.ratio > 1.7 && slower.p99.ratio < 2.3, JSON.stringify(slower.p99));
  assert.match(slower.reason, /^p99 is 2\.\d\dx the promised p99, above it beyond both measurements' spread$/);
  assert.match(slower.p99.method, /^95% \(Bonferroni: both p99s' 97\.5% order-statistic intervals/);
  const faster = comparePromise({ delivered: window(3000, 13, 1000, 0.5), promised: window(3000, 14), intervals: steady, failed: 0 });
  assert.equal(faster.verdict, 'better');
  assert.ok(faster.p99.ci![1] < 1);
});

test('throughput below the offered rate, a failure or a silent second is missed whatever the latencies', () => {
  const promised = window(3000, 21);
  const half = comparePromise({ delivered: window(3000, 22), promised, intervals: steady.map((_, i) => ({ completed: 480 + ((i * 7) % 40), expected: 1000 })), failed: 0 });
  assert.equal(half.verdict, 'missed');
  assert.ok(half.throughput.ci![1] < 1, JSON.stringify(half.throughput));
  assert.match(half.throughput.method, /sign-test interval of the median/);
  assert.equal(comparePromise({ delivered: window(3000, 23), promised, intervals: steady, failed: 1 }).verdict, 'missed');
  const stall = comparePromise({ delivered: window(3000, 24), promised, intervals: [...steady, { completed: 0, expected: 1000 }], failed: 0 });
  assert.equal(stall.verdict, 'missed');
  assert.equal(stall.throughput.ci, null);
});

test('too few requests for a 97.5% p99 interval leave the verdict undecided', () => {
  const c = comparePromise({ delivered: window(200, 31), promised: window(3000, 32), intervals: steady, failed: 0 });
  assert.equal(c.deliveredP99Ci, null);
  assert.equal(c.p99.ci, null);
  assert.equal(c.verdict, 'undecided');
  assert.match(c.p99.method, /too few latencies for a 97\.5% interval of p99 on the delivered side/);
});
