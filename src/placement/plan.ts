import { AutotuneError } from '../errors.js';
import { formatCpuList } from '../topology/cpulist.js';
import type { Topology } from '../topology/types.js';
import { feasibility, localNodeCpus } from './feasibility.js';
import { usableHardware, type UsableHardware } from './hardware.js';
import { CpuPool } from './pool.js';
import type { MemPolicyMode, Plan, PlanOptions, TrialConfig, WorkerPlan } from './types.js';

/** Core indices grouped at each level a worker should preferably stay within, narrowest first. */
interface Scopes {
  all: number[];
  domains: number[][];
  nodes: Map<number, number[]>;
  packages: number[][];
}

function groupBy(hw: UsableHardware, key: (i: number) => string | number): number[][] {
  const groups = new Map<string | number, number[]>();
  hw.cores.forEach((_, i) => {
    const k = key(i);
    const group = groups.get(k);
    if (group) group.push(i);
    else groups.set(k, [i]);
  });
  return [...groups.values()];
}

function scopesOf(hw: UsableHardware): Scopes {
  const nodes = new Map<number, number[]>();
  for (const indices of groupBy(hw, (i) => hw.cores[i]!.node)) nodes.set(hw.cores[indices[0]!]!.node, indices);
  return {
    all: hw.cores.map((_, i) => i),
    domains: groupBy(hw, (i) => `${hw.cores[i]!.node}:${hw.cores[i]!.l3}`),
    nodes,
    packages: groupBy(hw, (i) => hw.cores[i]!.package),
  };
}

function firstWithRoom(pool: CpuPool, scopes: number[][], need: number): number[] | undefined {
  return scopes.find((scope) => pool.freeCount(scope) >= need);
}

/** From node `start` on, the node ids in round-robin order. */
function rotation(nodes: number[], start: number): number[] {
  return nodes.map((_, j) => nodes[(start + j) % nodes.length]!);
}

/** Compact: the first L3 domain that fits, else node, else package, else wherever CPUs are free. */
function allocateCompact(pool: CpuPool, scopes: Scopes, threads: number): number[] {
  const within = firstWithRoom(pool, [...scopes.domains, ...scopes.nodes.values(), ...scopes.packages], threads);
  return pool.takeWrapping(within ?? scopes.all, threads);
}

/**
 * Scatter: one thread at a time from each L3 domain of the scope in turn (domains with no free CPU
 * skipped), so a worker's threads spread over as many L3 caches and memory controllers as it has
 * threads; once every domain is full, the rest wrap as compact does.
 */
function allocateScatter(pool: CpuPool, domains: number[][], scope: number[], threads: number): number[] {
  const out: number[] = [];
  while (out.length < threads) {
    const open = domains.filter((d) => pool.freeCount(d) > 0);
    if (open.length === 0) return [...out, ...pool.takeWrapping(scope, threads - out.length)];
    for (const domain of open.slice(0, threads - out.length)) out.push(...pool.take(domain, 1));
  }
  return out;
}

/** The L3 domains inside a scope of core indices. */
const domainsWithin = (scopes: Scopes, scope: readonly number[]): number[][] => scopes.domains.filter((d) => scope.includes(d[0]!));

/** Local: the worker's node is chosen round-robin (skipping full nodes); within it, compact or scattered over its L3 domains. */
function allocateLocal(pool: CpuPool, scopes: Scopes, localNodes: number[], index: number, threads: number, scatter: boolean): number[] {
  const candidates = rotation(localNodes, index % localNodes.length);
  const pick = (): number | undefined => candidates.find((node) => pool.freeCount(scopes.nodes.get(node)!) >= threads);
  let node = pick();
  if (node === undefined) {
    // Only reachable with oversubscription (feasibility checked the rest): start a new round.
    pool.refill(scopes.all, new Set());
    node = pick()!;
  }
  const nodeScope = scopes.nodes.get(node)!;
  const domains = domainsWithin(scopes, nodeScope);
  if (scatter) return allocateScatter(pool, domains, nodeScope, threads);
  return pool.take(firstWithRoom(pool, domains, threads) ?? nodeScope, threads);
}

/**
 * Spread: the worker's threads are split as evenly as the free CPUs allow over every node with
 * usable CPUs; the node that gets the larger share rotates with the worker index, so the nodes'
 * totals stay balanced too. Within a node its share is placed compactly.
 */
function allocateSpread(pool: CpuPool, scopes: Scopes, index: number, threads: number, scatter: boolean): number[] {
  const nodes = rotation([...scopes.nodes.keys()], index % scopes.nodes.size);
  const roomy = pool.freeCount(scopes.all) >= threads;
  const capacity = new Map(nodes.map((n) => [n, roomy ? pool.freeCount(scopes.nodes.get(n)!) : scopes.nodes.get(n)!.length]));
  const share = new Map(nodes.map((n) => [n, 0]));
  const smallestShare = (candidates: number[]): number | undefined =>
    candidates.reduce<number | undefined>((best, n) => (best === undefined || share.get(n)! < share.get(best)! ? n : best), undefined);
  for (let t = 0; t < threads; t++) {
    const node = smallestShare(nodes.filter((n) => share.get(n)! < capacity.get(n)!)) ?? smallestShare(nodes)!;
    share.set(node, share.get(node)! + 1);
  }
  const out: number[] = [];
  for (const [node, need] of share) {
    if (need === 0) continue;
    const nodeScope = scopes.nodes.get(node)!;
    const domains = domainsWithin(scopes, nodeScope);
    out.push(...(scatter ? allocateScatter(pool, domains, nodeScope, need) : pool.takeWrapping(firstWithRoom(pool, domains, need) ?? nodeScope, need)));
  }
  return out;
}

