import type { HistogramSnapshot } from '../measure/types.js';
import type { InputPlan } from '../workload/types.js';
import type { WorkerReadBack } from './types.js';

/**
 * The IPC protocol between the tuner and one worker process. Messages stay small: inputs are
 * generated inside the worker from the plan, and latencies travel as sparse histogram snapshots.
 */

/** Everything a worker needs to build its session; the first message it receives. */
export interface InitMessage {
  type: 'init';
  index: number;
  modelPath: string;
  inputPlan: InputPlan;
  /** CPU to pin the worker's main (calling) thread to; null when the trial is unpinned. */
  mainCpu: number | null;
  /** intraOpNumThreads; null for the baseline (onnxruntime's own choice). */
  threads: number | null;
  /** Value of session.intra_op_thread_affinities; empty to leave the pool unpinned. */
  poolAffinities: string;
  spinning: boolean;
  /** Whether get_mempolicy may be called here (the sandbox can refuse it). */
  readMemPolicy: boolean;
  progressIntervalMs: number;
}

export type ParentMessage =
  | InitMessage
  /** Start the load and report 'warmed' after durationMs; the load then keeps running unrecorded. */
  | { type: 'warmup'; durationMs: number }
  /** Open the measured window: reset counters and record every inference from now on. */
  | { type: 'measure' }
  /** Close the window, read back placement and report the result. */
  | { type: 'stop' };

/** Counters and read-back of one worker over its measured window. */
export interface WorkerReport {
  histogram: HistogramSnapshot;
  windowMs: number;
  cpuTimeMs: number;
  voluntaryCtxSwitches: number;
  involuntaryCtxSwitches: number;
  /** Null when the kernel does not expose per-thread sched counters. */
  migrations: number | null;
  rssBytes: number;
  readBack: Omit<WorkerReadBack, 'index'>;
}

export type WorkerMessage =
  | { type: 'pinned' }
  | { type: 'ready'; onnxruntimeVersion: string }
  | { type: 'warmed' }
  /** Cumulative snapshot of the window so far (replaces the previous one). */
  | { type: 'progress'; histogram: HistogramSnapshot; elapsedMs: number }
  | { type: 'result'; report: WorkerReport }
  | { type: 'error'; message: string };
