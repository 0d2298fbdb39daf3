import { AutotuneError } from '../errors.js';
import { feasibility } from '../placement/index.js';
import { AUTO, axisEntries, type AxisName, type AxisValue, type Machine, type SpaceSpec } from '../domain/axes.js';
import { baselineConfig as baselineOn, configKey, type TrialConfig } from '../domain/config.js';
import type { LeftOutValue, StudyDefinition } from '../domain/study.js';
import { findAllocators } from '../topology/allocators.js';
import type { Topology } from '../topology/types.js';

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

/** What is installed here, probed from the filesystem; tests on fixture topologies pass their own. */
export type AllocatorProbe = () => Machine['allocators'];

/** The machine as the axes see it: the CPUs this process may use, their physical cores, L3 domains and nodes, the allocators installed. */
export function machineOf(topology: Topology, probe: AllocatorProbe = findAllocators): Machine {
  const allowed = new Set(topology.allowed.cpus);
  const usable = (cpus: number[]): boolean => cpus.some((cpu) => allowed.has(cpu));
  const cores = topology.cores.filter((core) => usable(core.cpus)).length;
  const l3Domains = Math.max(1, topology.l3Domains.filter((domain) => usable(domain.cpus)).length);
  const numaNodes = Math.max(1, topology.nodes.filter((node) => usable(node.cpus)).length);
  return { usableCpus: topology.allowed.cpus.length, cores, l3Domains, numaNodes, allocators: probe() };
}

/**
 * The space with every `auto` spec written out for this machine, and what `auto` left out there
 * and why. The study stores the written-out space, so its report and a resume on another machine
 * see the configurations this one searched.
 */
export function resolveAuto(space: SpaceSpec, machine: Machine): { space: SpaceSpec; leftOut: LeftOutValue[] } {
  const resolved: Record<string, unknown> = { ...space };
  const leftOut: LeftOutValue[] = [];
  for (const [name, a] of axisEntries()) {
    if (space[name] !== AUTO) continue;
    const kept = a.values(AUTO, machine, name);
    resolved[name] = kept;
    for (const l of a.leftOut?.(machine) ?? []) {
      if (!kept.includes(l.value)) leftOut.push({ axis: name, value: a.level(l.value), reason: l.reason });
    }
  }
  return { space: resolved as SpaceSpec, leftOut };
}

/**
 * The configuration as it runs: an axis with no effect in it (appliesTo false) holds its baseline,
 * so combinations that differ only there are one configuration.
 */
function effective(values: Record<string, AxisValue>, machine: Machine): Record<string, AxisValue> {
  const out = { ...values };
  for (const [name, a] of axisEntries()) if (a.appliesTo && !a.appliesTo(values)) out[name] = a.baseline(machine);
  return out;
}

/** The values of every axis of the study's space on this machine, in table order. */
export function spaceValues(space: SpaceSpec, machine: Machine): Array<[AxisName, AxisValue[]]> {
  return axisEntries().map(([name, a]) => [name, a.values(space[name], machine, name)]);
}

/** Every feasible configuration of the cartesian product of the study's axes. */
export function buildSpace(definition: Pick<StudyDefinition, 'space' | 'oversubscribe'>, topology: Topology, probe: AllocatorProbe = findAllocators): SearchSpace {
  const machine = machineOf(topology, probe);
  checkSpaceSize(definition.space, machine);
  const configs = new Map<string, TrialConfig>();
  let infeasibleExample: string | null = null;
  let infeasibleDropped = 0;
  for (const values of product(spaceValues(definition.space, machine))) {
    const config = { ...effective(values, machine), baseline: false } as TrialConfig;
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

/** The cartesian product, the first axis varying slowest (as nested loops in table order would). */
function* product(axes: ReadonlyArray<[AxisName, AxisValue[]]>): Generator<Record<string, AxisValue>> {
  if (axes.length === 0) {
    yield {};
    return;
  }
  const [[name, values], ...rest] = axes as [[AxisName, AxisValue[]], ...Array<[AxisName, AxisValue[]]>];
  for (const value of values) for (const tail of product(rest)) yield { [name]: value, ...tail };
}

function checkSpaceSize(space: SpaceSpec, machine: Machine): void {
  const counts = axisEntries().map(([name, a]) => [name, a.count(space[name], machine)] as const);
  const total = counts.reduce((product, [, n]) => product * n, 1);
  if (total <= MAX_SPACE_COMBINATIONS) return;
  const widest = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const axes = counts.map(([name, n]) => `${n} ${name}`).join(' x ');
  throw new AutotuneError(
    'usage',
    `the study's space has ${total} combinations (${axes}), more than the ${MAX_SPACE_COMBINATIONS} autotune searches: narrow ${widest} (a shorter range, a list, or scale: pow2)`,
  );
}

/**
 * onnxruntime's default set-up, measured first in every study (and by `trial --baseline`): the
 * table's baseline values, threads counted over the CPUs this process may use.
 */
export function baselineConfig(topology: Topology, batch: number): TrialConfig {
  return baselineOn(machineOf(topology), batch);
}
