import test from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SUB_BUCKETS, LatencyHistogram } from '../../src/measure/histogram.js';
import { minSamplesForInterval, quantileInterval, quantileRanks } from '../../src/measure/quantile-interval.js';
import { gaussian, mulberry32 } from './random.js';

/**
 * Coverage of the p99 interval by simulation: windows of iid latencies recorded into a real
 * LatencyHistogram, checked against the true p99 of their distribution (known in closed form).
 * Every window grows through the sample sizes of the table, as the adaptive window does. Two
 * coverages are counted: the histogram interval's (what autotune reports) and that of the exact
 * order statistics [X(l), X(u)] at the same ranks, whose coverage is the method's own. Bucketing
 * only widens the interval, by less than a bucket (1/128 of the value) at either end; where the
 * sampling interval is itself narrower than a bucket (a uniform's p99 at 20000 samples: ±0.14% of
 * the value) the histogram interval covers nearly always, and that is resolution, not the ranks
 * being too far out. So the upper limit on coverage is asserted on the exact interval, and the
 * histogram's widening is asserted to stay within a bucket.
 */

const Q = 0.99;
const SIZES = [50, 100, 200, 500, 2000, 20_000];
/** Windows per cell up to 2000 samples; the 20000-sample cell uses the first LARGE_WINDOWS of them. */
const WINDOWS = 2000;
const LARGE_WINDOWS = 500;
/** The widening check counts through the raw values, which costs as much as drawing them: every 5th window. */
const WIDENING_EVERY = 5;
const LARGEST = SIZES.at(-1)!;

const Z_99 = 2.3263478740408408; // standard normal 0.99-quantile
const Z_80 = 0.8416212335729143; // standard normal 0.8-quantile

interface Distribution {
  name: string;
  /** A sampler from one uniform stream. */
  make: (u: () => number) => () => number;
  p99: number;
}

const DISTRIBUTIONS: Distribution[] = [
  { name: 'uniform 0-1000 us', make: (u) => () => 1000 * u(), p99: 990 },
  {
    name: 'log-normal median 1 ms, sigma 0.5',
    make: (u) => {
      const z = gaussian(u);
      return () => 1000 * Math.exp(0.5 * z());
    },
    p99: 1000 * Math.exp(0.5 * Z_99),
  },
  {
    // A fast path and a 5% slow path: p99 lies in the slow mode, where F = 0.95 + 0.05 * Phi(...)
    // = 0.99 at Phi = 0.8 (the fast mode's mass above it is below 1e-60).
    name: 'bimodal 95% ~1 ms + 5% ~5 ms',
    make: (u) => {
      const z = gaussian(u);
      return () => (u() < 0.95 ? 1000 * Math.exp(0.1 * z()) : 5000 * Math.exp(0.2 * z()));
    },
    p99: 5000 * Math.exp(0.2 * Z_80),
  },
  {
    // 600 us plus a Pareto(alpha 2) of scale 200 us: a tail with no finite variance.
    // P(X > x) = ((x - 600) / 200)^-2 from 800 us up, so p99 = 600 + 200 * 100^(1/2).
    name: 'Pareto tail alpha 2',
    make: (u) => () => 600 + 200 / Math.sqrt(1 - u()),
    p99: 600 + 200 * 10,
  },
];

interface Cell {
  windows: number;
  nulls: number;
  histogramCovered: number;
  exactCovered: number;
  /** Windows checked for widening. */
  widenChecked: number;
  /** Windows whose histogram interval did not hold [X(l), X(u)], or widened it by a bucket or more. */
  badWidening: number;
}

