import type { TrialConfig } from '../domain/config.js';
import { configurationPoints } from '../report/points.js';
import { fastestUnder, kneeOf } from '../report/recommend.js';
import type { ReportPoint } from '../report/types.js';
import { paretoFront } from '../search/pareto.js';
import { configKey } from '../domain/config.js';
import type { TrialRecord } from '../store/types.js';

/**
 * Confirmation: a pick made from one measurement is the maximum of noisy draws (the winner's
 * curse). Before a study ends, its candidates (the SLO pick, the lowest p99, the knee, and the
 * front points flagged noisy) are measured again, each run paired with a run of the baseline at
 * the candidate's batch, and with one at the user's batch when that differs: A B [U] A B [U] ...
 * Gains are then the median of paired ratios, each pair measured minutes apart at most, so a
 * machine that drifts moves both sides of a ratio.
 */
export interface ConfirmationRun {
  config: TrialConfig;
  kind: 'confirm' | 'baseline';
  round: number;
  /** For a baseline run: the confirmation run it is paired with. */
  pairedWith: number | null;
  reason: string;
}

/** Most candidates one study confirms: the picks, then noisy front points by lowest p99. */
const MAX_CANDIDATES = 8;
/** Failed attempts a candidate may add beyond its pairs before it is given up. */
const SPARE_ATTEMPTS = 2;

export function confirmationCandidates(trials: readonly TrialRecord[], sloMs: number | null, served: readonly TrialConfig[] = []): ReportPoint[] {
  const points = configurationPoints(trials).filter((p) => !p.config.baseline);
  const front = paretoFront(points);
  // The serving phase's winner is the SLO pick once measured; before it, the closed-loop one.
  const servedPick = served.length > 0 ? (points.find((p) => configKey(p.config) === configKey(served[0]!)) ?? null) : null;
  const picks = [servedPick ?? fastestUnder(points, sloMs), front[0] ?? null, kneeOf(front)];
  const out: ReportPoint[] = [];
  for (const p of [...picks, ...front.filter((f) => f.noisy)]) {
    if (p !== null && !out.some((o) => configKey(o.config) === configKey(p.config))) out.push(p);
  }
  return out.slice(0, MAX_CANDIDATES);
}

/**
 * The next run of the confirmation phase, or null when every candidate has its pairs. A pure
 * function of the stored trials, so an interrupted confirmation resumes where it stopped.
 */
export function nextConfirmationRun(
  trials: readonly TrialRecord[],
  options: {
    sloMs: number | null;
    pairs: number;
    userBatch: number;
    baselineAt: (batch: number) => TrialConfig;
    /** Configurations by capacity under the SLO, highest first (the serving phase's order). */
    served?: readonly TrialConfig[];
  },
): ConfirmationRun | null {
  const ended = (t: TrialRecord): boolean => t.state === 'complete' || t.state === 'failed';
  const partners = (batch: number): TrialConfig[] => {
    const own = options.baselineAt(batch);
    return batch === options.userBatch ? [own] : [own, options.baselineAt(options.userBatch)];
  };
  const pairOf = (run: TrialRecord, partner: TrialConfig): TrialRecord | undefined =>
    trials.find((t) => t.pairedWith === run.id && ended(t) && configKey(t.config) === configKey(partner));
  // A run whose pair is still to come gets it first, even if its configuration is no longer a
  // candidate: an unpaired run would be measured for nothing.
  for (const run of trials) {
    if (run.kind !== 'confirm' || run.state !== 'complete') continue;
    const partner = partners(run.config.batch).find((p) => pairOf(run, p) === undefined);
    if (partner !== undefined) {
      return { config: partner, kind: 'baseline', round: run.round ?? 0, pairedWith: run.id, reason: `confirmation ${run.round}: the baseline at batch ${partner.batch}, paired with trial #${run.number}` };
    }
  }
  for (const candidate of confirmationCandidates(trials, options.sloMs, options.served)) {
    const key = configKey(candidate.config);
    const runs = trials.filter((t) => t.kind === 'confirm' && ended(t) && configKey(t.config) === key);
    const paired = runs.filter((run) => run.state === 'complete' && partners(candidate.config.batch).every((p) => pairOf(run, p)?.state === 'complete')).length;
    if (paired >= options.pairs || runs.length >= options.pairs + SPARE_ATTEMPTS) continue;
    const round = runs.length + 1;
    return { config: candidate.config, kind: 'confirm', round, pairedWith: null, reason: `confirmation ${round} of ${options.pairs}: ${candidate.label} measured again beside the baseline` };
  }
  return null;
}
