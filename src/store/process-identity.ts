import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a study lock, in terms that survive pid reuse: a pid names a process only together
 * with the boot, the PID namespace it was counted in, and the process's start time. In a
 * container the tuner is pid 1 on every run; only the start time tells this run from the last.
 */
export interface ProcessIdentity {
  pid: number;
  host: string;
  /** /proc/sys/kernel/random/boot_id: changes on every boot. */
  bootId: string | null;
  /** The PID namespace, as /proc/self/ns/pid names it (`pid:[4026531836]`). */
  pidNamespace: string | null;
  /** Field 22 of /proc/PID/stat: clock ticks after boot at which the process started. */
  startTime: string | null;
  /**
   * Whether /proc counts pids as this process does (its /proc/self is our pid). A PID namespace
   * with the host's /proc mounted would look other pids up in the wrong table.
   */
  procIsOurs: boolean;
}

export function selfIdentity(): ProcessIdentity {
  return {
    pid: process.pid,
    host: hostname(),
    bootId: readText('/proc/sys/kernel/random/boot_id'),
    pidNamespace: readLink('/proc/self/ns/pid'),
    startTime: startTimeOf('self'),
    procIsOurs: Number(readText('/proc/self/stat')?.split(' ', 1)[0]) === process.pid,
  };
}

/** The start time of process `pid` as this PID namespace counts pids, or null when there is none. */
export function startTimeOf(pid: number | 'self'): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

/** Whether any process has this pid here (EPERM: one exists, owned by another user). */
export function processExists(pid: number): boolean {
  // 0 and negative numbers would address process groups, not a process.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}
