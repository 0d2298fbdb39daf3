import type { TrialConfig } from '../domain/config.js';
import type { InputOptions, MeasureSettings, ModelInfo, ServingStep, SloVerdict } from '../domain/results.js';
import type { Topology } from '../topology/types.js';

/** The records a trial produces are shared vocabulary (domain/results.ts); re-exported for the runner's callers. */
export type * from '../domain/results.js';

/** Phases a trial goes through, in order. */
export type TrialPhase = 'spawning' | 'pinning' | 'loading' | 'warmup' | 'measuring' | 'serving' | 'cooldown';

/** Live figures while a trial is measuring. */
export interface TrialProgress {
  elapsedMs: number;
  inferences: number;
  tps: number;
  p99Ms: number;
  /** In an open-loop window: the rate offered, what is served so far and the SLO verdict so far. */
  serving?: { offeredRps: number; achievedRps: number; backlog: number; verdict: SloVerdict | null };
}

/** Everything the runner needs for one trial; validated and resolved at the edge. */
export interface TrialRequest {
  config: TrialConfig;
  model: ModelInfo;
  inputs: InputOptions;
  measure: MeasureSettings;
  /** Allow workers to share CPUs (and P x T above the usable CPUs). */
  oversubscribe: boolean;
  topology: Topology;
}

/** What the runner reports while a trial runs; the study loop turns these into StudyEvents. */
export type RunnerEvent =
  /** `pids`: the trial's worker processes, once they exist (from 'pinning' on). */
  | { type: 'phase'; phase: TrialPhase; pids?: number[] }
  /** An open-loop window opens at this rate (`index` counts the trial's windows from 0). */
  | { type: 'stepStarted'; index: number; offeredRps: number }
  | { type: 'stepFinished'; index: number; step: ServingStep }
  | { type: 'progress'; progress: TrialProgress }
  | { type: 'warning'; message: string };
