import { posix } from 'node:path';
import { readGroups, readMounts } from './cgroup.js';
import type { FsReader } from './reader.js';

/**
 * The cgroup CPU controller of this process: its bandwidth quota and throttling counters, at its
 * own group and every ancestor (a parent's quota throttles its children, and shows in the
 * parent's counters). cgroup v2 where it has the cpu controller, else v1's cpu controller.
 */
export interface CpuCgroup {
  version: 'v1' | 'v2';
  /** Group directories on the machine, the process's own first, then up to the mount point. */
  levels: string[];
}

export interface CpuQuota {
  version: CpuCgroup['version'];
  /** The group whose quota is the tightest. */
  path: string;
  quotaUs: number;
  periodUs: number;
  /** quota / period: how many CPUs' worth of time the group may use per period. */
  cpus: number;
}

export interface ThrottleCounters {
  path: string;
  /** Periods in which the group used up its quota and was stopped (nr_throttled). */
  periods: number;
  /** Time it stood throttled (v2 throttled_usec, v1 throttled_time). */
  throttledMs: number;
}

export function findCpuCgroup(fs: FsReader): CpuCgroup | null {
  const mounts = readMounts(fs);
  const groups = readGroups(fs);
  const v2Mount = mounts.find((m) => m.type === 'cgroup2');
  const v2Group = groups.get('');
  if (v2Mount && v2Group !== undefined) {
    const levels = levelsOf(fs, v2Mount.point, v2Group);
    // Hybrid hosts mount cgroup2 without the cpu controller, which then lives in v1.
    const controllers = (fs.text(fs.onMachine(`${v2Mount.point}/cgroup.controllers`)) ?? '').split(/\s+/);
    if (controllers.includes('cpu') || levels.some((dir) => fs.exists(fs.onMachine(`${dir}/cpu.max`)))) return { version: 'v2', levels };
  }
  const v1Mount = mounts.find((m) => m.type === 'cgroup' && m.options.includes('cpu'));
  const v1Group = groups.get('cpu');
  if (v1Mount && v1Group !== undefined) {
    const levels = levelsOf(fs, v1Mount.point, v1Group);
    if (levels.some((dir) => fs.exists(fs.onMachine(`${dir}/cpu.cfs_quota_us`)))) return { version: 'v1', levels };
  }
  return null;
}

/**
 * The group's directory and its ancestors up to the mount point. Without a cgroup namespace a
 * container sees its host path while its own group is mounted as the root: then the levels start
 * at the nearest directory that exists.
 */
function levelsOf(fs: FsReader, mount: string, group: string): string[] {
  let rel = posix.normalize(group.startsWith('/') ? group : `/${group}`);
  while (rel !== '/' && !fs.isDir(fs.onMachine(posix.join(mount, rel)))) rel = posix.dirname(rel);
  const levels: string[] = [];
  for (;;) {
    levels.push(posix.join(mount, rel).replace(/(.)\/$/, '$1'));
    if (rel === '/') return levels;
    rel = posix.dirname(rel);
  }
}

/** The tightest CPU quota over the levels; null when none is set. */
export function readCpuQuota(fs: FsReader, cgroup: CpuCgroup): CpuQuota | null {
  let tightest: CpuQuota | null = null;
  for (const path of cgroup.levels) {
    const limit = cgroup.version === 'v2' ? readCpuMax(fs, path) : readCfsQuota(fs, path);
    if (limit === null) continue;
    const quota: CpuQuota = { version: cgroup.version, path, ...limit, cpus: limit.quotaUs / limit.periodUs };
    if (tightest === null || quota.cpus < tightest.cpus) tightest = quota;
  }
  return tightest;
}

/** cpu.max: "max 100000" (no limit) or "QUOTA PERIOD" in microseconds. */
function readCpuMax(fs: FsReader, dir: string): { quotaUs: number; periodUs: number } | null {
  const [quota, period] = (fs.text(fs.onMachine(`${dir}/cpu.max`)) ?? 'max').split(/\s+/);
  if (quota === 'max' || quota === undefined) return null;
  return positiveLimit(Number(quota), Number(period ?? 100_000));
}

/** cpu.cfs_quota_us (-1: no limit) and cpu.cfs_period_us. */
function readCfsQuota(fs: FsReader, dir: string): { quotaUs: number; periodUs: number } | null {
  const quota = fs.int(fs.onMachine(`${dir}/cpu.cfs_quota_us`));
  if (quota === null || quota < 0) return null;
  return positiveLimit(quota, fs.int(fs.onMachine(`${dir}/cpu.cfs_period_us`)) ?? 100_000);
}

function positiveLimit(quotaUs: number, periodUs: number): { quotaUs: number; periodUs: number } | null {
  return Number.isFinite(quotaUs) && Number.isFinite(periodUs) && quotaUs > 0 && periodUs > 0 ? { quotaUs, periodUs } : null;
}

/** Throttling counters of every level that has them (cpu.stat with nr_throttled). */
export function readThrottling(fs: FsReader, cgroup: CpuCgroup): ThrottleCounters[] {
  const out: ThrottleCounters[] = [];
  for (const path of cgroup.levels) {
    const stat = new Map<string, number>();
    for (const line of (fs.text(fs.onMachine(`${path}/cpu.stat`)) ?? '').split('\n')) {
      const [key, value] = line.trim().split(/\s+/);
      if (key !== undefined && value !== undefined) stat.set(key, Number(value));
    }
    const periods = stat.get('nr_throttled');
    if (periods === undefined) continue;
    const usec = stat.get('throttled_usec');
    const throttledMs = usec !== undefined ? usec / 1000 : (stat.get('throttled_time') ?? 0) / 1e6;
    out.push({ path, periods, throttledMs });
  }
  return out;
}
