import { readdirSync } from 'node:fs';
import { AutotuneError } from '../errors.js';
import { formatCpuList } from '../topology/cpulist.js';
import { requireAddon, type LinuxAddon } from './addon.js';
import { errnoHint, raiseSyscallError, syscallFailure, type SyscallFailure } from './syscall-error.js';
import { checkIds, checkPid } from './validate.js';

/**
 * The main thread's mask when this module first touched affinity, before autotune pinned anything:
 * what a refusal offers as "this process may use".
 */
let startCpus: number[] | undefined;

function allowedCpus(addon: LinuxAddon): string {
  startCpus ??= addon.getAffinity(process.pid);
  return formatCpuList(startCpus);
}

function threadHint(addon: LinuxAddon): (f: SyscallFailure) => string {
  return (f) => (f.errno === 'EINVAL' ? `not allowed here; this process may use ${allowedCpus(addon)}` : errnoHint(f, 'thread'));
}

/** CPUs the thread may run on; 0 or undefined is the calling thread. */
export function getThreadAffinity(tid = 0): number[] {
  const action = tid === 0 ? 'read the CPUs of the calling thread' : `read the CPUs of thread ${tid}`;
  if (tid !== 0) checkPid(tid, 'thread', action);
  const addon = requireAddon(action);
  try {
    return addon.getAffinity(tid);
  } catch (e) {
    return raiseSyscallError(e, action, threadHint(addon));
  }
}

/** Pins one thread; 0 or undefined is the calling thread. */
export function setThreadAffinity(cpus: number[], tid = 0): void {
  if (tid !== 0) checkPid(tid, 'thread', `pin thread ${tid}`);
  const addon = requireAddon('pin a thread');
  pinThread(addon, tid === 0 ? addon.gettid() : tid, tid, cpus);
}

/**
 * The kernel silently drops requested CPUs outside the cpuset as long as one remains, which would
 * leave a placement different from the plan, so the mask is read back and a partial pin is undone
 * and refused.
 */
function pinThread(addon: LinuxAddon, shownTid: number, tid: number, cpus: number[]): void {
  const wanted = checkIds(cpus, 'CPU', `pin thread ${shownTid}`);
  const action = `pin thread ${shownTid} to CPUs ${formatCpuList(wanted)}`;
  allowedCpus(addon); // taken before the first pin changes it
  let dropped: number[];
  try {
    const before = addon.getAffinity(tid);
    addon.setAffinity(tid, wanted);
    const after = addon.getAffinity(tid);
    dropped = wanted.filter((cpu) => !after.includes(cpu));
    if (dropped.length > 0) addon.setAffinity(tid, before);
  } catch (e) {
    return raiseSyscallError(e, action, threadHint(addon));
  }
  if (dropped.length > 0) {
    throw new AutotuneError(
      'system',
      `cannot ${action}: EINVAL (CPUs ${formatCpuList(dropped)} are not allowed here; this process may use ${allowedCpus(addon)})`,
      { errno: 'EINVAL' },
    );
  }
}

/** Thread ids of a process from /proc/PID/task; ESRCH when the process is gone. */
function taskIds(pid: number, action: string): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    const why = code === 'ENOENT' ? 'ESRCH (no such process)' : `${code} (cannot list /proc/${pid}/task)`;
    throw new AutotuneError('system', `cannot ${action}: ${why}`, { errno: code === 'ENOENT' ? 'ESRCH' : code, cause: e });
  }
}

/** CPUs of every thread of a process, tid -> cpus; threads that exit meanwhile are left out. */
export function getProcessAffinity(pid: number): Map<number, number[]> {
  const action = `read the CPUs of process ${pid}`;
  checkPid(pid, 'process', action);
  const addon = requireAddon(action);
  const out = new Map<number, number[]>();
  for (const tid of taskIds(pid, action)) {
    try {
      out.set(tid, addon.getAffinity(tid));
    } catch (e) {
      if (syscallFailure(e)?.errno !== 'ESRCH') raiseSyscallError(e, `read the CPUs of thread ${tid} of process ${pid}`, threadHint(addon));
    }
  }
  return out;
}

/** Enough rounds for threads that start threads; a process that never stops spawning is not chased forever. */
const MAX_ROUNDS = 20;

/**
 * Pins every thread of a process (sched_setaffinity only touches one). Threads started meanwhile
 * inherit their creator's mask, which may not be pinned yet, so /proc/PID/task is re-read until no
 * new thread appears. Returns the pinned thread ids.
 */
export function setProcessAffinity(pid: number, cpus: number[]): number[] {
  const action = `pin process ${pid}`;
  checkPid(pid, 'process', action);
  const wanted = checkIds(cpus, 'CPU', action);
  const addon = requireAddon(action);
  const pinned = new Set<number>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fresh = taskIds(pid, `${action} to CPUs ${formatCpuList(wanted)}`).filter((tid) => !pinned.has(tid));
    if (fresh.length === 0) break;
    for (const tid of fresh) {
      try {
        pinThread(addon, tid, tid, wanted);
        pinned.add(tid);
      } catch (e) {
        // A thread that exited between the listing and the pin needs no pinning.
        if (!(e instanceof AutotuneError && e.errno === 'ESRCH')) throw e;
      }
    }
  }
  return [...pinned].sort((a, b) => a - b);
}

/** The CPU and NUMA node the calling thread is running on right now. */
export function getCpu(): { cpu: number; node: number } {
  const action = 'ask which CPU this thread runs on';
  const addon = requireAddon(action);
  try {
    return addon.getCpu();
  } catch (e) {
    return raiseSyscallError(e, action, (f) => f.message);
  }
}
