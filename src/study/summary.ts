import { configurationPoints } from '../report/points.js';
import { fastestUnder } from '../report/recommend.js';
import { paretoFront } from '../search/pareto.js';
import type { TrialRecord } from '../store/types.js';
import type { FrontPoint, StudySummary } from './events.js';

/**
 * The end-of-study picture, the short form of `autotune report` on the same rules (so both name
 * the same winner): the configuration points of the report, their Pareto front of p99 versus TPS,
 * the best configuration under the SLO and its gain over the baseline.
 */
export function summarizeTrials(trials: readonly TrialRecord[], sloMs: number | null): StudySummary {
  const points = configurationPoints(trials).map(
    (p): FrontPoint => ({ trialId: p.trialId, config: p.config, tps: p.tps, p99Ms: p.p99Ms }),
  );
  const baseline = points.find((p) => p.config.baseline) ?? null;
  const best = fastestUnder(points, sloMs);
  return {
    completed: trials.filter((t) => t.state === 'complete' && t.tps !== null && t.p99Ms !== null).length,
    failed: trials.filter((t) => t.state === 'failed').length,
    front: paretoFront(points),
    baseline,
    best,
    gain: best && baseline ? { tps: best.tps / baseline.tps, p99: best.p99Ms / baseline.p99Ms } : null,
  };
}
