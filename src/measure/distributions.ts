import binomialCdfOf from '@stdlib/stats-base-dists-binomial-cdf';
import studentTQuantileOf from '@stdlib/stats-base-dists-t-quantile';
import { probit } from 'simple-statistics';

/**
 * The one door to the distribution functions the interval and test code stands on. @stdlib computes
 * the binomial CDF through the regularised incomplete beta function, accurate to a few ulps at any
 * n (a log-space sum of the mass function loses digits at the millions of requests a long step
 * sees), and Student's t quantile by inverting it; both are checked against R and Boost upstream.
 */

/** P(X <= x) for X ~ Binomial(n, p). */
export function binomialCdf(x: number, n: number, p: number): number {
  return binomialCdfOf(x, n, p);
}

/**
 * P(X >= x) for X ~ Binomial(n, p), as the lower tail of the count of failures: no 1 - CDF, which
 * would round the small tails the tests compare against to nothing.
 */
export function binomialAtLeast(x: number, n: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  return binomialCdfOf(n - x, n, 1 - p);
}

/** The p-quantile of Student's t with `df` degrees of freedom. */
export function studentTQuantile(p: number, df: number): number {
  return studentTQuantileOf(p, df);
}

/**
 * The standard normal p-quantile to about three digits: good only as a starting guess for the
 * exact searches, which then step to the exact answer.
 */
export function roughNormalQuantile(p: number): number {
  return probit(p);
}
