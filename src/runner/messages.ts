import type { TrialConfig } from '../domain/config.js';
import type { HistogramSnapshot } from '../domain/latency.js';
import type { InputPlan } from '../workload/types.js';
import type { StreamSpec } from './arrivals.js';
import type { ServingSettings } from './open-loop.js';
import type { WorkerReadBack } from './types.js';

/**
 * The IPC protocol between the tuner and one worker process. Messages stay small: inputs are
 * generated inside the worker from the plan, latencies travel as sparse histogram snapshots, and an
 * open-loop window's requests are taken through shared counters, not messages.
 */

/** The descriptor (in the worker) of the shared counters of open-loop trials: the 5th stdio slot. */
export const SHARED_COUNTERS_FD = 4;

/** Everything a worker needs to build its session; the first message it receives. */
export interface InitMessage {
  type: 'init';
  index: number;
  modelPath: string;
  inputPlan: InputPlan;
  /** CPU to pin the worker's main (calling) thread to; null when the trial is unpinned. */
  mainCpu: number | null;
  /** The configuration: its session axes become the session options (domain/config.ts sessionOptions). */
  config: TrialConfig;
  /** Value of session.intra_op_thread_affinities; empty to leave the pool unpinned. */
  poolAffinities: string;
  /** Whether get_mempolicy may be called here (the sandbox can refuse it). */
  readMemPolicy: boolean;
  progressIntervalMs: number;
  /** Slots of the shared counters at SHARED_COUNTERS_FD; null when the trial has no open-loop window. */
  sharedSlots: number | null;
}

/** Where one worker finds its part of an open-loop window in the shared counters. */
export interface ServeLayout {
  /** The slot of the queue this worker takes requests from (one for shared dispatch, its own for split). */
  queueSlot: number;
  cutoffSlot: number;
  abandonSlot: number;
  /** This worker's counters: completed (all), recorded, exceeding. */
  completedSlot: number;
  recordedSlot: number;
  exceedingSlot: number;
}

export interface ServeMessage {
  type: 'serve';
  /** Numbers the windows of one trial, so replies cannot be taken for an earlier window's. */
  window: number;
  /** process.hrtime.bigint() of the window's start, as a decimal string. */
  t0Ns: string;
  /** The arrival stream this worker takes from. */
  stream: StreamSpec;
  settings: ServingSettings;
  layout: ServeLayout;
  /**
   * How often the worker sends its latency histogram so far. A capacity step follows the window
   * from the shared counters alone, so its workers send one only now and then (as a sign of life):
   * serialising a histogram on the worker's thread delays the request it is serving.
   */
  progressIntervalMs: number;
}

export type ParentMessage =
  | InitMessage
  /** Start the closed loop and report 'warmed' after durationMs; it then keeps running unrecorded. */
  | { type: 'warmup'; durationMs: number }
  /** Open a closed-loop window: reset counters and record every inference from now on. */
  | { type: 'measure' }
  /** Close the closed-loop window and stop the loop; the worker reports 'measured'. */
  | { type: 'close' }
  | ServeMessage
  /** Read back placement and report 'result'; the worker then exits. */
  | { type: 'finish' };

/** Counters of one worker over a closed-loop window. */
export interface WindowReport {
  histogram: HistogramSnapshot;
  windowMs: number;
  cpuTimeMs: number;
  voluntaryCtxSwitches: number;
  involuntaryCtxSwitches: number;
  /** Null when the kernel does not expose per-thread sched counters. */
  migrations: number | null;
}

/** What one worker recorded over an open-loop window (latencies in µs from the scheduled arrival). */
export interface ServedReport {
  window: number;
  latency: HistogramSnapshot;
  queueWait: HistogramSnapshot;
  service: HistogramSnapshot;
  wakeLateness: HistogramSnapshot;
  recorded: number;
  exceeding: number;
  censored: number;
  inferences: number;
  dispatchUs: number;
  cpuTimeMs: number;
}

/** The worker's placement as the kernel reports it, and its memory, read after the last window. */
export interface FinalReport {
  rssBytes: number;
  readBack: Omit<WorkerReadBack, 'index'>;
}

export type WorkerMessage =
  | { type: 'pinned' }
  | { type: 'ready'; onnxruntimeVersion: string }
  | { type: 'warmed' }
  /** Cumulative latency snapshot of the current window so far (replaces the previous one). */
  | { type: 'progress'; histogram: HistogramSnapshot; elapsedMs: number }
  | { type: 'measured'; report: WindowReport }
  | { type: 'served'; report: ServedReport }
  | { type: 'result'; report: FinalReport }
  | { type: 'error'; message: string };
