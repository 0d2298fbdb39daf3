import { pairedRatio } from '../measure/paired.js';
import { configKey } from '../domain/config.js';
import type { TrialRecord } from '../store/types.js';
import type { Gain, GainAgainst, RatioEstimate, ReportPoint } from './types.js';

/**
 * The gains of a configuration over the baseline, from its confirmation runs and the baseline runs
 * paired with them: each ratio is taken within one pair (measured back to back), so a machine that
 * changes speed between pairs moves both sides. Without confirmation runs (a study of an older
 * autotune), the ratio of the two points' medians stands in, unpaired and without an interval.
 */
export function gainOf(point: ReportPoint, trials: readonly TrialRecord[], baselines: readonly ReportPoint[], userBatch: number | null): Gain | null {
  if (point.config.baseline) return null;
  const at = (batch: number | null): ReportPoint | null => (batch === null ? null : (baselines.find((b) => b.config.batch === batch) ?? null));
  const placement = against(point, at(point.config.batch), trials);
  const total = userBatch === point.config.batch ? placement : against(point, at(userBatch), trials);
  if (placement === null && total === null) return null;
  return { placement, total };
}

function against(point: ReportPoint, baseline: ReportPoint | null, trials: readonly TrialRecord[]): GainAgainst | null {
  if (baseline === null) return null;
  const key = configKey(point.config);
  const baselineKey = configKey(baseline.config);
  const pairs: Array<[TrialRecord, TrialRecord]> = [];
  for (const run of trials) {
    if (run.kind !== 'confirm' || run.state !== 'complete' || configKey(run.config) !== key || run.drift) continue;
    const partner = trials.find((t) => t.pairedWith === run.id && t.state === 'complete' && configKey(t.config) === baselineKey);
    if (partner !== undefined) pairs.push([run, partner]);
  }
  return {
    baselineBatch: baseline.config.batch,
    tps: estimate(pairs.map(([a, b]) => a.tps! / b.tps!), point.tps / baseline.tps),
    p99: estimate(pairs.map(([a, b]) => a.p99Ms! / b.p99Ms!), point.p99Ms / baseline.p99Ms),
    tpsDelta: point.tps - baseline.tps,
    p99DeltaMs: point.p99Ms - baseline.p99Ms,
  };
}

function estimate(ratios: number[], unpaired: number): RatioEstimate {
  if (ratios.length === 0) return { ratio: unpaired, ci: null, pairs: 0, method: 'unpaired: the ratio of the two medians (no confirmation runs)' };
  const r = pairedRatio(ratios, 0.95);
  return { ratio: r.median, ci: r.ci, pairs: r.n, method: r.method };
}
