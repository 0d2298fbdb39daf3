import { formatAffinities } from '../domain/variables.js';
import type { WorkerPlan } from './types.js';

/**
 * The value of onnxruntime's session config entry `session.intra_op_thread_affinities` for a
 * worker: one group per intra-op pool thread, with absolute CPU ids (counted from 1, see
 * formatAffinities). The calling thread has no group, as onnxruntime never pins it. Empty when the
 * worker has no pool threads (threads == 1) or is unpinned: then the entry must not be set at
 * all, since an empty value is a count mismatch.
 */
export function ortAffinities(worker: WorkerPlan): string {
  return formatAffinities(worker.poolCpus);
}
