import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import {
  disturbanceReasons,
  measureDisturbance,
  snapshotDisturbance,
  trialCpus,
  watchDisturbance,
  type DisturbanceSnapshot,
  type TrialDisturbance,
} from '../../src/runner/disturbance.js';
import { OTHERS_CPU_LIMIT, readCpuTimes } from '../../src/topology/cpustat.js';
import { machineReader } from '../../src/topology/read-topology.js';
import { fixture } from '../topology/helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A procfs/cgroup tree with these files (path relative to the root -> content). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'autotune-disturbance-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** /proc/stat lines in ticks: user nice system idle iowait irq softirq steal guest guest_nice. */
const stat = (...cpus: number[][]): string =>
  `cpu  0 0 0 0 0 0 0 0 0 0\n${cpus.map((f, i) => `cpu${i} ${f.join(' ')} 0 0`).join('\n')}\nctxt 1\n`;

const CGROUP2 = {
  'proc/mounts': 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n',
  'proc/self/cgroup': '0::/autotune/trial\n',
  'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu memory\n',
  'sys/fs/cgroup/autotune/cpu.max': 'max 100000\n',
  'sys/fs/cgroup/autotune/trial/cpu.max': '100000 100000\n',
};

/** Worker 100 has per-thread schedstat (ns); worker 200 only /proc/PID/stat (ticks in fields 14-15). */
function workers(schedstatNs: [number, number], statTicks: [number, number]): Record<string, string> {
  return {
    'proc/100/task/100/schedstat': `${schedstatNs[0]} 5000 10\n`,
    'proc/100/task/101/schedstat': `${schedstatNs[1]} 7000 12\n`,
    'proc/200/stat': `200 (node worker) R 1 200 200 0 -1 0 0 0 0 0 ${statTicks[0]} ${statTicks[1]} 0 0 20 0 1 0 100 0 0\n`,
  };
}

function throttle(nr: number, usec: number): Record<string, string> {
  return {
    'sys/fs/cgroup/autotune/cpu.stat': 'usage_usec 9\nnr_periods 50\nnr_throttled 0\nthrottled_usec 0\n',
    'sys/fs/cgroup/autotune/trial/cpu.stat': `usage_usec 8\nuser_usec 7\nsystem_usec 1\nnr_periods 40\nnr_throttled ${nr}\nthrottled_usec ${usec}\n`,
  };
}

function snapshotAt(root: string, atMs: number, runnerMs: number): DisturbanceSnapshot {
  return { ...snapshotDisturbance(watchDisturbance([0, 1], [100, 200], { sysfsRoot: root }), runnerMs), atMs };
}

/** A 2 s window on CPUs 0-1 (CPU 2 is not the trial's): busy 3800 ms, workers 3600 ms, runner 20 ms. */
function window(extraUserTicksOnCpu1: number): TrialDisturbance {
  const before = tree({
    ...CGROUP2,
    ...throttle(4, 1000),
    ...workers([5e9, 1e9], [300, 20]),
    'proc/stat': stat([1000, 0, 100, 5000, 0, 0, 0, 40], [2000, 0, 100, 5000, 0, 10, 10, 40], [10, 0, 0, 9000, 0, 0, 0, 0]),
  });
  const afterRoot = tree({
    ...CGROUP2,
    ...throttle(9, 61000),
    ...workers([5e9 + 1.7e9, 1e9 + 0.1e9], [470, 30]),
    'proc/stat': stat(
      [1190, 0, 105, 5005, 0, 0, 0, 40],
      [2180 + extraUserTicksOnCpu1, 0, 100, 5010, 0, 12, 13, 50],
      [210, 0, 0, 9000, 0, 0, 0, 0],
    ),
  });
  const d = measureDisturbance(watchDisturbance([0, 1], [100, 200], { sysfsRoot: before }), snapshotAt(before, 1000, 500), snapshotAt(afterRoot, 3000, 520));
  assert.ok(d);
  return d;
}

test('others = busy time of the trial CPUs minus the workers (schedstat or stat) and the runner; steal; throttling', () => {
  const d = window(0);
  assert.deepEqual(d, {
    cpus: [0, 1],
    windowMs: 2000,
    busyMs: 1900 + 50 + 1800 + 20 + 30,
    ownMs: 1800 + 1800 + 20,
    othersMs: 180,
    stealMs: 100,
    throttled: { periods: 5, throttledMs: 60, path: '/sys/fs/cgroup/autotune/trial' },
  });
  assert.deepEqual(disturbanceReasons(d), [
    "disturbed: the cgroup CPU quota throttled the trial 5 time(s), 60 ms in the 2.0 s window (/sys/fs/cgroup/autotune/trial)",
  ]);
});

