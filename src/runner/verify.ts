import { allocatorOfLibrary, type Allocator } from '../domain/axes.js';
import type { Plan, WorkerPlan } from '../domain/config.js';
import { formatCpuList } from '../topology/cpulist.js';
import type { ThreadReadBack, Verification, WorkerReadBack } from './types.js';

/**
 * Compares what the kernel reports for every worker thread with the plan, and the allocator
 * libraries each worker has mapped with the one the configuration preloads. Each difference is one
 * line; the runner raises them as warnings and noise reasons, so a placement that did not hold is
 * never reported as if it had.
 */
export function verifyPlacement(plan: Plan, readBack: WorkerReadBack[], allocator: Allocator): Verification {
  const mismatches: string[] = [];
  for (const worker of plan.workers) {
    const rb = readBack.find((r) => r.index === worker.index);
    if (!rb) {
      mismatches.push(`worker ${worker.index}: no read-back`);
      continue;
    }
    mismatches.push(...checkCpus(worker, rb), ...checkAllocator(worker, rb, allocator));
    if (plan.pinned) mismatches.push(...checkPinned(worker, rb), ...checkMemory(worker, rb));
  }
  return { verified: mismatches.length === 0, mismatches };
}

const list = (cpus: number[]): string => formatCpuList(cpus) || 'none';
const sameSet = (a: number[], b: number[]): boolean => list(a) === list(b);
const subset = (a: number[], of: number[]): boolean => a.every((x) => of.includes(x));

function threadLabel(worker: WorkerPlan, thread: ThreadReadBack): string {
  return `worker ${worker.index} thread ${thread.tid} (${thread.name})`;
}

function checkCpus(worker: WorkerPlan, rb: WorkerReadBack): string[] {
  return rb.threads
    .filter((t) => !subset(t.cpus, worker.cpus))
    .map((t) => `${threadLabel(worker, t)} may run on CPUs ${list(t.cpus)}, planned ${list(worker.cpus)}`);
}

/** The main thread on its own CPU, and one pool thread pinned to each planned group. */
function checkPinned(worker: WorkerPlan, rb: WorkerReadBack): string[] {
  const out: string[] = [];
  const main = rb.threads.find((t) => t.tid === rb.pid);
  if (worker.mainCpu !== null) {
    if (!main) out.push(`worker ${worker.index}: main thread ${rb.pid} not found`);
    else if (!sameSet(main.cpus, [worker.mainCpu])) {
      out.push(`worker ${worker.index} main thread may run on CPUs ${list(main.cpus)}, planned ${worker.mainCpu}`);
    }
  }
  const others = rb.threads.filter((t) => t.tid !== rb.pid).map((t) => list(t.cpus));
  const wanted = new Map<string, number>();
  for (const group of worker.poolCpus) wanted.set(list(group), (wanted.get(list(group)) ?? 0) + 1);
  for (const [group, count] of wanted) {
    const found = others.filter((cpus) => cpus === group).length;
    if (found < count) {
      out.push(`worker ${worker.index}: ${count} pool thread(s) planned on CPUs ${group}, ${found} found there`);
    }
  }
  return out;
}

/** The planned allocator's library mapped and no other's (none under glibc's malloc): an inherited LD_PRELOAD shows here too. */
function checkAllocator(worker: WorkerPlan, rb: WorkerReadBack, allocator: Allocator): string[] {
  const mapped = [...new Set(rb.allocators.map(allocatorOfLibrary))];
  const planned = allocator === 'glibc' ? [] : [allocator];
  if (mapped.length === planned.length && mapped.every((a) => a === allocator)) return [];
  return [`worker ${worker.index} has ${rb.allocators.join(', ') || 'no allocator library'} mapped, planned ${allocator === 'glibc' ? "glibc's malloc" : allocator}`];
}

function checkMemory(worker: WorkerPlan, rb: WorkerReadBack): string[] {
  const out: string[] = [];
  for (const t of rb.threads) {
    if (!subset(worker.mems, t.mems)) {
      out.push(`${threadLabel(worker, t)} may use memory nodes ${list(t.mems)}, planned ${list(worker.mems)}`);
    }
  }
  const planned = `${worker.memPolicy} ${list(worker.mems)}`;
  if (rb.memPolicy === null) {
    if (worker.memPolicy !== 'default') out.push(`worker ${worker.index}: memory policy could not be read back, planned ${planned}`);
  } else if (rb.memPolicy.mode !== worker.memPolicy || !sameSet(rb.memPolicy.nodes, worker.mems)) {
    out.push(`worker ${worker.index}: memory policy is ${rb.memPolicy.mode} ${list(rb.memPolicy.nodes)}, planned ${planned}`);
  }
  return out;
}
