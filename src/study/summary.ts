import { configKey } from '../search/strategy.js';
import { paretoFront } from '../search/pareto.js';
import type { TrialRecord } from '../store/types.js';
import type { FrontPoint, StudySummary } from './events.js';

/**
 * The end-of-study picture: one point per configuration (the mean of its completed measurements;
 * measurements flagged for drift are left out when the configuration has others), the Pareto front
 * of p99 versus TPS, the best configuration under the SLO and its gain over the baseline.
 */
export function summarizeTrials(trials: readonly TrialRecord[], sloMs: number | null): StudySummary {
  const complete = trials.filter((t) => t.state === 'complete' && t.tps !== null && t.p99Ms !== null);
  const byConfig = new Map<string, TrialRecord[]>();
  for (const trial of complete) {
    const key = configKey(trial.config);
    byConfig.set(key, [...(byConfig.get(key) ?? []), trial]);
  }
  const points: FrontPoint[] = [];
  let baseline: FrontPoint | null = null;
  for (const measured of byConfig.values()) {
    const trusted = measured.filter((t) => !t.drift);
    const used = trusted.length > 0 ? trusted : measured;
    const latest = used[used.length - 1]!;
    const point: FrontPoint = {
      trialId: latest.id,
      config: latest.config,
      tps: mean(used.map((t) => t.tps!)),
      p99Ms: mean(used.map((t) => t.p99Ms!)),
    };
    points.push(point);
    if (point.config.baseline && baseline === null) baseline = point;
  }
  const meetsSlo = sloMs === null ? points : points.filter((p) => p.p99Ms <= sloMs);
  const best = meetsSlo.reduce<FrontPoint | null>((top, p) => (top === null || p.tps > top.tps ? p : top), null);
  return {
    completed: complete.length,
    failed: trials.filter((t) => t.state === 'failed').length,
    front: paretoFront(points),
    baseline,
    best,
    gain: best && baseline ? { tps: best.tps / baseline.tps, p99: best.p99Ms / baseline.p99Ms } : null,
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
