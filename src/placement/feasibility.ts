import { formatCpuList } from '../topology/cpulist.js';
import type { Topology } from '../topology/types.js';
import { usableHardware, type UsableHardware } from './hardware.js';
import type { Feasibility, TrialConfig } from './types.js';

/** Usable CPUs per node that `local` may bind to: the node must hold usable CPUs and allowed memory. */
export function localNodeCpus(hw: UsableHardware): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const node of hw.nodes) if (hw.mems.includes(node)) out.set(node, []);
  for (const core of hw.cores) out.get(core.node)?.push(...core.cpus);
  return out;
}

/**
 * How far --oversubscribe may go: threads (P x T) per usable CPU. Beyond a few threads per CPU a
 * trial measures the scheduler's time slicing, not a placement, and an unbounded count lets a typo
 * (--processes 100000) fork processes until the machine falls over.
 */
export const MAX_THREADS_PER_CPU = 4;

/**
 * Resident memory a worker needs before its model: a Node process with onnxruntime loaded (about
 * 88 MiB measured with a tiny model). Workers beyond memory / this cannot all start.
 */
export const WORKER_MEMORY_FLOOR_BYTES = 64 * 2 ** 20;

function wholeNumber(value: number, what: string): string | null {
  return Number.isInteger(value) && value >= 1 ? null : `${what} must be a whole number >= 1, got ${value}`;
}

/**
 * Whether planPlacement can place `config` here, and if not the one-line reason it would throw.
 * Kept apart from the allocator so the search space can test thousands of combinations cheaply;
 * the allocator never fails on a configuration this accepts (see the placement tests).
 */
export function feasibility(config: TrialConfig, topology: Topology, oversubscribe: boolean): Feasibility {
  if (config.baseline) return { ok: true };
  const bad = wholeNumber(config.processes, 'processes') ?? wholeNumber(config.threads, 'threads');
  if (bad !== null) return { ok: false, reason: bad };

  const hw = usableHardware(topology, config.smt);
  const p = config.processes;
  const t = config.threads;
  if (hw.cpus.length === 0) {
    return { ok: false, reason: 'this process may use no CPU (allowed CPU list is empty): check the cgroup cpuset and affinity' };
  }

  if (oversubscribe) {
    const bound = oversubscriptionBound(p, t, hw.cpus.length, topology);
    if (bound !== null) return { ok: false, reason: bound };
  }

  if (config.numa === 'local') {
    const perNode = [...localNodeCpus(hw)];
    const describe = perNode.map(([id, cpus]) => `node ${id}: ${formatCpuList(cpus)}`).join('; ');
    if (perNode.length === 0) {
      return { ok: false, reason: `--numa local needs a node with usable CPUs and allowed memory, and none has both (allowed mems ${formatCpuList(hw.mems)}): use --numa none` };
    }
    const largest = Math.max(...perNode.map(([, cpus]) => cpus.length));
    if (t > largest) {
      return {
        ok: false,
        reason: `--numa local keeps a worker's ${t} threads on one node, but the largest node has ${largest} usable CPUs (${describe}): lower --threads or use --numa interleave or spread`,
      };
    }
    const fit = perNode.reduce((sum, [, cpus]) => sum + Math.floor(cpus.length / t), 0);
    if (!oversubscribe && fit < p) {
      return {
        ok: false,
        reason: `--numa local fits ${fit} workers of ${t} threads (${describe}) but ${p} were asked: lower --processes/--threads or pass --oversubscribe`,
      };
    }
    return { ok: true };
  }

  if (!oversubscribe && p * t > hw.cpus.length) {
    const list = formatCpuList(hw.cpus);
    const physicalOnly = config.smt === 'cores' && hw.cpus.length < topology.allowed.cpus.length;
    return {
      ok: false,
      reason: physicalOnly
        ? `P x T = ${p * t} CPUs but --smt cores leaves ${hw.cpus.length} physical cores (one CPU each: ${list}): lower --processes/--threads, use --smt all or pass --oversubscribe`
        : `P x T = ${p * t} CPUs but this process may use ${hw.cpus.length} (${list}): lower --processes/--threads or pass --oversubscribe`,
    };
  }
  return { ok: true };
}

/** With --oversubscribe: the reason P x T exceeds what this machine can hold, else null. */
function oversubscriptionBound(p: number, t: number, cpus: number, topology: Topology): string | null {
  const maxThreads = MAX_THREADS_PER_CPU * cpus;
  if (p * t > maxThreads) {
    return `P x T = ${p * t} threads is more than --oversubscribe allows: at most ${MAX_THREADS_PER_CPU} per usable CPU, ${maxThreads} on these ${cpus}: lower --processes/--threads`;
  }
  const memory = topology.nodes.reduce((sum, node) => sum + node.memBytes, 0);
  const maxWorkers = Math.floor(memory / WORKER_MEMORY_FLOOR_BYTES);
  if (memory > 0 && p > maxWorkers) {
    const gib = (memory / 2 ** 30).toFixed(1);
    return `${p} worker processes need at least ${WORKER_MEMORY_FLOOR_BYTES / 2 ** 20} MiB each, but this machine has ${gib} GiB: at most ${maxWorkers} workers; lower --processes`;
  }
  return null;
}
