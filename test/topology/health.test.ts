import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { checkMachine, formatCheck, type CheckId, type LoadSample, type MachineCheck } from '../../src/topology/health.js';
import { machineReader, readTopology } from '../../src/topology/read-topology.js';
import { fixture, repoRoot } from './helpers.js';

function checksOf(root: string, load: LoadSample | null = null): Map<CheckId, MachineCheck> {
  const checks = checkMachine(readTopology({ sysfsRoot: root }), machineReader({ sysfsRoot: root }), load);
  return new Map(checks.map((c) => [c.id, c]));
}

function check(checks: Map<CheckId, MachineCheck>, id: CheckId): MachineCheck {
  const found = checks.get(id);
  assert.ok(found, `no ${id} check`);
  return found;
}

/** Runs `body` on a copy of a fixture tree it may change. */
function withCopy(name: string, body: (root: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-health-'));
  try {
    cpSync(fixture(name), dir, { recursive: true });
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ALL: CheckId[] = ['governor', 'turbo', 'numa-balancing', 'thp', 'smt', 'cpu-quota', 'other-load', 'steal'];

test('every check reports, in order; what is not ok says what it does to measurements and how to change it', () => {
  for (const name of ['two-socket-smt', 'snc-4node', 'container-cgroup1', 'container-cgroup2', 'vm-2cpu', 'no-numa', 'old-kernel-masks']) {
    const checks = [...checksOf(fixture(name)).values()];
    assert.deepEqual(checks.map((c) => c.id), ALL, name);
    for (const c of checks) {
      assert.ok(c.finding.length > 0, `${name} ${c.id}`);
      if (c.status === 'ok') assert.deepEqual([c.effect, c.fix], [null, null], `${name} ${c.id}`);
      else assert.ok(c.effect && c.fix, `${name} ${c.id} (${c.status}) has no effect or fix`);
      assert.equal(formatCheck(c).split('\n').length, 1);
    }
  }
});

test('a distribution default install: powersave, turbo, NUMA balancing on 2 nodes, THP always, SMT on', () => {
  const checks = checksOf(fixture('two-socket-smt'));
  const governor = check(checks, 'governor');
  assert.deepEqual([governor.status, governor.finding], ['warn', 'powersave on CPUs 0-31']);
  assert.match(governor.fix!, /cpupower frequency-set -g performance/);
  const turbo = check(checks, 'turbo');
  assert.deepEqual([turbo.status, turbo.finding], ['warn', 'on (intel_pstate/no_turbo 0)']);
  assert.match(turbo.fix!, /echo 1 > \/sys\/devices\/system\/cpu\/intel_pstate\/no_turbo/);
  const balancing = check(checks, 'numa-balancing');
  assert.deepEqual([balancing.status, balancing.finding], ['warn', 'on (kernel.numa_balancing 1) with 2 NUMA nodes']);
  assert.equal(balancing.fix, 'sysctl -w kernel.numa_balancing=0');
  const thp = check(checks, 'thp');
  assert.deepEqual([thp.status, thp.finding], ['warn', 'enabled always, defrag madvise']);
  assert.equal(thp.fix, 'echo madvise > /sys/kernel/mm/transparent_hugepage/enabled');
  const smt = check(checks, 'smt');
  assert.deepEqual([smt.status, smt.finding], ['warn', '2 hardware threads per core on 16 of the allowed cores (smt/control on)']);
  assert.deepEqual([check(checks, 'cpu-quota').status, check(checks, 'cpu-quota').finding], ['ok', 'no CPU quota (cgroup v2 /sys/fs/cgroup)']);
  assert.deepEqual([check(checks, 'other-load').status, check(checks, 'steal').status], ['unknown', 'unknown'], 'a snapshot is not sampled');
});

test('a server tuned for benchmarking: performance, boost off, balancing off, THP madvise; only SMT is left', () => {
  const checks = checksOf(fixture('snc-4node'));
  const found = (id: CheckId) => [check(checks, id).status, check(checks, id).finding];
  assert.deepEqual(found('governor'), ['ok', 'performance on CPUs 0-31']);
  assert.deepEqual(found('turbo'), ['ok', 'off (cpufreq/boost 0)']);
  assert.deepEqual(found('numa-balancing'), ['ok', 'off (kernel.numa_balancing 0)']);
  assert.deepEqual(found('thp'), ['ok', 'enabled madvise, defrag never']);
  assert.equal(check(checks, 'smt').status, 'warn');
});

test('mixed governors are named per CPU range; NUMA balancing on one node is harmless; defrag always stalls faults', () => {
  withCopy('two-socket-smt', (root) => {
    for (let cpu = 16; cpu < 32; cpu++) writeFileSync(join(root, `sys/devices/system/cpu/cpu${cpu}/cpufreq/scaling_governor`), 'performance\n');
    writeFileSync(join(root, 'sys/kernel/mm/transparent_hugepage/enabled'), 'always [madvise] never\n');
    writeFileSync(join(root, 'sys/kernel/mm/transparent_hugepage/defrag'), '[always] defer defer+madvise madvise never\n');
    const checks = checksOf(root);
    assert.equal(check(checks, 'governor').finding, 'powersave on CPUs 0-15, performance on CPUs 16-31');
    const thp = check(checks, 'thp');
    assert.deepEqual([thp.status, thp.finding], ['warn', 'enabled madvise, defrag always']);
    assert.match(thp.effect!, /^page faults stall on direct compaction/);
    assert.match(thp.fix!, /and echo madvise > \/sys\/kernel\/mm\/transparent_hugepage\/defrag$/);
  });
  withCopy('vm-2cpu', (root) => {
    writeFileSync(join(root, 'proc/sys/kernel/numa_balancing'), '1\n');
    const balancing = check(checksOf(root), 'numa-balancing');
    assert.deepEqual([balancing.status, balancing.finding], ['ok', 'on (kernel.numa_balancing 1), but with one NUMA node it has nothing to move']);
  });
});

test('cgroup v2 quota: the tightest level (the container, not the pod) and its throttling so far', () => {
  const quota = check(checksOf(fixture('container-cgroup2')), 'cpu-quota');
  assert.equal(quota.status, 'warn');
  assert.equal(
    quota.finding,
    'quota 1.50 CPUs (150000/100000 µs per period at /run/k8s/cgroup2/kubepods/burstable/pod42/ctr, cgroup v2) for 7 allowed CPU(s); ' +
      'throttled 312 time(s), 14.5 s at /run/k8s/cgroup2/kubepods/burstable/pod42/ctr so far',
  );
  assert.match(quota.effect!, /each 100 ms period/);
  assert.match(quota.fix!, /cpu\.max max\), or tune on at most 1 CPU\(s\)$/);
});

test('cgroup v1 quota (docker --cpus 2, the container group mounted as the root); none on the VM', () => {
  const quota = check(checksOf(fixture('container-cgroup1')), 'cpu-quota');
  assert.equal(quota.status, 'warn');
  assert.equal(quota.finding, 'quota 2.00 CPUs (200000/100000 µs per period at /sys/fs/cgroup/cpu,cpuacct, cgroup v1) for 8 allowed CPU(s)');
  assert.match(quota.fix!, /cpu\.cfs_quota_us -1\), or tune on at most 2 CPU\(s\)$/);
  const vm = check(checksOf(fixture('vm-2cpu')), 'cpu-quota');
  assert.deepEqual([vm.status, vm.finding], ['ok', 'no CPU quota (cgroup v1 /sys/fs/cgroup/cpu)'], 'cgroup2 without the cpu controller: v1 has it');
});

test('a quota as large as the allowed CPUs cannot throttle them: ok', () => {
  withCopy('container-cgroup1', (root) => {
    writeFileSync(join(root, 'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us'), '800000\n');
    assert.deepEqual(
      [check(checksOf(root), 'cpu-quota').status, check(checksOf(root), 'cpu-quota').finding],
      ['ok', 'quota 8.00 CPUs (800000/100000 µs per period at /sys/fs/cgroup/cpu,cpuacct, cgroup v1) for 8 allowed CPU(s)'],
    );
  });
});

test('the SMT siblings outside a container cpuset are named: their load cannot be seen from inside', () => {
  const smt = check(checksOf(fixture('container-cgroup1')), 'smt');
  assert.equal(smt.status, 'warn');
  assert.match(smt.finding, /on 8 of the allowed cores \(smt\/control on\); their siblings 24-31 are outside the allowed CPUs$/);
});

test('other load and steal: over a tenth of a CPU warns and names the busiest processes', () => {
  const sample = (othersMs: number, stealMs: number): LoadSample => ({
    cpus: [0, 1],
    windowMs: 1000,
    othersMs,
    stealMs,
    busiest: [{ pid: 4242, comm: 'cc1plus', cpuMs: 610 }],
  });
  const busy = checksOf(fixture('vm-2cpu'), sample(640, 150));
  const others = check(busy, 'other-load');
  assert.deepEqual([others.status, others.finding], ['warn', 'others used 0.64 CPUs of CPUs 0-1 during 1.0 s (busiest: cc1plus pid 4242 61%)']);
  const steal = check(busy, 'steal');
  assert.deepEqual([steal.status, steal.finding], ['warn', 'steal 0.15 CPUs of CPUs 0-1 during 1.0 s (a virtual machine)']);
  const quiet = checksOf(fixture('vm-2cpu'), sample(90, 20));
  assert.equal(check(quiet, 'other-load').status, 'ok');
  assert.deepEqual(
    [check(quiet, 'steal').status, check(quiet, 'steal').finding],
    ['ok', 'steal 0.02 CPUs of CPUs 0-1 during 1.0 s (a virtual machine: it changes with the other guests, trials record it)'],
  );
  assert.equal(check(checksOf(fixture('two-socket-smt'), sample(0, 0)), 'steal').finding, 'steal 0.00 CPUs of CPUs 0-1 during 1.0 s', 'no hypervisor flag');
});

function doctor(...args: string[]) {
  const r = spawnSync(process.execPath, [`${repoRoot}bin/autotune.js`, 'doctor', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('autotune doctor: one line per check; --json the same checks', () => {
  const text = doctor('--sysfs-root', fixture('container-cgroup2'));
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stderr, '');
  const lines = text.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1 + ALL.length + 1, text.stdout);
  assert.deepEqual(lines.slice(1, -1), [...checksOf(fixture('container-cgroup2')).values()].map(formatCheck));
  assert.match(lines[1]!, /^warn {4}governor: powersave on CPUs 4-6,20-23; /);
  assert.equal(lines.at(-1), '6 setting(s) can disturb measurements: trials run anyway, and record what they saw');

  const json = doctor('--sysfs-root', fixture('container-cgroup2'), '--json');
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { source: unknown; checks: MachineCheck[] };
  assert.deepEqual(out.source, { kind: 'path', root: fixture('container-cgroup2') });
  assert.deepEqual(out.checks, [...checksOf(fixture('container-cgroup2')).values()]);
});

test('autotune doctor on a path without a snapshot: one line, exit code for bad input', () => {
  const r = doctor('--sysfs-root', '/nonexistent/snapshot');
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^autotune: no CPU topology under \/nonexistent\/snapshot: .*\n$/);
});
