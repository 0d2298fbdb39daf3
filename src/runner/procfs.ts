import { readdirSync, readFileSync } from 'node:fs';
import { parseCpuList } from '../topology/cpulist.js';
import type { ThreadReadBack } from './types.js';

/**
 * The runner's one reader of /proc: where each thread of a worker may run and last ran, where its
 * memory lives, the files it has mapped, and its scheduler counters. Threads can exit between
 * listing and reading (libuv, V8 helpers); those are skipped rather than failing the trial.
 */

const PROC = '/proc';

/** Per-thread figures of /proc/PID/task/TID/stat after the `(comm)` field; field 39 is the last CPU. */
const STAT_FIRST_FIELD_AFTER_COMM = 3;
const STAT_PROCESSOR_FIELD = 39;

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
}

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH';
}

function taskIds(pid: number): number[] {
  return readdirSync(`${PROC}/${pid}/task`)
    .map(Number)
    .filter(Number.isInteger)
    .sort((a, b) => a - b);
}

/** `Key:\tvalue` lines of a status file. */
function statusField(status: string, key: string): string | null {
  const m = new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status);
  return m ? (m[1] ?? '').trim() : null;
}

function lastCpu(stat: string): number {
  // comm may hold spaces and parentheses: the fixed fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
  return Number(fields[STAT_PROCESSOR_FIELD - STAT_FIRST_FIELD_AFTER_COMM]);
}

export function readThreads(pid: number): ThreadReadBack[] {
  const threads: ThreadReadBack[] = [];
  for (const tid of taskIds(pid)) {
    const dir = `${PROC}/${pid}/task/${tid}`;
    const status = readOptional(`${dir}/status`);
    const stat = readOptional(`${dir}/stat`);
    const comm = readOptional(`${dir}/comm`);
    if (status === null || stat === null || comm === null) continue;
    threads.push({
      tid,
      name: comm.trim(),
      cpus: parseCpuList(statusField(status, 'Cpus_allowed_list') ?? '', 'Cpus_allowed_list'),
      mems: parseCpuList(statusField(status, 'Mems_allowed_list') ?? '', 'Mems_allowed_list'),
      lastCpu: lastCpu(stat),
    });
  }
  return threads;
}

/** Pages per node summed over every mapping of /proc/PID/numa_maps (`N<node>=<pages>`). */
export function readPagesPerNode(pid: number): Record<string, number> {
  const text = readOptional(`${PROC}/${pid}/numa_maps`) ?? '';
  const pages: Record<string, number> = {};
  for (const m of text.matchAll(/\bN(\d+)=(\d+)/g)) {
    const node = m[1]!;
    pages[node] = (pages[node] ?? 0) + Number(m[2]);
  }
  return pages;
}

/** The files mapped into the process (/proc/PID/maps), each once, in the order first mapped. */
export function readMappedFiles(pid: number): string[] {
  const text = readOptional(`${PROC}/${pid}/maps`) ?? '';
  // address perms offset dev inode path: the path may hold spaces; [heap] and the like are no files.
  const paths = [...text.matchAll(/^\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\/.*)$/gm)].map((m) => m[1]!);
  return [...new Set(paths)];
}

export interface SchedCounters {
  voluntaryCtxSwitches: number;
  involuntaryCtxSwitches: number;
  /** Null when the kernel has no /proc/PID/task/TID/sched (CONFIG_SCHED_DEBUG off). */
  migrations: number | null;
}

/** Context switches and migrations summed over every thread of the process. */
export function readSchedCounters(pid: number): SchedCounters {
  let voluntary = 0;
  let involuntary = 0;
  let migrations: number | null = 0;
  for (const tid of taskIds(pid)) {
    const dir = `${PROC}/${pid}/task/${tid}`;
    const status = readOptional(`${dir}/status`);
    if (status === null) continue;
    voluntary += Number(statusField(status, 'voluntary_ctxt_switches') ?? 0);
    involuntary += Number(statusField(status, 'nonvoluntary_ctxt_switches') ?? 0);
    const sched = readOptional(`${dir}/sched`);
    const m = sched === null ? null : /^se\.nr_migrations\s*:\s*(\d+)/m.exec(sched);
    migrations = m && migrations !== null ? migrations + Number(m[1]) : null;
  }
  return { voluntaryCtxSwitches: voluntary, involuntaryCtxSwitches: involuntary, migrations };
}

export function readRssBytes(pid: number): number {
  const status = readOptional(`${PROC}/${pid}/status`) ?? '';
  const kb = /^VmRSS:\s*(\d+)\s*kB/m.exec(status);
  return kb ? Number(kb[1]) * 1024 : 0;
}
