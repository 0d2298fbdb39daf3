/**
 * Latency data as it is stored and sent between processes. Raw per-request latencies are never
 * kept: every worker records into a log-bucketed (HDR style) histogram, and histograms merge.
 */
export interface HistogramSnapshot {
  /** Values are recorded in microseconds. */
  unit: 'us';
  /** Linear sub-buckets per power of two; relative bucket width is at most 1/subBuckets. */
  subBuckets: number;
  /**
   * Sparse [bucketIndex, count] pairs in ascending bucket order. Bucket k * subBuckets + j holds
   * values in [2^k * (1 + j/subBuckets), 2^k * (1 + (j+1)/subBuckets)) µs; k is negative below 1 µs.
   */
  counts: Array<[number, number]>;
  total: number;
  minUs: number;
  maxUs: number;
  sumUs: number;
  /** Sum of squared values (us^2), for the standard deviation. */
  sumSquaresUs: number;
}

/** Latency figures in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  /**
   * 95% confidence interval of p99 (order statistics, exact binomial ranks, outer bucket edges);
   * null when the window holds too few latencies for one (fewer than minSamplesForInterval(0.99):
   * 368).
   */
  p99Ci: [number, number] | null;
}
