import type { Plan, TrialConfig } from '../placement/types.js';
import type { Topology } from '../topology/types.js';
import type { InputOptions } from '../workload/types.js';
import type { HistogramSnapshot, LatencySummary } from '../measure/types.js';
import type { TrialDisturbance } from './disturbance.js';

/** What the kernel says one thread of a worker may use and where it last ran. */
export interface ThreadReadBack {
  tid: number;
  /** /proc/PID/task/TID/comm */
  name: string;
  /** Cpus_allowed_list */
  cpus: number[];
  /** Mems_allowed_list */
  mems: number[];
  /** Field 39 of /proc/PID/task/TID/stat: the CPU it last ran on. */
  lastCpu: number;
}

export interface WorkerReadBack {
  index: number;
  pid: number;
  threads: ThreadReadBack[];
  /** Pages per NUMA node summed over /proc/PID/numa_maps (keys are node ids). */
  pagesPerNode: Record<string, number>;
  /** The memory policy the worker's main thread reports (get_mempolicy), when readable. */
  memPolicy: { mode: string; nodes: number[] } | null;
}

export interface Verification {
  /** True when every thread's CPUs and mems match the plan. */
  verified: boolean;
  /** One human-readable line per mismatch with the plan (empty when verified). */
  mismatches: string[];
}

export interface WorkerStats {
  index: number;
  pid: number;
  inferences: number;
  samples: number;
  /** Samples per second of this worker over the measured window. */
  tps: number;
  p99Ms: number;
  /** utime + stime of the whole worker process during the measured window. */
  cpuTimeMs: number;
  voluntaryCtxSwitches: number;
  involuntaryCtxSwitches: number;
  /** nr_migrations summed over the worker's threads (from /proc/PID/task/TID/sched). */
  migrations: number;
  rssBytes: number;
}

export interface TrialWindow {
  warmupMs: number;
  measuredMs: number;
  /** True when p99's confidence interval met the bound before the maximum time. */
  stable: boolean;
}

export interface ModelInfo {
  /** Path of the model file (for built-ins: the generated file). */
  path: string;
  /** 'builtin:NAME' or the file's base name. */
  name: string;
  sha256: string;
}

export interface TrialResult {
  config: TrialConfig;
  plan: Plan;
  model: ModelInfo;
  readBack: WorkerReadBack[];
  verification: Verification;
  latency: LatencySummary;
  histogram: HistogramSnapshot;
  /** Samples (batch items) per second, all workers together. */
  tps: number;
  /** Inferences (session.run calls) per second, all workers together. */
  ips: number;
  workers: WorkerStats[];
  window: TrialWindow;
  noisy: boolean;
  /** Why the trial is flagged noisy (empty when it is not). */
  noiseReasons: string[];
  /** Others' CPU time, steal and throttling on the trial's CPUs during the window; null for results stored before it was recorded. */
  disturbance: TrialDisturbance | null;
  onnxruntimeVersion: string;
  startedAt: string;
  finishedAt: string;
}

/** Phases a trial goes through, in order. */
export type TrialPhase = 'spawning' | 'pinning' | 'loading' | 'warmup' | 'measuring' | 'cooldown';

/** Live figures while a trial is measuring. */
export interface TrialProgress {
  elapsedMs: number;
  inferences: number;
  tps: number;
  p99Ms: number;
}

/** How long and how carefully to measure one trial. */
export interface MeasureSettings {
  warmupMs: number;
  /** The measured window never ends before this, nor below minSamples inferences. */
  minMs: number;
  maxMs: number;
  minSamples: number;
  /** Stable when the 95% CI of p99 is within ± this fraction of p99 (e.g. 0.05). */
  p99CiBound: number;
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
  | { type: 'progress'; progress: TrialProgress }
  | { type: 'warning'; message: string };
