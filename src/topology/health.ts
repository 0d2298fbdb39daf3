import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { findCpuCgroup, readCpuQuota, readThrottling } from './cgroup-cpu.js';
import { busyMs, cpuTimesDelta, OTHERS_CPU_LIMIT, readAllProcessesCpu, readCpuTimes, type ProcessCpu } from './cpustat.js';
import { machineReader, type ReadTopologyOptions } from './read-topology.js';
import { type FsReader, listText } from './reader.js';
import type { Topology } from './types.js';

/**
 * Whether this machine is fit to measure on: the settings that make a trial's figures depend on
 * something other than its configuration (clock policy, the kernel moving memory or pages, a
 * cgroup quota, neighbours, the hypervisor), each checked and explained.
 */
export type CheckId = 'governor' | 'turbo' | 'numa-balancing' | 'thp' | 'smt' | 'cpu-quota' | 'other-load' | 'steal';
export type CheckStatus = 'ok' | 'warn' | 'unknown';

export interface MachineCheck {
  id: CheckId;
  status: CheckStatus;
  /** What was found. */
  finding: string;
  /** What it does to measurements; null when it does nothing. */
  effect: string | null;
  /** How to change it; null when nothing needs changing. */
  fix: string | null;
}

/** CPU time on some CPUs during a short wait, split into this process, everyone else and steal. */
export interface LoadSample {
  cpus: number[];
  windowMs: number;
  othersMs: number;
  stealMs: number;
  /** The processes that used most CPU meanwhile (any CPU), this one left out; cpuMs is their use in the window. */
  busiest: ProcessCpu[];
}

export const DEFAULT_SAMPLE_MS = 1000;

export interface MachineCheckOptions extends ReadTopologyOptions {
  /** How long to watch the CPUs for other load and steal; 0 skips it. Snapshots are never sampled. */
  sampleMs?: number;
}

/** Every check, in a fixed order; the load checks sample the live machine for `sampleMs` first. */
export async function runMachineChecks(topology: Topology, options: MachineCheckOptions = {}): Promise<MachineCheck[]> {
  const sampleMs = options.sysfsRoot === undefined ? (options.sampleMs ?? DEFAULT_SAMPLE_MS) : 0;
  const load = sampleMs > 0 ? await sampleLoad(topology.allowed.cpus, sampleMs, options) : null;
  return checkMachine(topology, machineReader(options), load);
}

export function checkMachine(topology: Topology, fs: FsReader, load: LoadSample | null): MachineCheck[] {
  return [
    governor(fs, topology),
    turbo(fs),
    numaBalancing(fs, topology),
    transparentHugePages(fs),
    smt(fs, topology),
    cpuQuota(fs, topology),
    otherLoad(load),
    steal(fs, load),
  ];
}

export async function sampleLoad(cpus: readonly number[], durationMs: number, options: ReadTopologyOptions = {}): Promise<LoadSample> {
  const fs = machineReader(options);
  const cpuBefore = readCpuTimes(fs);
  const processesBefore = readAllProcessesCpu(fs);
  const ownBefore = process.cpuUsage();
  const start = performance.now();
  await delay(durationMs);
  const cpuAfter = readCpuTimes(fs);
  const own = process.cpuUsage(ownBefore);
  const windowMs = performance.now() - start;
  const processesAfter = readAllProcessesCpu(fs);
  const delta = cpuTimesDelta(cpuBefore, cpuAfter, cpus);
  const busiest = [...processesAfter.values()]
    .filter((p) => p.pid !== process.pid)
    // A process that was not there before started during the sample: all its time is in it.
    .map((p) => ({ ...p, cpuMs: p.cpuMs - (processesBefore.get(p.pid)?.cpuMs ?? 0) }))
    .filter((p) => p.cpuMs >= windowMs * 0.01)
    .sort((a, b) => b.cpuMs - a.cpuMs)
    .slice(0, 3);
  return {
    cpus: [...cpus],
    windowMs,
    // /proc/stat counts whole ticks, so a busy sum can exceed what the CPUs had by a tick or two.
    othersMs: Math.min(windowMs * cpus.length, Math.max(0, busyMs(delta) - (own.user + own.system) / 1000)),
    stealMs: delta.steal,
    busiest,
  };
}

