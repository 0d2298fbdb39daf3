import type { InferenceSession } from 'onnxruntime-node';
import { formatAffinities } from '../domain/variables.js';
import type { TunedSettings } from './settings.js';

/**
 * The onnxruntime-node SessionOptions of the measured configuration, built as the trial worker
 * built them, so the server runs what was measured. `extra` entries become session config
 * entries (nested keys joined with dots; values must be strings).
 *
 * There is no session option for the inter-op pool's affinities in onnxruntime: its threads run
 * on the CPUs of the process, which the launcher or the exported unit confines to the instance's.
 */
export function sessionOptionsFor(settings: TunedSettings): InferenceSession.SessionOptions {
  const options: InferenceSession.SessionOptions = {
    executionMode: settings.executionMode,
    graphOptimizationLevel: settings.graphOptimization,
  };
  if (settings.cpuArena !== null) options.enableCpuMemArena = settings.cpuArena;
  if (settings.intraOpThreads === null) {
    if (settings.interOpThreads !== null) options.interOpNumThreads = settings.interOpThreads;
    return options;
  }
  const session: Record<string, unknown> = { intra_op: { allow_spinning: settings.spinning ? '1' : '0' } };
  if (settings.intraOpAffinities !== null) session['intra_op_thread_affinities'] = formatAffinities(settings.intraOpAffinities);
  // Left unset, onnxruntime starts one pinned thread per physical core and ignores cgroup limits.
  return { ...options, intraOpNumThreads: settings.intraOpThreads, interOpNumThreads: settings.interOpThreads ?? 1, extra: { session } };
}
