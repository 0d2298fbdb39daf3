import { z } from 'zod';
import { axisEntries, type AxisValues, type Machine, type SessionOptions } from './axes.js';

export { NUMA_POLICIES, SMT_USES, type NumaPolicy, type SmtUse } from './axes.js';

/** One candidate configuration: a value per axis of the table, and whether it is the baseline. */
export type TrialConfig = AxisValues & {
  /**
   * onnxruntime's default set-up: one process, intraOpNumThreads left unset, no pinning, no memory
   * policy, every other axis at onnxruntime's default. Every study measures it first so reports can
   * state the gain. For a baseline, threads records the count onnxruntime chose by itself.
   */
  baseline: boolean;
};

/** The six axes every configuration has had since the first schema. */
type FirstAxes = 'processes' | 'threads' | 'numa' | 'batch' | 'smt' | 'spinning';

/** A configuration as benchmarks, tests and older tables write it: the first six axes, later ones optional. */
export type ConfigInput = Pick<TrialConfig, FirstAxes | 'baseline'> & Partial<TrialConfig>;

/** The configuration `input` names, every axis it leaves out at onnxruntime's default. */
export function completeConfig(input: ConfigInput): TrialConfig {
  // A later axis's stored schema defaults to its baseline; the given values are not validated here (tests build bad ones on purpose).
  const later = axisEntries().filter(([, a]) => a.addedLater).map(([name, a]) => [name, a.stored.parse(undefined)]);
  return { ...(Object.fromEntries(later) as Partial<TrialConfig>), ...input } as TrialConfig;
}

/**
 * onnxruntime's default set-up on this machine, the one rule `tune` and `trial` share: every axis
 * at its baseline value, threads the physical cores among the CPUs this process may use
 * (sched_getaffinity), not all the machine's cores.
 */
export function baselineConfig(machine: Machine, batch: number): TrialConfig {
  const values = Object.fromEntries(axisEntries().map(([name, a]) => [name, a.baseline(machine)])) as AxisValues;
  return { ...values, batch, baseline: true };
}

/** Identity of a configuration, for deduplication and lookups. */
export function configKey(c: TrialConfig): string {
  if (c.baseline) return `baseline/b${c.batch}`;
  return axisEntries()
    .map(([name, a]) => fragment(c, name, a.key))
    .filter((part) => part !== '')
    .join('/');
}

/** An axis's fragment; none for a later axis a configuration predates (an event log written before it, say). */
function fragment(c: TrialConfig, name: keyof AxisValues, part: (value: never) => string): string {
  const value = c[name] as AxisValues[keyof AxisValues] | undefined;
  return value === undefined ? '' : (part as (value: unknown) => string)(value);
}

function labelParts(c: TrialConfig): string {
  return axisEntries()
    .map(([name, a]) => fragment(c, name, a.label))
    .filter((part) => part !== '')
    .join(' ');
}

/** `p2 t4 local b8 spin`: the short form every report format and the dashboard use. */
export function configLabel(c: TrialConfig): string {
  return c.baseline ? `baseline b${c.batch}` : labelParts(c);
}

/** As configLabel, the baseline saying what onnxruntime chose: what the line-oriented CLI output uses. */
export function formatConfig(c: TrialConfig): string {
  return c.baseline ? `baseline (ORT defaults, ${c.threads} threads) b${c.batch}` : labelParts(c);
}

/** `P=2 T=4 numa=local ...`: every axis named, for the trial's header. */
export function describeConfig(c: TrialConfig): string {
  return axisEntries()
    .map(([name, a]) => `${name}=${a.level(c[name])}`)
    .join(' ');
}

/**
 * A stored configuration (JSON keyed by axis name). Axes added after it was written are absent
 * and read back at their baseline value, which is what the trial ran with.
 */
export const storedConfigSchema = z.object({
  ...(Object.fromEntries(axisEntries().map(([name, a]) => [name, a.stored])) as { [K in keyof AxisValues]: z.ZodType<AxisValues[K]> }),
  baseline: z.boolean(),
});

/**
 * The onnxruntime-node session options of a worker running `config` (the trial's worker and every
 * export build them here, so a server gets what was measured). The baseline sets nothing beyond
 * onnxruntime's defaults.
 */
export function sessionOptions(config: TrialConfig, intraOpAffinities: string): SessionOptions {
  const options: SessionOptions = { executionMode: 'sequential', graphOptimizationLevel: 'all' };
  if (config.baseline) return options;
  // Left unset, onnxruntime starts one pinned thread per physical core and ignores cgroup limits.
  options.intraOpNumThreads = config.threads;
  options.interOpNumThreads = 1;
  for (const [name, a] of axisEntries()) a.session?.(config[name], options);
  if (intraOpAffinities !== '') (options.extra ??= { session: {} }).session['intra_op_thread_affinities'] = intraOpAffinities;
  return options;
}

/** The environment variables an exported instance of `config` gets from its axes. */
export function axisEnv(config: TrialConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, a] of axisEntries()) {
    // The baseline leaves intraOpNumThreads to onnxruntime, so there is no count to pass on.
    if (config.baseline && name === 'threads') continue;
    Object.assign(env, a.env?.(config[name]));
  }
  return env;
}

export type MemPolicyMode = 'default' | 'bind' | 'preferred' | 'interleave' | 'local';

export interface WorkerPlan {
  index: number;
  /** CPUs this worker process may run on (its whole affinity mask); ascending. */
  cpus: number[];
  /** CPU the worker pins its main (calling) thread to, or null when unpinned. */
  mainCpu: number | null;
  /** One CPU list per onnxruntime intra-op pool thread (threads - 1 entries). */
  poolCpus: number[][];
  /** Memory policy applied by the launcher before the worker starts. */
  memPolicy: MemPolicyMode;
  /** Nodes of the memory policy (empty for default/local). */
  mems: number[];
  /** NUMA nodes the worker's CPUs belong to. */
  nodes: number[];
}

export interface Plan {
  workers: WorkerPlan[];
  /** True when workers share CPUs (only when the user asked for oversubscription). */
  oversubscribed: boolean;
  /** False for the baseline and when pinning is unsupported here: the OS places everything. */
  pinned: boolean;
  notes: string[];
}

