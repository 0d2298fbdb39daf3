/**
 * The environment variables autotune's exports and `launch` set for each instance of a server:
 * the one place their names are spelled. src/export writes them; this package's reader parses them.
 */
export const VARIABLES = {
  /** intraOpNumThreads (the calling thread included); unset for onnxruntime's default (the baseline). */
  intraOpThreads: 'AUTOTUNE_INTRA_OP_THREADS',
  /** `session.intra_op_thread_affinities` as onnxruntime reads it: 1-based absolute CPU ids. */
  intraOpAffinities: 'AUTOTUNE_INTRA_OP_AFFINITIES',
  /** 1 or 0: `session.intra_op.allow_spinning`. */
  spinning: 'AUTOTUNE_SPINNING',
  /** Samples per inference the configuration was measured with. */
  batch: 'AUTOTUNE_BATCH',
  /** How long a partial batch waits for more requests (ms), from the serving settings. */
  maxQueueDelayMs: 'AUTOTUNE_MAX_QUEUE_DELAY_MS',
  /** sequential | parallel. */
  executionMode: 'AUTOTUNE_EXECUTION_MODE',
  interOpThreads: 'AUTOTUNE_INTER_OP_THREADS',
  /** The inter-op pool's CPUs in the same format as the intra-op affinities. */
  interOpAffinities: 'AUTOTUNE_INTER_OP_AFFINITIES',
  /** basic | extended | all. */
  graphOptimization: 'AUTOTUNE_GRAPH_OPTIMIZATION',
  /** 1 or 0: enableCpuMemArena. */
  cpuArena: 'AUTOTUNE_CPU_ARENA',
  /** Which instance of the fleet this process is (0-based). */
  instance: 'AUTOTUNE_INSTANCE',
  /** The port this instance serves on. */
  port: 'AUTOTUNE_PORT',
  /** The model file the configuration was measured with (a built-in's generated file). */
  model: 'AUTOTUNE_MODEL',
} as const;

export type VariableName = (typeof VARIABLES)[keyof typeof VARIABLES];

/** OpenMP builds of onnxruntime size their pool from this rather than intraOpNumThreads. */
export const OMP_NUM_THREADS = 'OMP_NUM_THREADS';

/** 0-based CPU groups as onnxruntime's affinity string: `;` between threads, ids counted from 1. */
export function formatAffinities(groups: readonly (readonly number[])[]): string {
  return groups.map((group) => group.map((cpu) => cpu + 1).join(',')).join(';');
}

/** onnxruntime's levels past 'disabled' (which no server would run with); 'all' is its default. */
export const GRAPH_OPTIMIZATIONS = ['basic', 'extended', 'all'] as const;
export type GraphOptimization = (typeof GRAPH_OPTIMIZATIONS)[number];
export const EXECUTION_MODES = ['sequential', 'parallel'] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];
