import type { WorkerPlan } from './types.js';

/**
 * The value of onnxruntime's session config entry `session.intra_op_thread_affinities` for a
 * worker: one group per intra-op pool thread (`;` between groups, `,` between CPUs), with
 * 1-based absolute CPU ids because onnxruntime reserves 0. The calling thread has no group, as
 * onnxruntime never pins it. Empty when the worker has no pool threads (threads == 1) or is
 * unpinned: then the entry must not be set at all, since an empty value is a count mismatch.
 */
export function ortAffinities(worker: WorkerPlan): string {
  return worker.poolCpus.map((group) => group.map((cpu) => cpu + 1).join(',')).join(';');
}
