import type { TrialConfig, Plan } from './config.js';
import type { HistogramSnapshot, LatencySummary } from './latency.js';

/**
 * What a trial measured and how it was set up: the records the runner produces, the store keeps,
 * and the report, export and UI read. They live here, below every layer, so none of those layers
 * has to import the one that produces them.
 */

/** How requests arrive in an open-loop trial: Poisson (exponential gaps) or evenly spaced. */
export type ArrivalProcess = 'poisson' | 'constant';
export const ARRIVAL_PROCESSES: readonly ArrivalProcess[] = ['poisson', 'constant'];

/** shared: one queue, the first idle worker takes each request; split: each worker its own stream at rate / P. */
export type Dispatch = 'shared' | 'split';
export const DISPATCHES: readonly Dispatch[] = ['shared', 'split'];

/** An SLO test's verdict so far: the quantile is within the SLO, over it, or not yet known. */
export type SloVerdict = 'meets' | 'misses' | 'undecided';

/** What else ran on a trial's CPUs while it was measured (runner/disturbance.ts reads it). */
export interface TrialDisturbance {
  /** The CPUs the trial's workers may run on. */
  cpus: number[];
  windowMs: number;
  /** Time those CPUs ran anything: tasks, interrupts, softirqs. */
  busyMs: number;
  /**
   * CPU time of the trial itself: its workers and the runner. The runner is counted whole even
   * when it ran on other CPUs, which can only hide others' time, never invent it.
   */
  ownMs: number;
  /** busyMs - ownMs: everyone else on those CPUs. */
  othersMs: number;
  stealMs: number;
  /** Throttling by a cgroup CPU quota in the window (the level that throttled most); null when no counters are readable. */
  throttled: { periods: number; throttledMs: number; path: string } | null;
}

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
  /** The allocator libraries (jemalloc, tcmalloc) mapped in /proc/PID/maps; none under glibc's malloc. */
  allocators: string[];
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

/** How an open-loop window offers its load. */
export interface LoadSettings {
  arrivals: ArrivalProcess;
  /** shared: one queue, the first idle worker takes each request; split: each worker its own stream at rate / P. */
  dispatch: Dispatch;
  /** With batch > 1: how long a worker holding a partial batch waits for more requests. */
  maxQueueDelayMs: number;
  seed: number;
}

/** One figure of an open-loop window as a histogram and its summary (null when nothing was recorded). */
export interface LatencyRecord {
  summary: LatencySummary | null;
  histogram: HistogramSnapshot;
}

/**
 * One open-loop window at one offered rate. Every latency is counted from the request's scheduled
 * arrival (no coordinated omission): queue wait plus service time.
 */
export interface ServingStep {
  /** The rate asked for (requests/s over all workers); a request is one sample. */
  offeredRps: number;
  /** Recorded requests scheduled in the window (arrivals after the settling time, before the cutoff). */
  scheduled: number;
  /** Recorded requests completed by the cutoff, per second of the arrival window. */
  achievedRps: number;
  /** The arrival window, settling time excluded (ms). */
  windowMs: number;
  latency: LatencyRecord;
  queueWait: LatencyRecord;
  service: LatencyRecord;
  /** How much of p99 is queueing: queue wait's p99 over latency's p99 (null without latencies). */
  queueShare: number | null;
  /** The backlog kept growing and less was served than offered: the p99 only measures the window's length. */
  overloaded: boolean;
  /** One line on why (or why not) the window is overloaded. */
  overloadReason: string;
  backlog: { start: number; end: number; max: number };
  /** Requests never served before the drain ran out; their latencies are lower bounds. */
  censored: number;
  /** Against the SLO of a capacity search; null when the window had none. */
  slo: { sloMs: number; exceeding: number; verdict: SloVerdict; early: boolean } | null;
  /** The dispatcher's CPU: the workers' time taking requests from the shared queue and forming batches. */
  dispatchCpuMs: number;
  /** CPU of the tuner process while the window ran (following it from the shared counters). */
  tunerCpuMs: number;
  /** p99 of how late workers woke for an arrival they were idle for (µs): the generator's own error. */
  wakeLatenessP99Us: number | null;
  stable: boolean;
  /** Others' CPU time, steal and throttling on the workers' CPUs while the window ran; null when unreadable. */
  disturbance: TrialDisturbance | null;
  /** Why the window's figures are not its configuration's alone (empty when undisturbed). */
  disturbed: string[];
  /** Why the window closed when it did. */
  reason: string;
  startedAt: string;
  finishedAt: string;
}

/** The highest rate whose p99 (from schedule) met the SLO, and the steps that found it. */
export interface CapacityOutcome {
  sloMs: number;
  /** The closed-loop throughput the search bracketed below. */
  ceilingRps: number;
  /** null: not even the lowest rate tried met the SLO. */
  capacityRps: number | null;
  /** The capacity lies in [low, high): low met the SLO, high did not (or is the ceiling). */
  bracket: [number, number];
  /** Index into the steps of the step at the capacity, null when none met. */
  stepIndex: number | null;
  /** True when a deciding step's verdict was its point estimate (undecided at the maximum time), or it was disturbed by other processes. */
  uncertain: boolean;
}

/** An open-loop trial: one configuration at one or more offered rates, in one set of warm workers. */
export interface ServingResult {
  config: TrialConfig;
  plan: Plan;
  model: ModelInfo;
  readBack: WorkerReadBack[];
  verification: Verification;
  load: LoadSettings;
  /** The closed-loop window measured first (trial --capacity without a known ceiling), else null. */
  closed: TrialResult | null;
  steps: ServingStep[];
  capacity: CapacityOutcome | null;
  noisy: boolean;
  noiseReasons: string[];
  onnxruntimeVersion: string;
  startedAt: string;
  finishedAt: string;
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

/** How a user describes the inputs of a model (CLI flags or study file), before validation. */
export type ShapeDim = number | 'B';

export interface InputOptions {
  /** Values for dynamic dimensions, per input name; 'B' marks the batch dimension. */
  shapes: Record<string, ShapeDim[]>;
  /** Fixed scalar values for inputs that need one (e.g. a sample rate). */
  values: Record<string, number>;
  /** A sample-input file to load instead of synthesizing; null to synthesize. */
  sampleFile: string | null;
}
