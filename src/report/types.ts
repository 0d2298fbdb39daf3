import type { TrialConfig } from '../placement/types.js';
import type { StudyState, TrialKind, TrialState } from '../store/types.js';
import type { Fingerprint } from '../topology/types.js';

/**
 * The report of one study: what `autotune report --json` prints (docs/report-json.md documents
 * it). Keep it stable: add fields rather than change them, and bump REPORT_SCHEMA on a break.
 */
export const REPORT_SCHEMA = 'autotune.report/1';

/** One measured configuration: the mean of its measurements (drift-flagged ones left out when others exist). */
export interface ReportPoint {
  /** The latest measurement used: the trial whose plan `export --pick` deploys. */
  trialId: number;
  trialNumber: number;
  /** Every measurement averaged into this point, oldest first. */
  trialIds: number[];
  config: TrialConfig;
  /** `p2 t4 local b8 spin`, or `baseline b8`. */
  label: string;
  tps: number;
  p50Ms: number;
  p99Ms: number;
  /** 95% CI of p99; with several measurements, the envelope of theirs. */
  p99Ci: [number, number];
  noisy: boolean;
  /** False when a measurement's read-back did not match its plan; null when never checked. */
  verified: boolean | null;
  pinned: boolean;
  /** Every measurement used was flagged for baseline drift (there was no clean one). */
  drift: boolean;
}

/** best / baseline; ratios above 1 mean more TPS or a higher p99. */
export interface Gain {
  tpsRatio: number;
  p99Ratio: number;
  tpsDelta: number;
  p99DeltaMs: number;
}

export type PickKind = 'slo' | 'latency' | 'knee';
export const PICK_KINDS: readonly PickKind[] = ['slo', 'latency', 'knee'];

export interface Recommendation {
  pick: PickKind;
  point: ReportPoint;
  /** One line: why this configuration. */
  reason: string;
  /** Null when the study has no baseline measurement. */
  gain: Gain | null;
}

export interface EffectLevel {
  level: string;
  /** Measured configurations with this value (the baseline is not counted). */
  configurations: number;
  bestTps: number;
  medianTps: number;
  bestP99Ms: number;
  medianP99Ms: number;
}

export type EffectParameter = 'numa' | 'threads' | 'processes' | 'batch' | 'smt' | 'spinning';
export const EFFECT_PARAMETERS: readonly EffectParameter[] = ['numa', 'threads', 'processes', 'batch', 'smt', 'spinning'];

export interface ParameterEffect {
  parameter: EffectParameter;
  /** Levels in ascending order (numbers numerically). */
  levels: EffectLevel[];
  /** One line on what the parameter did, or null when only one level was measured. */
  finding: string | null;
}

export type WarningKind = 'slo' | 'noisy' | 'unverified' | 'unpinned' | 'machine' | 'drift' | 'coverage' | 'failed' | 'state' | 'baseline' | 'machine-check';

export interface ReportWarning {
  kind: WarningKind;
  message: string;
}

/** One trial as the CSV and the JSON list it: every state, figures null unless complete. */
export interface ReportTrial {
  id: number;
  number: number;
  kind: TrialKind;
  state: TrialState;
  config: TrialConfig;
  reason: string;
  startedAt: string;
  durationMs: number | null;
  tps: number | null;
  ips: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  meanMs: number | null;
  p99Ci: [number, number] | null;
  noisy: boolean;
  verified: boolean | null;
  pinned: boolean | null;
  drift: boolean;
  /** The trial is the measurement deployed for a point on the front. */
  onFront: boolean;
  error: string | null;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  study: {
    id: number;
    name: string;
    state: StudyState;
    createdAt: string;
    /** The model as the user named it: `builtin:mlp`, or their path (with the resolved file when it differs). */
    model: string;
    /** The model file the trials loaded (for a built-in: its generated, cached file). */
    modelPath: string;
    /** As the definition names it (`auto` included); null when the stored definition is unreadable. */
    strategy: string | null;
    /** What the study ran: `auto` resolved to grid or bayes, else the named strategy; null when unknown. */
    strategyUsed: string | null;
    sloMs: number | null;
  };
  machine: {
    fingerprint: Fingerprint | null;
    /** Null when this machine was not compared (e.g. its topology could not be read). */
    sameAsHere: boolean | null;
  };
  counts: {
    trials: number;
    complete: number;
    failed: number;
    pruned: number;
    interrupted: number;
    running: number;
    /** Distinct configurations measured, the baseline included. */
    configurations: number;
    /** Distinct configurations of the search space measured: `configurations` without the baseline. */
    searched: number;
    /** Feasible configurations of the study's space on its machine; null when unknown. */
    spaceSize: number | null;
  };
  baseline: ReportPoint | null;
  /** Sorted by p99 ascending (TPS ascends too). */
  front: ReportPoint[];
  /** Measured configurations not on the front. */
  dominated: number;
  /** Every measured configuration, front included. */
  points: ReportPoint[];
  recommendations: Recommendation[];
  effects: ParameterEffect[];
  warnings: ReportWarning[];
  trials: ReportTrial[];
}
