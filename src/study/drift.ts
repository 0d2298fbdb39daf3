import { median } from 'simple-statistics';

/**
 * Drift: the machine changed speed while a study ran. The baseline is re-run every N trials; each
 * trial is judged against the baseline runs just before and just after it. When those two differ
 * by more than the bound, in throughput or in p99, everything measured between them is flagged.
 *
 * The bound comes from how much the baseline itself moves from run to run on this machine (a
 * run's own confidence interval is far too narrow: thousands of samples, nearly zero), with the
 * study's threshold as its floor: three times the median relative change between consecutive
 * baseline runs. p99 is noisier than throughput, so its floor is twice the threshold.
 */
export interface BaselineRun {
  trialId: number;
  number: number;
  tps: number;
  p99Ms: number;
}

export interface DriftBounds {
  /** Relative TPS change that counts as drift. */
  tps: number;
  /** Relative p99 change that counts as drift. */
  p99: number;
  /** How many run-to-run changes the spread was measured on (0: the floors alone). */
  basis: number;
}

export interface DriftVerdict {
  drifted: boolean;
  /** (after - before) / before */
  tpsChange: number;
  p99Change: number;
  bounds: DriftBounds;
  /** One line: what moved, by how much, against which bound. */
  reason: string;
}

/** Consecutive changes needed before the spread, not the floor alone, sets the bound. */
const MIN_BASIS = 5;
const SPREAD_FACTOR = 3;

const relative = (from: number, to: number): number => (to - from) / from;

export function driftBounds(runs: readonly BaselineRun[], threshold: number): DriftBounds {
  const tpsSteps: number[] = [];
  const p99Steps: number[] = [];
  for (let i = 1; i < runs.length; i++) {
    tpsSteps.push(Math.abs(relative(runs[i - 1]!.tps, runs[i]!.tps)));
    p99Steps.push(Math.abs(relative(runs[i - 1]!.p99Ms, runs[i]!.p99Ms)));
  }
  if (tpsSteps.length < MIN_BASIS) return { tps: threshold, p99: 2 * threshold, basis: tpsSteps.length };
  return {
    tps: Math.max(threshold, SPREAD_FACTOR * median(tpsSteps)),
    p99: Math.max(2 * threshold, SPREAD_FACTOR * median(p99Steps)),
    basis: tpsSteps.length,
  };
}

const percent = (x: number): string => `${x >= 0 ? '+' : ''}${Math.round(x * 100)}%`;

/** Whether the machine moved between two baseline runs, given the bounds of the study's baseline runs. */
export function driftBetween(before: BaselineRun, after: BaselineRun, bounds: DriftBounds): DriftVerdict {
  const tpsChange = relative(before.tps, after.tps);
  const p99Change = relative(before.p99Ms, after.p99Ms);
  const moved: string[] = [];
  if (Math.abs(tpsChange) > bounds.tps) moved.push(`TPS ${percent(tpsChange)} (${before.tps.toFixed(1)} -> ${after.tps.toFixed(1)}, bound ±${Math.round(bounds.tps * 100)}%)`);
  if (Math.abs(p99Change) > bounds.p99) moved.push(`p99 ${percent(p99Change)} (${before.p99Ms.toFixed(2)} -> ${after.p99Ms.toFixed(2)} ms, bound ±${Math.round(bounds.p99 * 100)}%)`);
  const basis = bounds.basis >= MIN_BASIS ? `bounds from ${bounds.basis} run-to-run changes of the baseline` : 'bounds at the threshold (too few baseline runs for a spread)';
  return {
    drifted: moved.length > 0,
    tpsChange,
    p99Change,
    bounds,
    reason: moved.length > 0
      ? `baseline moved between trials ${before.number} and ${after.number}: ${moved.join(', ')}; ${basis}`
      : `baseline steady between trials ${before.number} and ${after.number} (TPS ${percent(tpsChange)}, p99 ${percent(p99Change)}; ${basis})`,
  };
}
