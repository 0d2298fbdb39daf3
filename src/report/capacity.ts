import { stepMeets } from '../runner/capacity.js';
import type { ServingStep } from '../domain/results.js';
import { configKey } from '../domain/config.js';
import type { StoredStep, TrialRecord } from '../store/types.js';
import { configLabel } from '../domain/config.js';
import { stepVerdict } from './serving-text.js';
import type { CapacityGain, ReportCapacity } from './types.js';

/**
 * Each configuration's capacity under the SLO from its completed capacity trial, with every window
 * its search measured (an interrupted search's windows included), highest capacity first. Gains are
 * against the baseline's capacity: at the pick's batch (placement) and at the user's (total).
 */
export function capacitiesOf(trials: readonly TrialRecord[], steps: readonly StoredStep[], sloMs: number | null, userBatch: number | null): ReportCapacity[] {
  if (sloMs === null) return [];
  const latest = new Map<string, TrialRecord>();
  for (const t of trials) {
    if (t.kind === 'capacity' && t.state === 'complete' && t.capacity?.capacity.sloMs === sloMs) latest.set(configKey(t.config), t);
  }
  const found = [...latest.values()].map((t): ReportCapacity => {
    const { capacity, load } = t.capacity!;
    const sameConfig = new Set(trials.filter((o) => o.kind === 'capacity' && configKey(o.config) === configKey(t.config)).map((o) => o.id));
    const windows = steps.filter((s) => sameConfig.has(s.trialId) && s.step.slo?.sloMs === sloMs).map((s) => s.step);
    const at = capacity.capacityRps === null ? undefined : windows.find((s) => s.offeredRps === capacity.capacityRps && stepMeets(s));
    return {
      trialId: t.id,
      config: t.config,
      label: configLabel(t.config),
      sloMs,
      capacityRps: capacity.capacityRps,
      bracket: capacity.bracket,
      ceilingRps: capacity.ceilingRps,
      uncertain: capacity.uncertain,
      load,
      atCapacity: at === undefined || at.latency.summary === null ? null : atCapacity(at),
      steps: windows.map((s) => ({ offeredRps: s.offeredRps, achievedRps: s.achievedRps, p99Ms: s.latency.summary?.p99 ?? null, overloaded: s.overloaded, verdict: stepVerdict(s) })),
      gain: null,
    };
  });
  const baselineAt = (batch: number | null): ReportCapacity | undefined => found.find((c) => c.config.baseline && c.config.batch === batch);
  for (const c of found) {
    if (c.config.baseline) continue;
    const placement = ratio(c, baselineAt(c.config.batch));
    c.gain = { placement, total: userBatch === c.config.batch ? placement : ratio(c, baselineAt(userBatch)) };
  }
  return found.sort((a, b) => (b.capacityRps ?? -1) - (a.capacityRps ?? -1));
}

function atCapacity(step: ServingStep): NonNullable<ReportCapacity['atCapacity']> {
  const summary = step.latency.summary!;
  return { p99Ms: summary.p99, p99Ci: summary.p99Ci, queueShare: step.queueShare, achievedRps: step.achievedRps };
}

function ratio(pick: ReportCapacity, baseline: ReportCapacity | undefined): CapacityGain | null {
  if (baseline === undefined || pick.capacityRps === null || baseline.capacityRps === null) return null;
  return {
    baselineBatch: baseline.config.batch,
    ratio: pick.capacityRps / baseline.capacityRps,
    bounds: [pick.bracket[0] / baseline.bracket[1], pick.bracket[1] / Math.max(baseline.bracket[0], Number.MIN_VALUE)],
  };
}
