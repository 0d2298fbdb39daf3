import type { SmtUse } from './types.js';
import type { Topology } from '../topology/types.js';

/**
 * The part of the machine a plan may use: the allowed CPUs grouped by physical core, in placement
 * order (node, then L3 domain within the node, then core). Every placement decision works on cores
 * so that SMT siblings stay together.
 */
export interface UsableCore {
  /** Allowed hardware threads of this core in use order; with smt 'cores' only the first. */
  cpus: number[];
  node: number;
  package: number;
  /** The L3 domain id, or -1 where the cache layout is unknown (the node then stands in for it). */
  l3: number;
}

export interface UsableHardware {
  cores: UsableCore[];
  /** Node ids that hold usable cores, ascending. */
  nodes: number[];
  /** Every usable CPU in placement order. */
  cpus: number[];
  /** Memory nodes a policy may name (allowed.mems; every node when the topology does not say). */
  mems: number[];
}

// The search space asks about thousands of configurations on one topology; topologies are
// values that nobody mutates once read, so the grouping is worked out once per topology.
const cache = new WeakMap<Topology, Map<SmtUse, UsableHardware>>();

export function usableHardware(topology: Topology, smt: SmtUse): UsableHardware {
  let perSmt = cache.get(topology);
  if (!perSmt) cache.set(topology, (perSmt = new Map()));
  let hw = perSmt.get(smt);
  if (!hw) perSmt.set(smt, (hw = group(topology, smt)));
  return hw;
}

function group(topology: Topology, smt: SmtUse): UsableHardware {
  const allowed = new Set(topology.allowed.cpus);
  const nodeOfCpu = new Map<number, number>();
  for (const node of topology.nodes) for (const cpu of node.cpus) nodeOfCpu.set(cpu, node.id);
  const l3OfCpu = new Map<number, number>();
  for (const domain of topology.l3Domains) for (const cpu of domain.cpus) l3OfCpu.set(cpu, domain.id);
  const packageOfCpu = new Map<number, number>();
  for (const pkg of topology.packages) for (const cpu of pkg.cpus) packageOfCpu.set(cpu, pkg.id);
  const fallbackNode = topology.nodes[0]?.id ?? 0;

  const cores: UsableCore[] = [];
  const covered = new Set<number>();
  const addCore = (threads: number[], node: number | undefined, pkg: number | undefined): void => {
    const first = threads[0]!;
    cores.push({
      cpus: smt === 'cores' ? [first] : threads,
      node: nodeOfCpu.get(first) ?? node ?? fallbackNode,
      package: packageOfCpu.get(first) ?? pkg ?? 0,
      l3: l3OfCpu.get(first) ?? -1,
    });
  };
  for (const core of topology.cores) {
    const threads = core.cpus.filter((cpu) => allowed.has(cpu));
    threads.forEach((cpu) => covered.add(cpu));
    if (threads.length > 0) addCore(threads, core.node, core.package);
  }
  // A CPU the core list misses (no topology/ directory) still counts, as a core of its own.
  for (const cpu of topology.allowed.cpus) if (!covered.has(cpu)) addCore([cpu], undefined, undefined);

  const domainFirstCpu = new Map<string, number>();
  for (const core of cores) {
    const key = `${core.node}:${core.l3}`;
    domainFirstCpu.set(key, Math.min(domainFirstCpu.get(key) ?? Infinity, core.cpus[0]!));
  }
  cores.sort(
    (a, b) =>
      a.node - b.node ||
      domainFirstCpu.get(`${a.node}:${a.l3}`)! - domainFirstCpu.get(`${b.node}:${b.l3}`)! ||
      a.cpus[0]! - b.cpus[0]!,
  );

  const nodes = [...new Set(cores.map((c) => c.node))].sort((a, b) => a - b);
  const mems = topology.allowed.mems.length > 0 ? topology.allowed.mems : topology.nodes.map((n) => n.id);
  return { cores, nodes, cpus: cores.flatMap((c) => c.cpus), mems };
}

/** CPUs a plan may hand out: allowed hardware threads, or allowed physical cores with smt 'cores'. */
export function usableCpuCount(topology: Topology, smt: SmtUse): number {
  return usableHardware(topology, smt).cpus.length;
}