function simulate(d: Distribution, seed: number): Cell[] {
  const cells = SIZES.map((): Cell => ({ windows: 0, nulls: 0, histogramCovered: 0, exactCovered: 0, widenChecked: 0, badWidening: 0 }));
  const u = mulberry32(seed);
  const draw = d.make(u);
  const values = new Float64Array(LARGEST);
  const count = (n: number, include: (x: number) => boolean): number => {
    let c = 0;
    for (let i = 0; i < n; i++) if (include(values[i]!)) c++;
    return c;
  };
  const bucket = 1 / DEFAULT_SUB_BUCKETS;
  for (let w = 0; w < WINDOWS; w++) {
    const histogram = new LatencyHistogram();
    let atOrBelowP99 = 0;
    let n = 0;
    for (const [i, size] of SIZES.entries()) {
      if (size === LARGEST && w >= LARGE_WINDOWS) break;
      for (; n < size; n++) {
        const x = draw();
        values[n] = x;
        histogram.record(x);
        if (x <= d.p99) atOrBelowP99++;
      }
      const cell = cells[i]!;
      cell.windows++;
      const interval = quantileInterval(histogram, Q);
      const ranks = quantileRanks(n, Q);
      if (interval === null || ranks === null) {
        if (interval !== null || ranks !== null) cell.badWidening++; // one without the other
        cell.nulls++;
        continue;
      }
      const [low, high] = interval;
      const [l, r] = ranks;
      if (low <= d.p99 && d.p99 <= high) cell.histogramCovered++;
      // X(l) <= p99 <= X(r) exactly when at least l and fewer than r values are at or below it.
      if (atOrBelowP99 >= l && atOrBelowP99 < r) cell.exactCovered++;
      if (w % WIDENING_EVERY !== 0) continue;
      // low <= X(l) < low (1 + 1/128), and high / (1 + 1/128) <= X(r) <= high.
      cell.widenChecked++;
      const sandwiched =
        count(n, (x) => x < low) <= l - 1 && count(n, (x) => x < low * (1 + bucket)) >= l &&
        count(n, (x) => x <= high) >= r && count(n, (x) => x < high / (1 + bucket)) <= r - 1;
      if (!sandwiched) cell.badWidening++;
    }
  }
  return cells;
}

test('the p99 interval covers the true p99 at its confidence on four latency shapes, and is null below its minimum sample', (t) => {
  const minimum = minSamplesForInterval(Q);
  const width = Math.max(...DISTRIBUTIONS.map((d) => d.name.length)) + 1;
  const table: string[] = [`${'coverage (histogram/exact ranks), n ='.padEnd(width)}${SIZES.map((n) => String(n).padStart(13)).join('')}`];
  const results = DISTRIBUTIONS.map((d, k) => {
    const cells = simulate(d, 1000 + k);
    const row = cells.map((c) => (c.nulls === c.windows ? 'null' : `${(c.histogramCovered / c.windows).toFixed(3)}/${(c.exactCovered / c.windows).toFixed(3)}`));
    table.push(`${d.name.padEnd(width)}${row.map((s) => s.padStart(13)).join('')}`);
    return { d, cells };
  });
  for (const line of table) t.diagnostic(line);

  for (const { d, cells } of results) {
    for (const [i, n] of SIZES.entries()) {
      const c = cells[i]!;
      const where = `${d.name}, n = ${n}`;
      assert.equal(c.windows, n === LARGEST ? LARGE_WINDOWS : WINDOWS, where);
      assert.equal(c.badWidening, 0, `${where}: histogram interval not within a bucket of the exact one`);
      if (n < minimum) {
        assert.equal(c.nulls, c.windows, `${where}: below ${minimum} samples there is no interval`);
        continue;
      }
      assert.equal(c.nulls, 0, `${where}: an interval every time`);
      assert.ok(c.widenChecked >= c.windows / WIDENING_EVERY, `${where}: widening checked in ${c.widenChecked} windows`);
      assert.ok(c.histogramCovered / c.windows >= 0.93, `${where}: histogram coverage ${c.histogramCovered / c.windows}`);
      assert.ok(c.exactCovered / c.windows >= 0.93, `${where}: exact-rank coverage ${c.exactCovered / c.windows}`);
      if (n >= 2000) assert.ok(c.exactCovered / c.windows <= 0.995, `${where}: exact-rank coverage ${c.exactCovered / c.windows} is wider than needed`);
    }
  }
});