function memoryOf(config: TrialConfig, cpus: number[], workerNodes: number[], hw: UsableHardware): { memPolicy: MemPolicyMode; mems: number[] } {
  switch (config.numa) {
    case 'none':
      return { memPolicy: 'default', mems: [] };
    case 'local':
      return { memPolicy: 'bind', mems: workerNodes };
    case 'preferred': {
      // numactl --preferred: one node first, the others when it is full. The node holding most of
      // the worker's CPUs, or the first allowed memory node where the worker's nodes have none.
      const withMemory = workerNodes.filter((n) => hw.mems.includes(n));
      const counts = withMemory.map((n) => hw.cores.filter((core) => core.node === n).flatMap((core) => core.cpus).filter((cpu) => cpus.includes(cpu)).length);
      const node = withMemory[counts.indexOf(Math.max(...counts))] ?? hw.mems[0]!;
      return { memPolicy: 'preferred', mems: [node] };
    }
    case 'interleave':
    case 'spread': {
      const mems = workerNodes.filter((n) => hw.mems.includes(n));
      // CPU-only nodes have no memory to interleave over; fall back to every allowed memory node.
      return { memPolicy: 'interleave', mems: mems.length > 0 ? mems : [...hw.mems] };
    }
  }
}

function unpinnedPlan(config: TrialConfig, topology: Topology, hw: UsableHardware, note: string): Plan {
  const cpus = topology.allowed.cpus;
  const workers = Array.from({ length: config.processes }, (_, index): WorkerPlan => ({
    index,
    cpus: [...cpus],
    mainCpu: null,
    poolCpus: [],
    memPolicy: 'default',
    mems: [],
    nodes: [...hw.nodes],
  }));
  return {
    workers,
    oversubscribed: !config.baseline && config.processes * config.threads > cpus.length,
    pinned: false,
    notes: [note],
  };
}

/**
 * Turns a configuration into per-worker CPU sets, the CPU of each onnxruntime thread and a memory
 * policy, using only the CPUs and memory nodes this process may use. Throws AutotuneError('usage')
 * exactly when `feasibility` says no, with the same one-line reason.
 *
 * Policies: `none` places compactly and leaves memory to the OS; `local` keeps each worker on one
 * node (round-robin over nodes) with memory bound there; `preferred` places compactly and prefers
 * (numactl --preferred) the memory of the worker's own node, spilling elsewhere rather than
 * failing when it is full; `interleave` places compactly and
 * interleaves memory over the nodes the worker's CPUs span; `spread` splits each worker's threads
 * evenly over all nodes and interleaves its memory over them, so weights are read from every
 * node's memory bandwidth at once (binding them to one node would make the others remote).
 */
export function planPlacement(config: TrialConfig, topology: Topology, options: PlanOptions): Plan {
  const verdict = feasibility(config, topology, options.oversubscribe);
  if (!verdict.ok) throw new AutotuneError('usage', verdict.reason);
  const hw = usableHardware(topology, config.smt);

  if (config.baseline) {
    return unpinnedPlan(config, topology, hw, 'baseline: onnxruntime defaults, no pinning and no memory policy; the OS places every thread');
  }
  if (!options.pinning) {
    return unpinnedPlan(
      config,
      topology,
      hw,
      `pinning is unavailable here, so every worker may run on all allowed CPUs (${formatCpuList(topology.allowed.cpus)}) without a memory policy and the OS places every thread`,
    );
  }

  const scopes = scopesOf(hw);
  const pool = new CpuPool(hw.cores);
  const nodeOfCpu = new Map(hw.cores.flatMap((core) => core.cpus.map((cpu) => [cpu, core.node] as const)));
  const localNodes = [...localNodeCpus(hw).keys()];

  const workers: WorkerPlan[] = [];
  const scatter = config.threadPlacement === 'scatter';
  for (let index = 0; index < config.processes; index++) {
    const slots =
      config.numa === 'local'
        ? allocateLocal(pool, scopes, localNodes, index, config.threads, scatter)
        : config.numa === 'spread'
          ? allocateSpread(pool, scopes, index, config.threads, scatter)
          : scatter
            ? allocateScatter(pool, scopes.domains, scopes.all, config.threads)
            : allocateCompact(pool, scopes, config.threads);
    slots.sort((a, b) => a - b);
    const cpus = [...new Set(slots)];
    const nodes = [...new Set(cpus.map((cpu) => nodeOfCpu.get(cpu)!))].sort((a, b) => a - b);
    workers.push({
      index,
      cpus,
      mainCpu: slots[0]!,
      poolCpus: slots.slice(1).map((cpu) => [cpu]),
      ...memoryOf(config, cpus, nodes, hw),
      nodes,
    });
  }

  const notes: string[] = [];
  if (pool.wrapped) {
    notes.push(`oversubscribed: ${config.processes} x ${config.threads} threads on ${hw.cpus.length} usable CPUs, so workers share CPUs`);
  }
  if (config.numa !== 'none' && hw.nodes.length === 1) {
    notes.push(`one usable NUMA node (${hw.nodes[0]}): --numa ${config.numa} differs from none only in its memory policy`);
  }
  return { workers, oversubscribed: pool.wrapped, pinned: true, notes };
}
