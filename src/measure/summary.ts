import { AutotuneError } from '../errors.js';
import { LatencyHistogram } from './histogram.js';
import { quantileInterval } from './quantile-interval.js';
import type { HistogramSnapshot, LatencySummary } from '../domain/latency.js';

const ms = (us: number): number => us / 1000;

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
  const ci = quantileInterval(histogram, 0.99, 0.95);
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
    p99Ci: ci === null ? null : [ms(ci[0]), ms(ci[1])],
  };
}
