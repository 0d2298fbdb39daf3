import { AutotuneError } from '../errors.js';
import { binomialAtLeast, binomialCdf, roughNormalQuantile } from './distributions.js';
import type { LatencyHistogram } from './histogram.js';

/**
 * Distribution-free confidence intervals for a quantile from order statistics. Of n independent
 * recordings, the number B that fall at or below the true q-quantile is Binomial(n, q), whatever
 * the latency distribution. The l-th smallest recording lies above the quantile only when B < l,
 * and the u-th smallest lies below it only when B >= u, so [X(l), X(u)] misses the quantile with
 * probability P(B <= l - 1) + P(B >= u). Both tails are computed exactly (no normal
 * approximation: at a p99 and a few hundred recordings the binomial is far from normal, and the
 * approximation covered the true p99 in as few as a third of windows) and each is held to
 * alpha/2. A two-sided interval needs the extreme ranks to pass that test: P(B >= n) = q^n <=
 * alpha/2, so a 95% interval of p99 needs 368 recordings; below that there is none, and the
 * functions say so with null rather than a clamped interval that claims too much.
 */

/** What every text output prints in place of an interval that does not exist. */
export const TOO_FEW_SAMPLES = 'too few samples';

function checkArguments(q: number, confidence: number): void {
  if (!(q > 0 && q < 1)) throw new AutotuneError('usage', `a quantile must be a fraction strictly between 0 and 1, got ${q}`);
  if (!(confidence > 0 && confidence < 1)) {
    throw new AutotuneError('usage', `a confidence must be a fraction strictly between 0 and 1 (0.95 for 95%), got ${confidence}`);
  }
}

/**
 * The 1-based ranks [l, u] of the equal-tailed order-statistic interval of the q-quantile: l is the
 * largest rank with P(B <= l - 1) <= alpha/2 and u the smallest with P(B >= u) <= alpha/2, for
 * B ~ Binomial(n, q) and alpha = 1 - confidence. Null when no rank from 1 to n passes on one side
 * (n too small for a two-sided interval at this confidence).
 */
export function quantileRanks(n: number, q: number, confidence = 0.95): [number, number] | null {
  checkArguments(q, confidence);
  if (!(Number.isInteger(n) && n >= 0)) throw new AutotuneError('usage', `a sample count must be a whole number >= 0, got ${n}`);
  const tail = (1 - confidence) / 2;
  if (n === 0 || binomialCdf(0, n, q) > tail || binomialAtLeast(n, n, q) > tail) return null;

  // Start at the normal approximation and step to the exact rank: a few CDF calls instead of a
  // bisection's dozens, which matters to simulations that ask for thousands of intervals.
  const centre = n * q;
  const spread = roughNormalQuantile(1 - tail) * Math.sqrt(n * q * (1 - q));
  // k: the largest count with P(B <= k) <= tail, so l = k + 1. k = 0 passes (checked above).
  let k = Math.min(n - 1, Math.max(0, Math.floor(centre - spread)));
  while (binomialCdf(k, n, q) > tail) k--;
  while (k + 1 < n && binomialCdf(k + 1, n, q) <= tail) k++;
  // u: the smallest rank with P(B >= u) <= tail. u = n passes (checked above).
  let u = Math.min(n, Math.max(k + 2, Math.ceil(centre + spread) + 1));
  while (u > k + 2 && binomialAtLeast(u - 1, n, q) <= tail) u--;
  while (binomialAtLeast(u, n, q) > tail) u++;
  return [k + 1, u];
}

/** The fewest recordings for which quantileRanks gives an interval. */
export function minSamplesForInterval(q: number, confidence = 0.95): number {
  checkArguments(q, confidence);
  const tail = (1 - confidence) / 2;
  // Both extreme ranks must pass: (1 - q)^n <= tail and q^n <= tail. The logarithms give the answer
  // to within rounding; the search settles it with the same test quantileRanks applies.
  let n = Math.max(1, Math.ceil(Math.log(tail) / Math.log(Math.max(q, 1 - q))) - 2);
  while (quantileRanks(n, q, confidence) === null) n++;
  return n;
}

/**
 * The confidence interval (µs) of the q-quantile of the recordings in `histogram`. The lower end is
 * the lower edge of rank l's bucket and the upper end the upper edge of rank u's (clamped to the
 * exact minimum and maximum), so bucketing only ever widens the interval: it still holds X(l) and
 * X(u), and covers at least as often as the exact order statistics would. Null when the histogram
 * holds too few recordings for an interval (see minSamplesForInterval).
 */
export function quantileInterval(histogram: LatencyHistogram, q: number, confidence = 0.95): [number, number] | null {
  const ranks = quantileRanks(histogram.count, q, confidence);
  if (ranks === null) return null;
  return [histogram.boundsAtRank(ranks[0])[0], histogram.boundsAtRank(ranks[1])[1]];
}
