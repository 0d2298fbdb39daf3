import type { TrialConfig } from '../domain/config.js';
import { configurationPoints } from '../report/points.js';
import { paretoFront } from '../search/pareto.js';
import { configKey } from '../domain/config.js';
import type { ServingStep } from '../domain/results.js';
import type { StoredStep, TrialRecord } from '../store/types.js';

/**
 * The serving phase of a study with an SLO: the closed-loop search was the screen; now the
 * baseline and the configurations that could meet the SLO (the front, and every one whose
 * closed-loop p99 is under it) get their capacity measured open loop, best closed-loop throughput
 * first. The SLO pick is then the one with the highest capacity, and its gain is that capacity over
 * the baseline's. Pure over the stored trials and steps, so a killed phase resumes with at most the
 * window in flight lost.
 */
export interface CapacityRun {
  config: TrialConfig;
  /** Its closed-loop throughput, the search's ceiling; null: measured first in the same workers. */
  ceilingRps: number | null;
  /** Windows an interrupted run of the same search already measured. */
  prior: ServingStep[];
  reason: string;
}

/** Failed capacity trials after which a configuration is left out. */
const MAX_FAILURES = 2;

export function nextCapacityRun(
  trials: readonly TrialRecord[],
  steps: readonly StoredStep[],
  options: { sloMs: number; configurations: number; userBatch: number; baselineAt: (batch: number) => TrialConfig },
): CapacityRun | null {
  const { sloMs } = options;
  const points = configurationPoints(trials);
  const pointOf = (config: TrialConfig) => points.find((p) => configKey(p.config) === configKey(config)) ?? null;
  const capacityTrials = (config: TrialConfig): TrialRecord[] => trials.filter((t) => t.kind === 'capacity' && configKey(t.config) === configKey(config));
  const done = (config: TrialConfig): TrialRecord | undefined =>
    capacityTrials(config).find((t) => t.state === 'complete' && t.capacity?.capacity.sloMs === sloMs);
  const plan = (config: TrialConfig, why: string): CapacityRun | null => {
    if (done(config) !== undefined) return null;
    const attempts = capacityTrials(config).filter((t) => t.state !== 'complete');
    if (attempts.filter((t) => t.state === 'failed').length >= MAX_FAILURES) return null;
    const ids = new Set(attempts.map((t) => t.id));
    const prior = steps.filter((s) => ids.has(s.trialId) && s.step.slo?.sloMs === sloMs).map((s) => s.step);
    return { config, ceilingRps: pointOf(config)?.tps ?? null, prior, reason: why };
  };

  const baseline = options.baselineAt(options.userBatch);
  const searched = points.filter((p) => !p.config.baseline);
  const onFront = new Set(paretoFront(searched).map((p) => configKey(p.config)));
  const candidates = searched
    .filter((p) => onFront.has(configKey(p.config)) || p.p99Ms <= sloMs)
    .sort((a, b) => b.tps - a.tps)
    .slice(0, options.configurations);
  const queue: Array<[TrialConfig, string]> = [
    [baseline, `capacity of the baseline at p99 <= ${sloMs} ms, the reference of the serving gain`],
    ...candidates.map((p): [TrialConfig, string] => [p.config, `capacity at p99 <= ${sloMs} ms: ${p.label} (closed loop ${Math.round(p.tps)} samples/s, p99 ${p.p99Ms.toFixed(2)} ms)`]),
  ];
  for (const [config, why] of queue) {
    const run = plan(config, why);
    if (run !== null) return run;
  }
  // The placement gain of the winner is against the baseline at the winner's batch.
  const best = candidates
    .map((p) => ({ p, found: done(p.config)?.capacity?.capacity.capacityRps ?? null }))
    .filter((c) => c.found !== null)
    .sort((a, b) => b.found! - a.found!)[0];
  if (best !== undefined && best.p.config.batch !== options.userBatch) {
    return plan(options.baselineAt(best.p.config.batch), `capacity of the baseline at batch ${best.p.config.batch}, the reference of the placement gain of ${best.p.label}`);
  }
  return null;
}
