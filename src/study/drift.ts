import type { LatencySummary } from '../measure/types.js';

/** Two-sided 95% normal quantile. */
const Z95 = 1.96;

/**
 * Relative half-width of the 95% confidence interval of a trial's throughput. Throughput is the
 * reciprocal of the mean latency (closed loop), so its relative uncertainty is that of the mean:
 * z * (stddev / mean) / sqrt(n).
 */
export function tpsRelativeCi(latency: Pick<LatencySummary, 'count' | 'mean' | 'stddev'>): number {
  if (latency.count < 2 || latency.mean <= 0) return Infinity;
  return (Z95 * (latency.stddev / latency.mean)) / Math.sqrt(latency.count);
}

export interface DriftVerdict {
  drifted: boolean;
  /** (measured - reference) / reference */
  change: number;
  /** The relative change that counts as drift: max(threshold, both CIs added). */
  bound: number;
}

/**
 * A re-run of the baseline has drifted when its TPS differs from the reference by more than the two
 * measurements' confidence intervals together (so the difference is not noise) AND more than the
 * threshold (so a statistically real 2% wobble on a long window does not flag everything).
 */
export function driftVerdict(
  reference: { tps: number; latency: Pick<LatencySummary, 'count' | 'mean' | 'stddev'> },
  measured: { tps: number; latency: Pick<LatencySummary, 'count' | 'mean' | 'stddev'> },
  threshold: number,
): DriftVerdict {
  const change = (measured.tps - reference.tps) / reference.tps;
  const bound = Math.max(threshold, tpsRelativeCi(reference.latency) + tpsRelativeCi(measured.latency));
  return { drifted: Math.abs(change) > bound, change, bound };
}
