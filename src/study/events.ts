import type { TrialConfig } from '../placement/types.js';
import type { TrialPhase, TrialProgress, TrialResult } from '../runner/types.js';

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
      /** Counts against plannedTrials once it ends; false for a drift re-run of the baseline. */
      counted: boolean;
    }
  | { type: 'trialPhase'; time: string; trialId: number; phase: TrialPhase }
  | { type: 'trialProgress'; time: string; trialId: number; progress: TrialProgress }
  | { type: 'trialFinished'; time: string; trialId: number; number: number; result: TrialResult; durationMs: number }
  | { type: 'trialFailed'; time: string; trialId: number; number: number; config: TrialConfig; error: string; durationMs: number }
  | { type: 'baselineDrift'; time: string; trialId: number; referenceTps: number; measuredTps: number; flaggedTrials: number[] }
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
  baseline: FrontPoint | null;
  /** Highest TPS whose p99 meets the SLO (or highest TPS when there is no SLO). */
  best: FrontPoint | null;
  /** best.tps / baseline.tps and best.p99 / baseline.p99, when both exist. */
  gain: { tps: number; p99: number } | null;
}

export type StudyEventListener = (event: StudyEvent) => void;
