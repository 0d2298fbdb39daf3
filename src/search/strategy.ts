import type { TrialConfig } from '../domain/config.js';

/**
 * The seam between the study loop and the search strategies (grid, random, bayes), after Optuna's
 * sampler: a strategy sees the feasible space and every finished trial and proposes the next
 * configuration. Strategies are pure given (context, seed), so a resumed study needs no saved
 * sampler state — the stored history is enough.
 */
export interface Observation {
  config: TrialConfig;
  /** Samples per second (higher is better). */
  tps: number;
  /** p99 latency in ms (lower is better). */
  p99Ms: number;
  /** The trial was flagged noisy (unstable window, disagreeing workers, drift). */
  noisy: boolean;
  /** How many times this configuration has been measured so far (1 for the first). */
  repeat: number;
}

export interface SearchContext {
  /** Every feasible candidate configuration (infeasible ones already dropped). */
  space: readonly TrialConfig[];
  /** Completed trials, oldest first, baseline included. */
  history: readonly Observation[];
  /** Configurations that failed (never proposed again). */
  failed: readonly TrialConfig[];
  sloMs: number | null;
  seed: number;
  /** Trials the study may still run (null when only time-bound). */
  remaining: number | null;
}

export interface Proposal {
  config: TrialConfig;
  /** One line on why this configuration, shown in logs and the UI (e.g. 'grid: coarse pass'). */
  reason: string;
}

export interface Strategy {
  readonly name: string;
  /** The next configuration to measure, or null when the strategy has nothing left to try. */
  next(context: SearchContext): Proposal | null;
}