/** One line: name, finding, and where it matters what it does and how to change it. */
export function describeCheck(check: MachineCheck): string {
  const tail = [check.effect, check.fix === null ? null : `fix: ${check.fix}`].filter((s) => s !== null);
  return `${check.id}: ${[check.finding, ...tail].join('; ')}`;
}

/** describeCheck with the status in front, in a column. */
export function formatCheck(check: MachineCheck): string {
  return `${check.status.padEnd(7)} ${describeCheck(check)}`;
}

/** The checks that call for attention, one line each. */
export function checkWarnings(checks: readonly MachineCheck[]): string[] {
  return checks.filter((c) => c.status === 'warn').map(describeCheck);
}

const ok = (id: CheckId, finding: string): MachineCheck => ({ id, status: 'ok', finding, effect: null, fix: null });

/** Groups CPUs by a per-CPU value: "powersave on CPUs 0-15, performance on CPUs 16-31". */
function byValue(values: Map<number, string>): string {
  const groups = new Map<string, number[]>();
  for (const [cpu, value] of values) groups.set(value, [...(groups.get(value) ?? []), cpu]);
  return [...groups].map(([value, cpus]) => `${value} on CPUs ${listText(cpus)}`).join(', ');
}

function governor(fs: FsReader, topology: Topology): MachineCheck {
  const governors = new Map<number, string>();
  for (const cpu of topology.allowed.cpus) {
    const g = fs.text(fs.sys('cpu', `cpu${cpu}`, 'cpufreq', 'scaling_governor'));
    if (g !== null) governors.set(cpu, g);
  }
  if (governors.size === 0) {
    return {
      id: 'governor',
      status: 'unknown',
      finding: 'no cpufreq governor (a virtual machine, or no frequency driver)',
      effect: 'the firmware or hypervisor sets the clock, so whether it follows the load cannot be seen from here',
      fix: "set the host's power profile to maximum performance (BIOS, hypervisor)",
    };
  }
  if ([...governors.values()].every((g) => g === 'performance' || g === 'userspace')) return ok('governor', byValue(governors));
  return {
    id: 'governor',
    status: 'warn',
    finding: byValue(governors),
    effect: "the clock follows the load, so a trial's speed depends on what ran before it and on how many CPUs it keeps busy",
    fix: 'cpupower frequency-set -g performance (or write performance to /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor)',
  };
}

function turbo(fs: FsReader): MachineCheck {
  const noTurbo = fs.text(fs.sys('cpu', 'intel_pstate', 'no_turbo'));
  const boost = fs.text(fs.sys('cpu', 'cpufreq', 'boost'));
  const on = noTurbo !== null ? noTurbo === '0' : boost !== null ? boost === '1' : null;
  const where = noTurbo !== null ? 'intel_pstate/no_turbo' : 'cpufreq/boost';
  if (on === null) {
    return {
      id: 'turbo',
      status: 'unknown',
      finding: 'no turbo control (intel_pstate/no_turbo, cpufreq/boost) visible',
      effect: 'if the clock boosts, it does so by how many cores are busy and how hot they are, which cannot be seen from here',
      fix: 'check the BIOS or hypervisor settings for turbo/boost',
    };
  }
  if (!on) return ok('turbo', `off (${where} ${noTurbo ?? boost})`);
  return {
    id: 'turbo',
    status: 'warn',
    finding: `on (${where} ${noTurbo ?? boost})`,
    effect: 'the clock is higher while few cores are busy and drops with load and heat, so small configurations look faster per core than they are on a full machine',
    fix:
      noTurbo !== null
        ? 'echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo (or tune at the load you deploy at, if production runs with turbo)'
        : 'echo 0 > /sys/devices/system/cpu/cpufreq/boost (or tune at the load you deploy at, if production runs with boost)',
  };
}

