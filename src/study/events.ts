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
  strategy: string;
  sloMs: number | null;
  dbPath: string;
  /** Trials the budget allows (or the size of the space when smaller); null when only time-bound. */
  plannedTrials: number | null;
  /** Trials already complete when the study (re)started. */
  completedTrials: number;
  resumed: boolean;
  machine: { cpuModel: string; nodes: number; cores: number; threads: number; usableCpus: number };
  spaceSize: number;
  infeasibleDropped: number;
}

export type StudyEvent =
  | { type: 'studyStarted'; time: string; study: StudyInfo }
  | { type: 'trialStarted'; time: string; trialId: number; number: number; config: TrialConfig; reason: string }
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
