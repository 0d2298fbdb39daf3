import { performance } from 'node:perf_hooks';
import { AutotuneError } from '../errors.js';
import { findCpuCgroup, readThrottling, type CpuCgroup, type ThrottleCounters } from '../topology/cgroup-cpu.js';
import { busyMs, cpuTimesDelta, OTHERS_CPU_LIMIT, processCpuMs, readCpuTimes, type CpuTimes } from '../topology/cpustat.js';
import { machineReader, type ReadTopologyOptions } from '../topology/read-topology.js';
import { listText, type FsReader } from '../topology/reader.js';
import type { TrialDisturbance } from '../domain/results.js';

export type { TrialDisturbance };

/**
 * What else ran on a trial's CPUs while it was measured: other processes (busy time of those CPUs
 * in /proc/stat minus the trial's own CPU time), the hypervisor (steal) and the cgroup CPU quota
 * (throttling counters). Read at the instants the window opens and closes, so the trial's own
 * time is taken from the same instants rather than from each worker's slightly later window.
 */
export interface DisturbanceWatch {
  cpus: number[];
  /** The trial's worker processes. */
  pids: number[];
  fs: FsReader;
  cgroup: CpuCgroup | null;
}

export interface DisturbanceSnapshot {
  atMs: number;
  cpuTimes: Map<number, CpuTimes>;
  /** CPU time so far of the workers and of this runner process. */
  ownMs: number;
  throttling: ThrottleCounters[];
}


export function watchDisturbance(cpus: readonly number[], pids: readonly number[], options: ReadTopologyOptions = {}): DisturbanceWatch {
  const fs = machineReader(options);
  return { cpus: [...cpus], pids: [...pids], fs, cgroup: findCpuCgroup(fs) };
}

function runnerCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * `runnerMs`: this process's CPU time so far (a parameter so fixture trees can be read without it).
 * A file the kernel refuses to show (a sandbox) leaves its part empty: the trial still runs, and
 * records nothing rather than a zero.
 */
export function snapshotDisturbance(watch: DisturbanceWatch, runnerMs = runnerCpuMs()): DisturbanceSnapshot {
  const workersMs = watch.pids.reduce((sum, pid) => sum + (processCpuMs(watch.fs, pid) ?? 0), 0);
  return {
    atMs: performance.now(),
    cpuTimes: unlessRefused(() => readCpuTimes(watch.fs), new Map()),
    ownMs: workersMs + runnerMs,
    throttling: watch.cgroup === null ? [] : unlessRefused(() => readThrottling(watch.fs, watch.cgroup!), []),
  };
}

function unlessRefused<T>(read: () => T, empty: T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof AutotuneError) return empty;
    throw error;
  }
}

/** null when /proc/stat did not show every CPU of the trial at both ends. */
export function measureDisturbance(watch: DisturbanceWatch, before: DisturbanceSnapshot, after: DisturbanceSnapshot): TrialDisturbance | null {
  if (!watch.cpus.every((cpu) => before.cpuTimes.has(cpu) && after.cpuTimes.has(cpu))) return null;
  const windowMs = after.atMs - before.atMs;
  const delta = cpuTimesDelta(before.cpuTimes, after.cpuTimes, watch.cpus);
  const busy = busyMs(delta);
  const ownMs = Math.max(0, after.ownMs - before.ownMs);
  // /proc/stat counts whole ticks: the difference can run a tick past what the CPUs had.
  const othersMs = Math.min(windowMs * watch.cpus.length, Math.max(0, busy - ownMs));
  return { cpus: watch.cpus, windowMs, busyMs: busy, ownMs, othersMs, stealMs: delta.steal, throttled: throttledBetween(before.throttling, after.throttling) };
}

function throttledBetween(before: ThrottleCounters[], after: ThrottleCounters[]): TrialDisturbance['throttled'] {
  let worst: TrialDisturbance['throttled'] = null;
  for (const end of after) {
    const start = before.find((b) => b.path === end.path);
    if (!start) continue;
    const level = { periods: end.periods - start.periods, throttledMs: end.throttledMs - start.throttledMs, path: end.path };
    if (worst === null || level.periods > worst.periods) worst = level;
  }
  return worst;
}

/** Why a trial counts as disturbed (empty when it does not); `limitCpus` is CPUs' worth over the window. */
export function disturbanceReasons(d: TrialDisturbance | null, limitCpus = OTHERS_CPU_LIMIT): string[] {
  const reasons: string[] = [];
  if (d === null || d.windowMs <= 0) return reasons;
  const worth = (ms: number): string => (ms / d.windowMs).toFixed(2);
  const where = `the trial's CPUs ${listText(d.cpus)}`;
  const window = `${(d.windowMs / 1000).toFixed(1)} s window`;
  if (d.othersMs / d.windowMs > limitCpus) {
    reasons.push(`disturbed: other processes used ${worth(d.othersMs)} CPUs of ${where} (${Math.round(d.othersMs)} ms in the ${window}; bound ${limitCpus.toFixed(2)})`);
  }
  if (d.stealMs / d.windowMs > limitCpus) {
    reasons.push(`disturbed: the hypervisor stole ${worth(d.stealMs)} CPUs of ${where} (${Math.round(d.stealMs)} ms in the ${window}; bound ${limitCpus.toFixed(2)})`);
  }
  if (d.throttled !== null && d.throttled.periods > 0) {
    reasons.push(
      `disturbed: the cgroup CPU quota throttled the trial ${d.throttled.periods} time(s), ${Math.round(d.throttled.throttledMs)} ms in the ${window} (${d.throttled.path})`,
    );
  }
  return reasons;
}

/** Every CPU any of the plan's workers may run on. */
export function trialCpus(workers: readonly { cpus: readonly number[] }[]): number[] {
  return [...new Set(workers.flatMap((w) => w.cpus))].sort((a, b) => a - b);
}
