import type { InferenceSession } from 'onnxruntime-node';
import { ortAffinities } from '../placement/affinities.js';
import { axisEnv, sessionOptions, type MemPolicyMode, type TrialConfig } from '../domain/config.js';
import type { TrialResult } from '../domain/results.js';

/** One instance of the user's server: the placement and environment of one measured worker. */
export interface Instance {
  index: number;
  /** Its CPU set, or null when the trial ran unpinned (the baseline): the OS places it. */
  cpus: number[] | null;
  memPolicy: MemPolicyMode;
  mems: number[];
  /** OMP_NUM_THREADS and autotune's AUTOTUNE_* settings for the server to read. */
  env: Record<string, string>;
  /** The onnxruntime-node session options the worker used (what the server should pass). */
  sessionOptions: InferenceSession.SessionOptions;
  /** Resident memory the worker had when measured, for container memory limits. */
  rssBytes: number;
}

/** The instances of a measured trial, from the plan that was measured (not a fresh one). */
export function instancesOf(result: TrialResult): Instance[] {
  const { config, plan } = result;
  return plan.workers.map((worker) => {
    const affinities = plan.pinned ? ortAffinities(worker) : '';
    return {
      index: worker.index,
      cpus: plan.pinned ? worker.cpus : null,
      memPolicy: plan.pinned ? worker.memPolicy : 'default',
      mems: plan.pinned ? worker.mems : [],
      env: instanceEnv(config, worker.index, affinities),
      sessionOptions: sessionOptions(config, affinities) as InferenceSession.SessionOptions,
      rssBytes: result.workers.find((w) => w.index === worker.index)?.rssBytes ?? 0,
    };
  });
}

function instanceEnv(config: TrialConfig, index: number, affinities: string): Record<string, string> {
  const env: Record<string, string> = { OMP_NUM_THREADS: String(config.threads), ...axisEnv(config) };
  if (affinities !== '') env['AUTOTUNE_INTRA_OP_AFFINITIES'] = affinities;
  env['AUTOTUNE_INSTANCE'] = String(index);
  return env;
}

/** `{instance}` and `{port}` in a command line or argument, for instance `index`. */
export function expandPlaceholders(text: string, index: number, basePort: number): string {
  return text.replaceAll('{instance}', String(index)).replaceAll('{port}', String(basePort + index));
}

