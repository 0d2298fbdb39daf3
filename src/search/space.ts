import { AutotuneError } from '../errors.js';
import { feasibility } from '../placement/index.js';
import type { TrialConfig } from '../placement/types.js';
import type { StudyDefinition, IntAxis } from '../study/schema.js';
import type { Topology } from '../topology/types.js';
import { configKey } from './strategy.js';

export interface SearchSpace {
  /** Feasible, distinct configurations in enumeration order (axis by axis, as the study lists them). */
  configs: TrialConfig[];
  /** Combinations dropped because placement cannot honour them here (e.g. P x T above the usable CPUs). */
  infeasibleDropped: number;
  /** Why the first dropped combination could not be placed (null when none was dropped). */
  infeasibleExample: string | null;
}

/**
 * The most combinations a study's axes may span. A grid that large already takes weeks of trials,
 * the strategies hold the whole space in memory, and the count is checked before any axis is
 * enumerated, so a typo like `batch: {min: 1, max: 100000000}` is one clear error, not a crash.
 */
export const MAX_SPACE_COMBINATIONS = 100_000;

/** How many values `axisValues` gives for the axis, computed without enumerating it. */
export function axisCount(axis: IntAxis, usableCpus: number): number {
  if (Array.isArray(axis)) return new Set(axis).size;
  const max = axis.max === 'cpus' ? usableCpus : axis.max;
  if (max < axis.min) return 0;
  if (axis.scale === 'linear') return max - axis.min + 1;
  let powers = 0;
  for (let v = 1; v <= max; v *= 2) if (v > axis.min && v < max) powers++;
  return powers + (max === axis.min ? 1 : 2);
}

/**
 * The values of one integer axis on this machine. `max: cpus` is the CPUs this process may use;
 * a pow2 range takes the powers of two inside [min, max] plus both ends, so `1..cpus` on 6 CPUs is
 * 1, 2, 4, 6 and the whole machine is always tried.
 */
export function axisValues(axis: IntAxis, usableCpus: number, name: string): number[] {
  if (Array.isArray(axis)) return [...new Set(axis)].sort((a, b) => a - b);
  const max = axis.max === 'cpus' ? usableCpus : axis.max;
  if (max < axis.min) {
    throw new AutotuneError('usage', `${name} ${axis.min}-cpus is empty on this machine (${max} usable CPUs): lower its min`);
  }
  const values = new Set<number>([axis.min, max]);
  if (axis.scale === 'linear') for (let v = axis.min; v <= max; v++) values.add(v);
  else for (let v = 1; v <= max; v *= 2) if (v >= axis.min) values.add(v);
  return [...values].sort((a, b) => a - b);
}

/** Every feasible configuration of the cartesian product of the study's axes. */
export function buildSpace(definition: Pick<StudyDefinition, 'space' | 'oversubscribe'>, topology: Topology): SearchSpace {
  const usable = topology.allowed.cpus.length;
  const { space } = definition;
  checkSpaceSize(space, usable);
  const processes = axisValues(space.processes, usable, 'processes');
  const threads = axisValues(space.threads, usable, 'threads');
  const batches = axisValues(space.batch, usable, 'batch');
  const configs = new Map<string, TrialConfig>();
  let infeasibleExample: string | null = null;
  let infeasibleDropped = 0;
  for (const p of processes)
    for (const t of threads)
      for (const numa of space.numa)
        for (const batch of batches)
          for (const smt of space.smt)
            for (const spinning of space.spinning) {
              const config: TrialConfig = { processes: p, threads: t, numa, batch, smt, spinning, baseline: false };
              const key = configKey(config);
              if (configs.has(key)) continue;
              const verdict = feasibility(config, topology, definition.oversubscribe);
              if (verdict.ok) configs.set(key, config);
              else {
                infeasibleDropped++;
                infeasibleExample ??= verdict.reason;
              }
            }
  if (configs.size === 0) {
    throw new AutotuneError('usage', `no feasible configuration in the study's space on this machine: ${infeasibleExample ?? 'the space is empty'}`);
  }
  return { configs: [...configs.values()], infeasibleDropped, infeasibleExample };
}

function checkSpaceSize(space: StudyDefinition['space'], usable: number): void {
  const counts = {
    processes: axisCount(space.processes, usable),
    threads: axisCount(space.threads, usable),
    numa: space.numa.length,
    batch: axisCount(space.batch, usable),
    smt: space.smt.length,
    spinning: space.spinning.length,
  };
  const total = Object.values(counts).reduce((product, n) => product * n, 1);
  if (total <= MAX_SPACE_COMBINATIONS) return;
  const widest = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]![0];
  const axes = Object.entries(counts).map(([name, n]) => `${n} ${name}`).join(' x ');
  throw new AutotuneError(
    'usage',
    `the study's space has ${total} combinations (${axes}), more than the ${MAX_SPACE_COMBINATIONS} autotune searches: narrow ${widest} (a shorter range, a list, or scale: pow2)`,
  );
}

/**
 * onnxruntime's default set-up, measured first in every study: one process, intraOpNumThreads
 * unset (onnxruntime then uses one thread per physical core), no pinning, no memory policy.
 * `threads` records that count over the CPUs this process may use.
 */
export function baselineConfig(topology: Topology, batch: number): TrialConfig {
  const allowed = new Set(topology.allowed.cpus);
  const cores = topology.cores.filter((core) => core.cpus.some((cpu) => allowed.has(cpu))).length;
  return { processes: 1, threads: Math.max(1, cores), numa: 'none', batch, smt: 'cores', spinning: true, baseline: true };
}
