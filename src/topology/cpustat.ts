import type { FsReader } from './reader.js';

/**
 * The one reader of CPU time accounting: per CPU from /proc/stat, per process from
 * /proc/PID/task/TID/schedstat (or /proc/PID/stat). Figures are milliseconds.
 */

/**
 * /proc/stat and /proc/PID/stat count in USER_HZ, which the kernel fixes at 100 for user space on
 * every architecture Node runs on, whatever HZ it was built with.
 */
const MS_PER_TICK = 10;

/**
 * How much of the CPUs someone else may take before measurements count as disturbed: a tenth of
 * one CPU over the window, averaged. Daemons, kernel threads and interrupts on a quiet server stay
 * well below it; one busy neighbour sharing a CPU with a pinned thread takes about half a CPU.
 */
export const OTHERS_CPU_LIMIT = 0.1;

/** One CPU's line of /proc/stat. guest and guest_nice are left out: the kernel counts them in user and nice too. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  /** Time a hypervisor ran something else while this virtual CPU wanted to run. */
  steal: number;
}

const FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** Time the CPU ran something: tasks, interrupts, softirqs (not idle, iowait or steal). */
export function busyMs(t: CpuTimes): number {
  return t.user + t.nice + t.system + t.irq + t.softirq;
}

/** cpu id -> its times, for every `cpuN` line of /proc/stat (empty when the file is missing). */
export function readCpuTimes(fs: FsReader): Map<number, CpuTimes> {
  const times = new Map<number, CpuTimes>();
  for (const line of (fs.text(fs.proc('stat')) ?? '').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    // Kernels before 2.6.11 have no steal column (and before 2.6 no iowait/irq/softirq): absent counts as 0.
    const values = m[2]!.trim().split(/\s+/).map(Number);
    const entry = Object.fromEntries(FIELDS.map((f, i) => [f, (values[i] ?? 0) * MS_PER_TICK])) as unknown as CpuTimes;
    times.set(Number(m[1]), entry);
  }
  return times;
}

/** Per-field difference after - before of the CPUs in `cpus` that both readings have, summed. */
export function cpuTimesDelta(before: Map<number, CpuTimes>, after: Map<number, CpuTimes>, cpus: readonly number[]): CpuTimes {
  const sum = Object.fromEntries(FIELDS.map((f) => [f, 0])) as unknown as CpuTimes;
  for (const cpu of cpus) {
    const a = before.get(cpu);
    const b = after.get(cpu);
    if (!a || !b) continue;
    for (const f of FIELDS) sum[f] += Math.max(0, b[f] - a[f]);
  }
  return sum;
}

/**
 * CPU time a process has used so far, all its threads together; null when it is gone. Summed from
 * each thread's schedstat (nanoseconds, so short windows are not rounded to ticks), else from
 * utime + stime of /proc/PID/stat where the kernel has no schedstat.
 */
export function processCpuMs(fs: FsReader, pid: number): number | null {
  const tids = fs.entries(fs.proc(String(pid), 'task'));
  let ns = 0;
  let threads = 0;
  for (const tid of tids) {
    const text = readIfThere(fs, fs.proc(String(pid), 'task', tid, 'schedstat'));
    const runtime = text === null ? NaN : Number(text.split(/\s+/)[0]);
    if (!Number.isFinite(runtime)) continue;
    ns += runtime;
    threads++;
  }
  if (threads > 0) return ns / 1e6;
  const stat = readProcessStat(fs, String(pid));
  return stat === null ? null : stat.cpuMs;
}

export interface ProcessCpu {
  pid: number;
  comm: string;
  cpuMs: number;
}

/** utime + stime of every process in /proc, for finding who was busy between two readings. */
export function readAllProcessesCpu(fs: FsReader): Map<number, ProcessCpu> {
  const out = new Map<number, ProcessCpu>();
  for (const entry of fs.entries(fs.proc())) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcessStat(fs, entry);
    if (stat !== null) out.set(Number(entry), { pid: Number(entry), ...stat });
  }
  return out;
}

/** Fields 14 and 15 of /proc/PID/stat (utime, stime); comm may hold spaces and ')', so fields count from its last ')'. */
const UTIME_AFTER_COMM = 14 - 3;

function readProcessStat(fs: FsReader, pid: string): { comm: string; cpuMs: number } | null {
  const text = readIfThere(fs, fs.proc(pid, 'stat'));
  if (text === null) return null;
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[UTIME_AFTER_COMM]);
  const stime = Number(fields[UTIME_AFTER_COMM + 1]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { comm, cpuMs: (utime + stime) * MS_PER_TICK };
}

/** The file's text, or null: processes and threads exit between listing and reading (ENOENT, ESRCH). */
function readIfThere(fs: FsReader, path: string): string | null {
  try {
    return fs.text(path);
  } catch {
    return null;
  }
}