function numaBalancing(fs: FsReader, topology: Topology): MachineCheck {
  const value = fs.text(fs.proc('sys', 'kernel', 'numa_balancing'));
  if (value === null) return ok('numa-balancing', 'not in this kernel');
  if (value === '0') return ok('numa-balancing', 'off (kernel.numa_balancing 0)');
  const nodes = topology.nodes.filter((n) => n.cpus.length > 0).length;
  if (nodes <= 1) return ok('numa-balancing', `on (kernel.numa_balancing ${value}), but with one NUMA node it has nothing to move`);
  return {
    id: 'numa-balancing',
    status: 'warn',
    finding: `on (kernel.numa_balancing ${value}) with ${nodes} NUMA nodes`,
    effect:
      'the kernel unmaps pages of bound processes to sample their accesses and migrates them, adding page faults and moving memory the placement put on purpose (its documentation says to disable it for bound workloads)',
    fix: 'sysctl -w kernel.numa_balancing=0',
  };
}

/** The bracketed choice of a THP setting file: "always [madvise] never" -> madvise. */
function selected(text: string | null): string | null {
  return text === null ? null : (/\[([^\]]+)\]/.exec(text)?.[1] ?? text);
}

function transparentHugePages(fs: FsReader): MachineCheck {
  const dir = '/sys/kernel/mm/transparent_hugepage';
  const enabled = selected(fs.text(fs.onMachine(`${dir}/enabled`)));
  const defrag = selected(fs.text(fs.onMachine(`${dir}/defrag`)));
  if (enabled === null) return ok('thp', 'transparent huge pages not in this kernel');
  const finding = `enabled ${enabled}, defrag ${defrag ?? 'unknown'}`;
  const alwaysOn = enabled === 'always';
  const stalls = enabled !== 'never' && defrag === 'always';
  if (!alwaysOn && !stalls) return ok('thp', finding);
  return {
    id: 'thp',
    status: 'warn',
    finding,
    effect: [
      alwaysOn ? 'khugepaged collapses the workers\' memory into huge pages in the background' : null,
      stalls ? 'page faults stall on direct compaction' : null,
    ]
      .filter((s) => s !== null)
      .join(' and ')
      .concat(', so latency tails differ from trial to trial with the state of memory'),
    fix: `echo madvise > ${dir}/enabled${stalls ? ` and echo madvise > ${dir}/defrag` : ''}`,
  };
}

function smt(fs: FsReader, topology: Topology): MachineCheck {
  const allowed = new Set(topology.allowed.cpus);
  const shared = topology.cores.filter((c) => c.cpus.length > 1 && c.cpus.some((cpu) => allowed.has(cpu)));
  const control = fs.text(fs.sys('cpu', 'smt', 'control'));
  const controlText = control === null ? '' : ` (smt/control ${control})`;
  if (shared.length === 0) return ok('smt', `one hardware thread per core${controlText}`);
  const threads = Math.max(...shared.map((c) => c.cpus.length));
  const outside = shared.flatMap((c) => c.cpus.filter((cpu) => !allowed.has(cpu))).sort((a, b) => a - b);
  return {
    id: 'smt',
    status: 'warn',
    finding:
      `${threads} hardware threads per core on ${shared.length} of the allowed cores${controlText}` +
      (outside.length === 0 ? '' : `; their siblings ${listText(outside)} are outside the allowed CPUs`),
    effect:
      'sibling threads share one core, so whatever runs on a sibling slows the trial' +
      (outside.length === 0 ? ', and smt=all configurations compete with themselves' : ', and what runs on siblings outside the allowed CPUs cannot be seen from here'),
    fix: 'keep other work off the siblings and let the study search smt cores/all, or echo off > /sys/devices/system/cpu/smt/control',
  };
}