test('others above a tenth of a CPU make the trial disturbed, with the figure', () => {
  const d = window(30);
  assert.equal(d.othersMs, 480);
  assert.deepEqual(disturbanceReasons({ ...d, throttled: null }), [
    "disturbed: other processes used 0.24 CPUs of the trial's CPUs 0-1 (480 ms in the 2.0 s window; bound 0.10)",
  ]);
});

test('disturbanceReasons: the bound, steal, and nothing for a clean or empty window', () => {
  const clean: TrialDisturbance = { cpus: [3], windowMs: 1000, busyMs: 1000, ownMs: 1000, othersMs: 0, stealMs: 0, throttled: { periods: 0, throttledMs: 0, path: '/' } };
  assert.deepEqual(disturbanceReasons(clean), []);
  assert.deepEqual(disturbanceReasons({ ...clean, othersMs: OTHERS_CPU_LIMIT * 1000 }), [], 'at the bound is not beyond it');
  assert.equal(disturbanceReasons({ ...clean, othersMs: OTHERS_CPU_LIMIT * 1000 + 1 }).length, 1);
  assert.deepEqual(disturbanceReasons({ ...clean, stealMs: 250 }), [
    "disturbed: the hypervisor stole 0.25 CPUs of the trial's CPUs 3 (250 ms in the 1.0 s window; bound 0.10)",
  ]);
  assert.deepEqual(disturbanceReasons({ ...clean, windowMs: 0, othersMs: 50 }), []);
  assert.deepEqual(disturbanceReasons({ ...clean, throttled: null }), [], 'no counters: nothing to say');
});

test('cgroup v1: throttled_time is in nanoseconds; a container group mounted as the root is found', () => {
  const v1 = (nr: number, ns: number) =>
    tree({
      'proc/mounts': 'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n',
      'proc/self/cgroup': '4:cpu,cpuacct:/docker/3f2a9c\n0::/\n',
      'proc/stat': stat([0, 0, 0, 0, 0, 0, 0, 0]),
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '50000\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.stat': `nr_periods 10\nnr_throttled ${nr}\nthrottled_time ${ns}\n`,
    });
  const watch = (root: string) => watchDisturbance([0], [], { sysfsRoot: root });
  const first = v1(2, 1_000_000_000);
  const d = measureDisturbance(watch(first), { ...snapshotDisturbance(watch(first), 0), atMs: 0 }, { ...snapshotDisturbance(watch(v1(3, 1_250_000_000)), 0), atMs: 500 });
  assert.deepEqual(d?.throttled, { periods: 1, throttledMs: 250, path: '/sys/fs/cgroup/cpu,cpuacct' });
});

test('no cgroup CPU controller: throttling is unknown (null), not zero', () => {
  const root = tree({ 'proc/stat': stat([0, 0, 0, 0, 0, 0, 0, 0]), 'proc/mounts': '', 'proc/self/cgroup': '0::/\n' });
  const watch = watchDisturbance([0], [], { sysfsRoot: root });
  assert.equal(watch.cgroup, null);
  const s = snapshotDisturbance(watch, 0);
  const d = measureDisturbance(watch, { ...s, atMs: 0 }, { ...s, atMs: 100 });
  assert.ok(d);
  assert.equal(d.throttled, null);
});

test('a trial CPU missing from /proc/stat: nothing recorded (null), no reason, rather than a zero', () => {
  const root = tree({ 'proc/stat': stat([0, 0, 0, 0, 0, 0, 0, 0]), 'proc/mounts': '', 'proc/self/cgroup': '0::/\n' });
  const watch = watchDisturbance([0, 1], [], { sysfsRoot: root });
  const s = snapshotDisturbance(watch, 0);
  const d = measureDisturbance(watch, { ...s, atMs: 0 }, { ...s, atMs: 100 });
  assert.equal(d, null);
  assert.deepEqual(disturbanceReasons(d), []);
});

test('/proc/stat of the VM this was made on: ticks of 10 ms, steal column read', () => {
  const times = readCpuTimes(machineReader({ sysfsRoot: fixture('vm-2cpu') }));
  assert.deepEqual([...times.keys()], [0, 1]);
  assert.deepEqual(times.get(1), { user: 2031680, nice: 59290, system: 181920, idle: 1691660, iowait: 8620, irq: 0, softirq: 9970, steal: 20570 });
});

test("a trial's CPUs are every CPU any worker may use", () => {
  assert.deepEqual(trialCpus([{ cpus: [4, 5] }, { cpus: [1] }, { cpus: [5, 0] }]), [0, 1, 4, 5]);
});
