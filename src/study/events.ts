import type { TrialConfig } from '../domain/config.js';
import type { LeftOutValue } from '../domain/study.js';
import type { ServingResult, ServingStep, TrialPhase, TrialProgress, TrialResult } from '../runner/types.js';
import type { Gain, ReportCapacity } from '../report/types.js';
import type { TrialKind } from '../store/types.js';

/**
 * The typed event stream of the core. The Ink UI, the plain line logger and the JSON-lines
 * reporter all consume exactly these events; the core never prints.
 * Every event carries `type` and `time` (ISO 8601).
 */
export interface StudyInfo {
  studyId: number;
  name: string;
  model: string;
  /** The strategy run: `grid`, or `auto (grid)` when auto chose it. */
  strategy: string;
  /** Why that strategy (auto's choice and its estimate). */
  strategyReason: string;
  sloMs: number | null;
  dbPath: string;
  /**
   * Trials the budget allows (or the size of the space plus the baseline when smaller); null when
   * only time-bound, or when Bayesian search without a trial budget decides itself how many
   * re-measurements it makes. Counted like the budget: the first baseline and every search or
   * repeat trial that completes or fails; drift re-runs of the baseline are not counted.
   */
  plannedTrials: number | null;
  /** Trials already done when the study (re)started, counted as plannedTrials counts them. */
  completedTrials: number;
  resumed: boolean;
  machine: { cpuModel: string; nodes: number; cores: number; threads: number; usableCpus: number };
  spaceSize: number;
  infeasibleDropped: number;
  /** Values `auto` left out of the space on this machine, and why. */
  leftOut: LeftOutValue[];
  /** What the machine checks (autotune doctor) warn about, one `id: finding` each; details come as warning events. */
  machineWarnings: string[];
}

export type StudyEvent =
  | { type: 'studyStarted'; time: string; study: StudyInfo }
  | {
      type: 'trialStarted';
      time: string;
      trialId: number;
      number: number;
      config: TrialConfig;
      reason: string;
      kind: TrialKind;
      /** Counts against plannedTrials once it ends; false for drift and confirmation runs, confirmation and capacity trials. */
      counted: boolean;
    }
  | { type: 'trialPhase'; time: string; trialId: number; phase: TrialPhase }
  | { type: 'trialProgress'; time: string; trialId: number; progress: TrialProgress }
  | { type: 'trialFinished'; time: string; trialId: number; number: number; result: TrialResult; durationMs: number }
  | { type: 'trialFailed'; time: string; trialId: number; number: number; config: TrialConfig; error: string; durationMs: number }
  /** An open-loop window of a capacity trial opens (step null) or has ended (step set). */
  | { type: 'servingStep'; time: string; trialId: number; index: number; offeredRps: number; step: ServingStep | null }
  | { type: 'capacityFinished'; time: string; trialId: number; number: number; result: ServingResult; durationMs: number }
  | {
      type: 'baselineDrift';
      time: string;
      trialId: number;
      referenceTps: number;
      measuredTps: number;
      referenceP99Ms: number;
      measuredP99Ms: number;
      /** What moved and against which bound. */
      reason: string;
      flaggedTrials: number[];
    }
  | { type: 'warning'; time: string; message: string }
  | {
      type: 'studyFinished';
      time: string;
      studyId: number;
      reason: 'budget' | 'exhausted' | 'interrupted' | 'time';
      summary: StudySummary;
    };

export interface FrontPoint {
  trialId: number;
  config: TrialConfig;
  tps: number;
  p99Ms: number;
}

export interface StudySummary {
  completed: number;
  failed: number;
  front: FrontPoint[];
  /** The baseline at the batch the user runs today. */
  baseline: FrontPoint | null;
  /** The SLO pick: highest capacity under the SLO when measured, else highest TPS whose closed-loop p99 meets it (highest TPS without an SLO). */
  best: FrontPoint | null;
  /** The pick's placement and total gains over the baseline (paired ratios once confirmed). */
  gain: Gain | null;
  /** The pick's capacity under the SLO, when the serving phase measured it. */
  capacity: ReportCapacity | null;
  baselineCapacity: ReportCapacity | null;
}

export type StudyEventListener = (event: StudyEvent) => void;