function cpuQuota(fs: FsReader, topology: Topology): MachineCheck {
  const cgroup = findCpuCgroup(fs);
  if (cgroup === null) return ok('cpu-quota', 'no cgroup CPU controller found');
  const quota = readCpuQuota(fs, cgroup);
  const throttled = readThrottling(fs, cgroup).filter((t) => t.periods > 0);
  const history =
    throttled.length === 0
      ? ''
      : `; throttled ${throttled.map((t) => `${t.periods} time(s), ${(t.throttledMs / 1000).toFixed(1)} s at ${t.path}`).join(', ')} so far`;
  const allowed = topology.allowed.cpus.length;
  if (quota === null && throttled.length === 0) return ok('cpu-quota', `no CPU quota (cgroup ${cgroup.version} ${cgroup.levels[0]})`);
  const limit =
    quota === null
      ? 'no CPU quota now'
      : `quota ${quota.cpus.toFixed(2)} CPUs (${quota.quotaUs}/${quota.periodUs} µs per period at ${quota.path}, cgroup ${quota.version}) for ${allowed} allowed CPU(s)`;
  if (quota !== null && quota.cpus >= allowed && throttled.length === 0) return ok('cpu-quota', limit);
  const period = quota === null ? 'each period' : `each ${quota.periodUs / 1000} ms period`;
  return {
    id: 'cpu-quota',
    status: 'warn',
    finding: `${limit}${history}`,
    effect: `a trial that keeps more CPUs busy than the quota uses it up early in ${period} and stands still for the rest, which wrecks p99 while the cpuset looks fine`,
    fix: `raise or remove the limit (docker --cpus, Kubernetes limits.cpu, ${quota?.version === 'v1' ? 'cpu.cfs_quota_us -1' : 'cpu.max max'})${
      quota !== null && quota.cpus < allowed ? `, or tune on at most ${Math.max(1, Math.floor(quota.cpus))} CPU(s)` : ''
    }`,
  };
}

const cpusWorth = (ms: number, windowMs: number): string => (ms / windowMs).toFixed(2);

function notSampled(id: CheckId): MachineCheck {
  return {
    id,
    status: 'unknown',
    finding: 'not sampled (a snapshot has no second reading to compare)',
    effect: 'trials still record it for their own window',
    fix: 'run autotune doctor on the live machine',
  };
}

function otherLoad(load: LoadSample | null): MachineCheck {
  if (load === null) return notSampled('other-load');
  const cpus = load.othersMs / load.windowMs;
  const seconds = (load.windowMs / 1000).toFixed(1);
  const busiest = load.busiest.map((p) => `${p.comm} pid ${p.pid} ${Math.round((p.cpuMs / load.windowMs) * 100)}%`).join(', ');
  const finding = `others used ${cpusWorth(load.othersMs, load.windowMs)} CPUs of CPUs ${listText(load.cpus)} during ${seconds} s${busiest ? ` (busiest: ${busiest})` : ''}`;
  if (cpus <= OTHERS_CPU_LIMIT) return ok('other-load', finding);
  return {
    id: 'other-load',
    status: 'warn',
    finding,
    effect: 'a trial on these CPUs shares them, so it measures its neighbours as well as itself',
    fix: 'stop them, or give the study CPUs they do not use (taskset -c LIST autotune tune, or a cpuset)',
  };
}

function steal(fs: FsReader, load: LoadSample | null): MachineCheck {
  const virtual = /^flags\s*:.*\bhypervisor\b/m.test(fs.text(fs.proc('cpuinfo')) ?? '');
  if (load === null) return notSampled('steal');
  const what = `steal ${cpusWorth(load.stealMs, load.windowMs)} CPUs of CPUs ${listText(load.cpus)} during ${(load.windowMs / 1000).toFixed(1)} s`;
  if (load.stealMs / load.windowMs <= OTHERS_CPU_LIMIT) {
    return ok('steal', virtual ? `${what} (a virtual machine: it changes with the other guests, trials record it)` : what);
  }
  return {
    id: 'steal',
    status: 'warn',
    finding: virtual ? `${what} (a virtual machine)` : what,
    effect: "the hypervisor gives this machine's CPUs to other guests, so figures move with their load",
    fix: 'dedicated (pinned) vCPUs or a bare-metal server; trials with high steal are flagged disturbed',
  };
}
