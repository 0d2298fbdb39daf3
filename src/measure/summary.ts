import { AutotuneError } from '../errors.js';
import { LatencyHistogram } from './histogram.js';
import type { HistogramSnapshot, LatencySummary } from './types.js';

/** Two-sided 95% normal quantile (simple-statistics' probit(0.975) is only good to 3 digits). */
export const Z_95 = 1.959964;

const ms = (us: number): number => us / 1000;

/**
 * The 95% confidence interval (µs) of the q-quantile by the order-statistic method: the number of
 * recordings below the true quantile is Binomial(n, q), so the interval runs between the ranks
 * n*q ± z*sqrt(n*q*(1-q)) (widened to whole ranks, clamped to 1..n). Distribution-free, unlike a
 * normal approximation of the latencies themselves, which are anything but normal. The ends are
 * the outer edges of those ranks' buckets, so bucketing never makes the interval claim too much.
 */
export function quantileInterval(histogram: LatencyHistogram, q: number): [number, number] {
  const n = histogram.count;
  const centre = n * q;
  const halfWidth = Z_95 * Math.sqrt(n * q * (1 - q));
  const clamp = (rank: number): number => Math.min(n, Math.max(1, rank));
  return [
    histogram.boundsAtRank(clamp(Math.floor(centre - halfWidth)))[0],
    histogram.boundsAtRank(clamp(Math.ceil(centre + halfWidth)))[1],
  ];
}

/**
 * Latency figures in ms from a histogram snapshot. An empty histogram is an error, not a summary
 * of zeros: a p99 of 0 ms would read as a perfect result. Callers that may see an empty window
 * (live progress) check `count` first.
 */
export function summarize(snapshot: HistogramSnapshot): LatencySummary {
  if (snapshot.total === 0) {
    throw new AutotuneError('trial', 'no latencies were recorded: no inference finished in the measured window; raise the minimum time or check the model');
  }
  const histogram = LatencyHistogram.fromSnapshot(snapshot);
  const n = snapshot.total;
  const mean = snapshot.sumUs / n;
  // Sample variance from the running sums; clamped because rounding can push a zero spread below 0.
  const variance = n > 1 ? Math.max(0, (snapshot.sumSquaresUs - n * mean * mean) / (n - 1)) : 0;
  const [ciLow, ciHigh] = quantileInterval(histogram, 0.99);
  return {
    count: n,
    mean: ms(mean),
    stddev: ms(Math.sqrt(variance)),
    min: ms(snapshot.minUs),
    max: ms(snapshot.maxUs),
    p50: ms(histogram.percentile(0.5)),
    p90: ms(histogram.percentile(0.9)),
    p99: ms(histogram.percentile(0.99)),
    p999: ms(histogram.percentile(0.999)),
    p99Ci: [ms(ciLow), ms(ciHigh)],
  };
}
