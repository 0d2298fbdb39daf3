import type { InferenceSession } from 'onnxruntime-node';
import { ortAffinities } from '../placement/affinities.js';
import { axisEnv, sessionOptions, type MemPolicyMode, type TrialConfig } from '../domain/config.js';
import { OMP_NUM_THREADS, VARIABLES } from '../domain/variables.js';
import type { Chosen } from './pick.js';

/** One instance of the user's server: the placement and environment of one measured worker. */
export interface Instance {
  index: number;
  /** Its CPU set, or null when the trial ran unpinned (the baseline): the OS places it. */
  cpus: number[] | null;
  memPolicy: MemPolicyMode;
  mems: number[];
  /** OMP_NUM_THREADS and autotune's AUTOTUNE_* settings for the server to read (autotune/runtime reads them). */
  env: Record<string, string>;
  /** The onnxruntime-node session options the worker used (what the server should pass). */
  sessionOptions: InferenceSession.SessionOptions;
  /** Resident memory the worker had when measured, for container memory limits. */
  rssBytes: number;
}

/** The instances of a measured trial, from the plan that was measured (not a fresh one). */
export function instancesOf(chosen: Pick<Chosen, 'result' | 'capacity'>): Instance[] {
  const { config, plan, model } = chosen.result;
  // The serving phase measured the SLO pick with this delay; a pick without one gets none.
  const maxQueueDelayMs = chosen.capacity?.load.maxQueueDelayMs ?? null;
  return plan.workers.map((worker) => {
    const affinities = plan.pinned ? ortAffinities(worker) : '';
    const env = instanceEnv(config, worker.index, affinities, maxQueueDelayMs, model.path);
    return {
      index: worker.index,
      cpus: plan.pinned ? worker.cpus : null,
      memPolicy: plan.pinned ? worker.memPolicy : 'default',
      mems: plan.pinned ? worker.mems : [],
      env,
      sessionOptions: sessionOptions(config, affinities) as InferenceSession.SessionOptions,
      rssBytes: chosen.result.workers.find((w) => w.index === worker.index)?.rssBytes ?? 0,
    };
  });
}

function instanceEnv(config: TrialConfig, index: number, affinities: string, maxQueueDelayMs: number | null, model: string): Record<string, string> {
  const env: Record<string, string> = { [OMP_NUM_THREADS]: String(config.threads), ...axisEnv(config) };
  if (maxQueueDelayMs !== null) env[VARIABLES.maxQueueDelayMs] = String(maxQueueDelayMs);
  if (affinities !== '') env[VARIABLES.intraOpAffinities] = affinities;
  env[VARIABLES.instance] = String(index);
  env[VARIABLES.model] = model;
  return env;
}

/** `{instance}` and `{port}` in a command line or argument, for instance `index`. */
export function expandPlaceholders(text: string, index: number, basePort: number): string {
  return text.replaceAll('{instance}', String(index)).replaceAll('{port}', String(basePort + index));
}
