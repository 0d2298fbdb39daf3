import type { InferenceSession } from 'onnxruntime-node';
import { checkAffinitiesAllowed, ownAllowedCpus } from './allowed-cpus.js';
import { readTunedSettings, type Environment, type TunedSettings } from './settings.js';
import { sessionOptionsFor } from './session-options.js';

/**
 * autotune/runtime: what a server needs to run as autotune measured it, read from the environment
 * that `autotune launch` and the exported scripts, units and pods set. It depends on nothing of
 * autotune's tuner (no SQLite, no Ink) and only on onnxruntime-node's types.
 */

export interface TunedRuntime {
  settings: TunedSettings;
  /** Pass to InferenceSession.create(model, sessionOptions). */
  sessionOptions: InferenceSession.SessionOptions;
  /** Samples per inference: gather up to this many requests into one run. */
  batch: number;
  /** How long a partial batch waits for more requests before it runs (ms). */
  maxQueueDelayMs: number;
}

export interface TunedRuntimeOptions {
  /** The CPUs this process may run on; default: read from /proc/self/status; null skips the check. */
  allowedCpus?: readonly number[] | null;
}

/** The tuned session options, batch and queue delay of this instance; throws one clear AutotuneError on a bad or missing variable. */
export function tunedRuntime(env: Environment = process.env, options: TunedRuntimeOptions = {}): TunedRuntime {
  const settings = readTunedSettings(env);
  checkAffinitiesAllowed(settings, options.allowedCpus === undefined ? ownAllowedCpus() : options.allowedCpus);
  return { settings, sessionOptions: sessionOptionsFor(settings), batch: settings.batch, maxQueueDelayMs: settings.maxQueueDelayMs };
}

export { readTunedSettings, sessionOptionsFor };
export { formatAffinities } from '../domain/variables.js';
export { VARIABLES, OMP_NUM_THREADS, type VariableName } from '../domain/variables.js';
export type { TunedSettings, Environment, ExecutionMode, GraphOptimization } from './settings.js';
