import { capacitiesOf } from '../report/capacity.js';
import { configurationPoints } from '../report/points.js';
import { recommend } from '../report/recommend.js';
import type { ReportPoint } from '../report/types.js';
import { paretoFront } from '../search/pareto.js';
import type { StoredStep, TrialRecord } from '../store/types.js';
import type { FrontPoint, StudySummary } from './events.js';

/**
 * The end-of-study picture, the short form of `autotune report` on the same rules (so both name
 * the same winner): the configuration points of the report, their Pareto front of p99 versus TPS,
 * the SLO pick (by capacity under the SLO when the serving phase measured it) and its gains.
 */
export function summarizeTrials(trials: readonly TrialRecord[], steps: readonly StoredStep[], sloMs: number | null, userBatch: number): StudySummary {
  const points = configurationPoints(trials);
  const front = paretoFront(points);
  const capacities = capacitiesOf(trials, steps, sloMs, userBatch);
  const pick = recommend({ front, points, trials, sloMs, userBatch, capacities }).find((r) => r.pick === 'slo') ?? null;
  const baseline = points.find((p) => p.config.baseline && p.config.batch === userBatch) ?? null;
  return {
    completed: trials.filter((t) => t.state === 'complete').length,
    failed: trials.filter((t) => t.state === 'failed').length,
    front: front.map(frontPoint),
    baseline: baseline === null ? null : frontPoint(baseline),
    best: pick === null ? null : frontPoint(pick.point),
    gain: pick?.gain ?? null,
    capacity: pick?.capacity ?? null,
    baselineCapacity: capacities.find((c) => c.config.baseline && c.config.batch === userBatch) ?? null,
  };
}

function frontPoint(p: ReportPoint): FrontPoint {
  return { trialId: p.trialId, config: p.config, tps: p.tps, p99Ms: p.p99Ms };
}
