import type { LeftOutValue } from '../domain/study.js';
import type { AxisName } from '../domain/axes.js';
import type { TrialConfig } from '../domain/config.js';
import type { LoadSettings } from '../domain/results.js';
import type { DeploymentCheck } from '../store/types.js';
import type { StudyState, TrialKind, TrialState } from '../store/types.js';
import type { Fingerprint } from '../topology/types.js';

/**
 * The report of one study: what `autotune report --json` prints (docs/report-json.md documents
 * it). Keep it stable: add fields rather than change them, and bump REPORT_SCHEMA on a break.
 */
export const REPORT_SCHEMA = 'autotune.report/2';

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
  /** 95% CI of p99; with several measurements, the envelope of theirs; null when one had too few samples for a CI. */
  p99Ci: [number, number] | null;
  noisy: boolean;
  /** False when a measurement's read-back did not match its plan; null when never checked. */
  verified: boolean | null;
  pinned: boolean;
  /** Every measurement used was flagged for baseline drift (there was no clean one). */
  drift: boolean;
}

/**
 * A ratio of the pick to the baseline: the median of paired ratios (each confirmation run over the
 * baseline run paired with it) with its 95% CI, or, for a study without confirmation runs, the
 * ratio of the two points' medians (pairs 0, no interval).
 */
export interface RatioEstimate {
  ratio: number;
  /** 95% CI of the ratio; null when unpaired or too few pairs for one. */
  ci: [number, number] | null;
  pairs: number;
  /** How the interval was made (or why there is none). */
  method: string;
}

/** A pick against one baseline; ratios above 1 mean more TPS or a higher (slower) p99. */
export interface GainAgainst {
  /** The batch the baseline ran at. */
  baselineBatch: number;
  tps: RatioEstimate;
  p99: RatioEstimate;
  tpsDelta: number;
  p99DeltaMs: number;
}

/**
 * Two gains, named apart: placement (against the baseline at the pick's own batch, what placement
 * alone bought) and total (against the baseline as the user runs it today, batching included).
 */
export interface Gain {
  placement: GainAgainst | null;
  total: GainAgainst | null;
}

export type PickKind = 'slo' | 'latency' | 'knee';
export const PICK_KINDS: readonly PickKind[] = ['slo', 'latency', 'knee'];

/** A capacity over a baseline's capacity; the bounds come from the two searches' brackets. */
export interface CapacityGain {
  baselineBatch: number;
  ratio: number;
  /** Lowest and highest ratio the brackets allow (not a confidence interval). */
  bounds: [number, number];
}

/** One configuration's capacity under the SLO, measured open loop. */
export interface ReportCapacity {
  trialId: number;
  config: TrialConfig;
  label: string;
  sloMs: number;
  /** Highest rate (requests/s) whose p99 from the scheduled arrival met the SLO; null: none did. */
  capacityRps: number | null;
  /** The capacity lies in [low, high). */
  bracket: [number, number];
  /** The closed-loop throughput the search bracketed below. */
  ceilingRps: number;
  uncertain: boolean;
  load: LoadSettings;
  /** The window at the capacity: p99 there, its CI and how much of it is queueing. */
  atCapacity: { p99Ms: number; p99Ci: [number, number] | null; queueShare: number | null; achievedRps: number } | null;
  /** Every window of the search, in the order measured. */
  steps: Array<{ offeredRps: number; achievedRps: number; p99Ms: number | null; overloaded: boolean; verdict: string }>;
  gain: { placement: CapacityGain | null; total: CapacityGain | null } | null;
}

/** One `autotune verify` run as reports show it. */
export type ReportDeployment = Omit<DeploymentCheck, 'latency'>;

export interface Recommendation {
  pick: PickKind;
  point: ReportPoint;
  /** One line: why this configuration. */
  reason: string;
  /** Null when the study has no baseline measurement (or the pick is the baseline). */
  gain: Gain | null;
  /** The SLO pick of a study with a serving phase: its capacity under the SLO. */
  capacity: ReportCapacity | null;
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

/** Every axis of the table has its effect reported. */
export type EffectParameter = AxisName;

export interface ParameterEffect {
  parameter: EffectParameter;
  /** Levels in ascending order (numbers numerically). */
  levels: EffectLevel[];
  /** One line on what the parameter did, or null when only one level was measured. */
  finding: string | null;
}

export type WarningKind = 'slo' | 'promise-missed' | 'unconfirmed' | 'noisy' | 'unverified' | 'unpinned' | 'machine' | 'drift' | 'coverage' | 'failed' | 'state' | 'baseline' | 'machine-check';

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
    /** Why (auto's choice), as the loop stored it; null for a study of an older autotune. */
    strategyReason: string | null;
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
    /** Values `auto` left out of the space on the study's machine, and why. */
    leftOut: LeftOutValue[];
  };
  /** The baseline at the batch the user runs today (the reference of the total gain). */
  baseline: ReportPoint | null;
  /** That batch; null when unknown (the definition does not parse). */
  userBatch: number | null;
  /** Sorted by p99 ascending (TPS ascends too). */
  front: ReportPoint[];
  /** Measured configurations not on the front. */
  dominated: number;
  /** Every measured configuration, front included. */
  points: ReportPoint[];
  recommendations: Recommendation[];
  /** Capacities under the SLO (serving phase), highest first; empty without one. */
  capacities: ReportCapacity[];
  /** `autotune verify` runs against the study's promises, oldest first (the latency histogram left out). */
  deployments: ReportDeployment[];
  effects: ParameterEffect[];
  warnings: ReportWarning[];
  trials: ReportTrial[];
}
