import type { CapacityOutcome, ServingStep } from './types.js';

/**
 * The capacity search over offered rates (after LoadGen's FindPeakPerformance): the highest rate
 * whose p99, counted from the scheduled arrivals, meets the SLO. The closed-loop throughput is the
 * ceiling (no open-loop rate can be served above saturation); the search bisects the bracket
 * [highest rate that met, lowest rate that missed) until it is narrower than the resolution. It is
 * a pure function of the steps measured so far, so a resumed search continues where it stopped.
 */
export interface CapacitySearch {
  sloMs: number;
  ceilingRps: number;
  /** Stop once the bracket is narrower than this fraction of the ceiling. */
  resolution: number;
}

/** The first probe, as a fraction of the ceiling: most configurations sustain well over half of it under a useful SLO. */
const FIRST_PROBE = 0.7;
/** More steps than bisection needs means the verdicts contradict each other: stop rather than wander. */
const MAX_STEPS = 12;

/** Whether a step met the SLO: the 95% verdict, or when it ended undecided, the point estimate. */
export function stepMeets(step: ServingStep): boolean {
  if (step.overloaded || step.slo === null) return false;
  if (step.slo.verdict !== 'undecided') return step.slo.verdict === 'meets';
  return step.latency.summary !== null && step.latency.summary.p99 <= step.slo.sloMs;
}

function bracket(search: CapacitySearch, steps: readonly ServingStep[]): { low: number; high: number; lowIndex: number | null; highIndex: number | null } {
  let high = search.ceilingRps;
  let highIndex: number | null = null;
  steps.forEach((s, i) => {
    if (!stepMeets(s) && s.offeredRps < high) {
      high = s.offeredRps;
      highIndex = i;
    }
  });
  let low = 0;
  let lowIndex: number | null = null;
  steps.forEach((s, i) => {
    if (stepMeets(s) && s.offeredRps < high && s.offeredRps > low) {
      low = s.offeredRps;
      lowIndex = i;
    }
  });
  return { low, high, lowIndex, highIndex };
}

/** The next rate to try, or null when the search is done. */
export function nextCapacityRate(search: CapacitySearch, steps: readonly ServingStep[]): number | null {
  if (!(search.ceilingRps > 0)) return null;
  if (steps.length === 0) return FIRST_PROBE * search.ceilingRps;
  if (steps.length >= MAX_STEPS) return null;
  const { low, high } = bracket(search, steps);
  if (high - low <= search.resolution * search.ceilingRps) return null;
  return (low + high) / 2;
}

export function capacityOf(search: CapacitySearch, steps: readonly ServingStep[]): CapacityOutcome {
  const { low, high, lowIndex, highIndex } = bracket(search, steps);
  const deciding = [lowIndex, highIndex].filter((i): i is number => i !== null).map((i) => steps[i]!);
  return {
    sloMs: search.sloMs,
    ceilingRps: search.ceilingRps,
    capacityRps: lowIndex === null ? null : low,
    bracket: [low, high],
    stepIndex: lowIndex,
    // Windows stored by an older autotune have no disturbance figures.
    uncertain: deciding.some((s) => s.slo?.verdict === 'undecided' || (s.disturbed?.length ?? 0) > 0),
  };
}
