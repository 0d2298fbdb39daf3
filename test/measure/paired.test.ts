import test from 'node:test';
import assert from 'node:assert/strict';
import { AutotuneError } from '../../src/errors.js';
import { pairedRatio } from '../../src/measure/paired.js';
import { minSamplesForInterval } from '../../src/measure/quantile-interval.js';
import { gaussian, mulberry32 } from './random.js';

/**
 * Coverage of the paired-ratio interval for the true median ratio, by simulation. Each case draws
 * log(A_i / B_i) = log(gain) + noise; the interval must cover the true median ratio gain *
 * exp(median noise) in at least 93% of replications at 3, 5, 10 and 30 pairs. The exception is
 * the strongly skewed case below 6 pairs, where the t-interval's symmetry assumption (which its
 * method text states) is broken on purpose: its coverage there is reported, not asserted; from 6
 * pairs the sign-test interval is distribution-free and is asserted like the rest.
 */
const GAIN = 1.3;
const PAIRS = [3, 5, 10, 30];
const REPLICATIONS = 5000;

interface NoiseCase {
  name: string;
  make: (u: () => number) => () => number;
  /** Median of the log-ratio noise: analytic, or from a large sample. */
  median: (u: () => number) => number;
  /** Far from the symmetry the t-interval assumes. */
  asymmetric?: true;
}

/**
 * One-sided interference: 30% of the configuration's runs (not the baseline's) are slowed by an
 * exponential amount of mean 8%, over 2% symmetric noise. Skewed, so the median is not the
 * geometric mean.
 */
const interference = (u: () => number): (() => number) => {
  const z = gaussian(u);
  return () => 0.02 * z() + (u() < 0.3 ? -0.08 * Math.log(1 - u()) : 0);
};

const CASES: NoiseCase[] = [
  { name: 'log-normal, sigma 5%', make: (u) => { const z = gaussian(u); return () => 0.05 * z(); }, median: () => 0 },
  {
    // Symmetric with heavy tails (Student t, 3 degrees of freedom, scale 3%): a pair now and then
    // lands far off, as when a background job hits one of its runs.
    name: 'heavy-tailed t(3), scale 3%',
    make: (u) => {
      const z = gaussian(u);
      return () => (0.03 * z()) / Math.sqrt((z() ** 2 + z() ** 2 + z() ** 2) / 3);
    },
    median: () => 0,
  },
  {
    // Its median from a million draws: standard error about 1e-4, against interval widths of a few percent.
    name: 'one-sided interference (skewed)',
    make: interference,
    median: (u) => {
      const xs = Float64Array.from({ length: 1_000_000 }, interference(u)).sort();
      return (xs[499_999]! + xs[500_000]!) / 2;
    },
  },
  {
    // The extreme: exponential noise (skewness 2), shifted so its median is 0.
    name: 'exponential (strongly skewed)',
    make: (u) => () => 0.05 * (-Math.log(1 - u()) - Math.LN2),
    median: () => 0,
    asymmetric: true,
  },
];

test('the paired-ratio interval covers the median ratio in >= 93% of replications from 3 pairs', (t) => {
  t.diagnostic(`coverage, pairs = ${PAIRS.join(', ')}`);
  const failures: string[] = [];
  for (const [k, c] of CASES.entries()) {
    const u = mulberry32(100 + k);
    const truth = GAIN * Math.exp(c.median(mulberry32(900 + k)));
    const draw = c.make(u);
    const coverage = PAIRS.map((n) => {
      let covered = 0;
      for (let r = 0; r < REPLICATIONS; r++) {
        const { ci } = pairedRatio(Array.from({ length: n }, () => GAIN * Math.exp(draw())));
        if (ci !== null && ci[0] <= truth && truth <= ci[1]) covered++;
      }
      return covered / REPLICATIONS;
    });
    t.diagnostic(`${c.name}: ${coverage.map((x) => x.toFixed(3)).join(', ')}`);
    coverage.forEach((x, i) => {
      const distributionFree = PAIRS[i]! >= minSamplesForInterval(0.5);
      if (x < 0.93 && (distributionFree || !c.asymmetric)) failures.push(`${c.name}, ${PAIRS[i]} pairs: ${x}`);
    });
  }
  assert.deepEqual(failures, []);
});

test('the method is named with its assumption, and switches to the sign test once it has an interval', () => {
  const three = pairedRatio([1.1, 1.2, 1.3]);
  assert.equal(three.n, 3);
  assert.equal(three.median, 1.2);
  assert.match(three.method, /^95% t-interval on log ratios \(assumes symmetric noise; distribution-free from 6 pairs\)$/);
  // Symmetric in logs about log(1.2)? 1.1 * 1.3 = 1.43 ~ 1.2^2 = 1.44: the interval is near-centred.
  assert.ok(three.ci !== null && three.ci[0] < 1.1 && three.ci[1] > 1.3, `CI ${three.ci}`);
  const five = pairedRatio([1, 2, 3, 4, 5]);
  assert.match(five.method, /t-interval/);
  const six = pairedRatio([1.4, 1.1, 1.6, 1.2, 1.3, 1.5]);
  assert.match(six.method, /^95% sign-test interval of the median \(distribution-free\)$/);
  assert.equal(six.median, 1.35);
  assert.deepEqual(six.ci, [1.1, 1.6], 'ranks 1 and 6 of 6');
  const ascending = Array.from({ length: 20 }, (_, i) => 1 + i / 100);
  assert.deepEqual(pairedRatio([...ascending].reverse()).ci, [ascending[5], ascending[14]], 'ranks 6 and 15 of 20');
});

test('too few pairs give a median without an interval, saying why', () => {
  const two = pairedRatio([1.2, 1.4]);
  assert.deepEqual([two.n, two.ci], [2, null]);
  assert.ok(Math.abs(two.median - 1.3) < 1e-12);
  assert.match(two.method, /too few pairs for an interval \(needs 3\)/);
});

test('non-positive or non-finite ratios are input errors naming the pair', () => {
  const input = (pattern: RegExp) => (e: unknown) => e instanceof AutotuneError && e.kind === 'input' && pattern.test(e.message);
  assert.throws(() => pairedRatio([1.1, 0, 1.2]), input(/paired ratio 2 is 0: a ratio must be a finite number > 0/));
  assert.throws(() => pairedRatio([1.1, 1.2, -1]), input(/paired ratio 3 is -1/));
  assert.throws(() => pairedRatio([Number.NaN]), input(/paired ratio 1 is NaN/));
  assert.throws(() => pairedRatio([Infinity, 1]), input(/paired ratio 1 is Infinity/));
  assert.throws(() => pairedRatio([]), input(/no paired ratios/));
  assert.throws(() => pairedRatio([1, 2, 3], 1.5), (e: unknown) => e instanceof AutotuneError && e.kind === 'usage');
});
