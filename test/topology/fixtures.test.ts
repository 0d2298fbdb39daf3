import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import test from 'node:test';
import { readTopology } from '../../src/topology/read-topology.js';
import type { Core } from '../../src/topology/types.js';
import { fixture, KiB, L, repoRoot } from './helpers.js';

/** Cores of an x86 machine numbered the Linux way: thread t of global core g is cpu g + t * cores. */
function x86Cores(opts: {
  cores: number;
  threads: number;
  perPackage: number;
  perDie?: number;
  node: (core: number) => number;
  cluster?: (core: number) => number | null;
}): Core[] {
  return Array.from({ length: opts.cores }, (_, g) => ({
    index: g,
    package: Math.floor(g / opts.perPackage),
    die: Math.floor((g % opts.perPackage) / (opts.perDie ?? opts.perPackage)),
    cluster: opts.cluster?.(g) ?? null,
    coreId: g % opts.perPackage,
    node: opts.node(g),
    cpus: Array.from({ length: opts.threads }, (_, t) => g + t * opts.cores),
  }));
}

test('the committed fixture trees are what make-fixtures.ts generates', () => {
  execFileSync(process.execPath, [`${repoRoot}dist/test/fixtures/sysfs/make-fixtures.js`], { stdio: 'pipe' });
});

test('vm-2cpu: a copy of this kind of 1-node 2-CPU VM (hybrid cgroup: cpuset on v1)', () => {
  const t = readTopology({ sysfsRoot: fixture('vm-2cpu') });
  assert.deepEqual(t.source, { kind: 'path', root: fixture('vm-2cpu') });
  assert.equal(t.cpuModel, 'AMD EPYC');
  assert.equal(t.kernel, '6.18.44-fc-v669');
  assert.deepEqual([t.possible, t.online, t.offline], [[0, 1], [0, 1], []]);
  assert.equal(t.numaSupported, true);
  assert.deepEqual(t.nodes, [{ id: 0, cpus: [0, 1], memBytes: 4679884 * KiB, distances: [10] }]);
  assert.deepEqual(t.packages, [{ id: 0, cpus: [0, 1], nodes: [0], dies: [0] }]);
  // cluster_id 65535 is x86's "unknown".
  assert.deepEqual(t.cores, x86Cores({ cores: 2, threads: 1, perPackage: 2, node: () => 0 }));
  assert.deepEqual(t.l3Domains, [{ id: 0, cpus: [0, 1], sizeBytes: 32768 * KiB }]);
  assert.deepEqual(t.allowed, {
    cpus: [0, 1],
    mems: [0],
    affinity: [0, 1],
    cgroup: { version: 'v1', path: '/sys/fs/cgroup/cpuset', cpus: [0, 1], mems: [0] },
  });
  assert.deepEqual(t.warnings, []);
});

test('two-socket-smt: 2 x 8 cores x 2 threads, a node and an L3 per socket', () => {
  const t = readTopology({ sysfsRoot: fixture('two-socket-smt') });
  assert.equal(t.cpuModel, 'Intel(R) Xeon(R) Gold 6244 CPU @ 3.60GHz');
  assert.equal(t.kernel, '6.1.0-18-amd64');
  assert.deepEqual([t.possible, t.online, t.offline], [L('0-31'), L('0-31'), []]);
  assert.deepEqual(t.nodes, [
    { id: 0, cpus: L('0-7,16-23'), memBytes: 65_687_168 * KiB, distances: [10, 21] },
    { id: 1, cpus: L('8-15,24-31'), memBytes: 66_060_288 * KiB, distances: [21, 10] },
  ]);
  assert.deepEqual(t.packages, [
    { id: 0, cpus: L('0-7,16-23'), nodes: [0], dies: [0] },
    { id: 1, cpus: L('8-15,24-31'), nodes: [1], dies: [0] },
  ]);
  assert.deepEqual(t.cores, x86Cores({ cores: 16, threads: 2, perPackage: 8, node: (g) => Math.floor(g / 8) }));
  assert.deepEqual(t.l3Domains, [
    { id: 0, cpus: L('0-7,16-23'), sizeBytes: 25_344 * KiB },
    { id: 1, cpus: L('8-15,24-31'), sizeBytes: 25_344 * KiB },
  ]);
  assert.deepEqual(t.allowed, {
    cpus: L('0-31'),
    mems: [0, 1],
    affinity: L('0-31'),
    cgroup: { version: 'v2', path: '/sys/fs/cgroup', cpus: L('0-31'), mems: [0, 1] },
  });
  assert.deepEqual(t.warnings, []);
});

test('snc-4node: sub-NUMA clustering gives 2 nodes per package, distances 10/11/21, L2 clusters', () => {
  const t = readTopology({ sysfsRoot: fixture('snc-4node') });
  assert.deepEqual(
    t.nodes.map((n) => [n.id, n.cpus, n.distances]),
    [
      [0, L('0-3,16-19'), [10, 11, 21, 21]],
      [1, L('4-7,20-23'), [11, 10, 21, 21]],
      [2, L('8-11,24-27'), [21, 21, 10, 11]],
      [3, L('12-15,28-31'), [21, 21, 11, 10]],
    ],
  );
  assert.deepEqual(t.packages, [
    { id: 0, cpus: L('0-7,16-23'), nodes: [0, 1], dies: [0] },
    { id: 1, cpus: L('8-15,24-31'), nodes: [2, 3], dies: [0] },
  ]);
  assert.deepEqual(
    t.cores,
    x86Cores({
      cores: 16,
      threads: 2,
      perPackage: 8,
      node: (g) => Math.floor(g / 4),
      cluster: (g) => Math.floor(g / 8) * 1000 + Math.floor((g % 8) / 2),
    }),
  );
  assert.deepEqual(
    t.l3Domains.map((d) => d.cpus),
    [L('0-7,16-23'), L('8-15,24-31')],
  );
  assert.deepEqual(t.allowed.mems, [0, 1, 2, 3]);
});

test('offline-cpus: offline threads leave their cores, dies and L3 domains; a core with all threads offline is gone', () => {
  const t = readTopology({ sysfsRoot: fixture('offline-cpus') });
  assert.deepEqual([t.possible, t.online, t.offline], [L('0-15'), L('0-2,4-11'), L('3,12-15')]);
  assert.deepEqual(t.nodes, [{ id: 0, cpus: L('0-2,4-11'), memBytes: 131_826_688 * KiB, distances: [10] }]);
  assert.deepEqual(t.packages, [{ id: 0, cpus: L('0-2,4-11'), nodes: [0], dies: [0, 1] }]);
  // Cores come in order of their first online CPU: core 3 (only CPU 11 left) moves to the end.
  const expected = x86Cores({ cores: 8, threads: 2, perPackage: 8, perDie: 4, node: () => 0 })
    .map((c) => ({ ...c, cpus: c.cpus.filter((cpu) => !t.offline.includes(cpu)) }))
    .sort((a, b) => a.cpus[0]! - b.cpus[0]!)
    .map((c, index) => ({ ...c, index }));
  assert.deepEqual(t.cores, expected);
  assert.deepEqual(t.cores.at(-1), { index: 7, package: 0, die: 0, cluster: null, coreId: 3, node: 0, cpus: [11] });
  assert.deepEqual(t.l3Domains, [
    { id: 0, cpus: L('0-2,8-11'), sizeBytes: 16 * 1024 * KiB },
    { id: 1, cpus: L('4-7'), sizeBytes: 16 * 1024 * KiB },
  ]);
  assert.deepEqual(t.allowed.cpus, L('0-2,4-11'));
});

test('container-cgroup2: cgroup2 mounted at /run/k8s/cgroup2 (found via /proc/mounts) limits the process', () => {
  const t = readTopology({ sysfsRoot: fixture('container-cgroup2') });
  assert.deepEqual(t.online, L('0-31'));
  assert.deepEqual(t.allowed, {
    // affinity (taskset to 4-6,20-23) ∩ the container's cpuset 4-7,20-23
    cpus: L('4-6,20-23'),
    mems: [0],
    affinity: L('4-6,20-23'),
    cgroup: { version: 'v2', path: '/run/k8s/cgroup2/kubepods/burstable/pod42/ctr', cpus: L('4-7,20-23'), mems: [0] },
  });
  assert.deepEqual(t.warnings, []);
});

test('container-cgroup1: a v1 cpuset without a cgroup namespace is found at the mount root, with a warning', () => {
  const t = readTopology({ sysfsRoot: fixture('container-cgroup1') });
  assert.deepEqual(t.allowed, {
    cpus: L('8-15'),
    mems: [1],
    affinity: L('0-31'),
    cgroup: { version: 'v1', path: '/sys/fs/cgroup/cpuset', cpus: L('8-15'), mems: [1] },
  });
  assert.equal(t.warnings.length, 1);
  assert.match(t.warnings[0]!, /cgroup \/docker\/3f2a9c is not under the v1 mount/);
});

test('old-kernel-masks: hex masks only, Cpus_allowed without _list, legacy /dev/cpuset', () => {
  const t = readTopology({ sysfsRoot: fixture('old-kernel-masks') });
  assert.equal(t.kernel, '2.6.18-398.el5');
  assert.equal(t.cpuModel, 'Intel(R) Xeon(R) CPU           X5570  @ 2.93GHz');
  assert.deepEqual(t.nodes, [{ id: 0, cpus: L('0-7'), memBytes: 24_676_320 * KiB, distances: [10] }]);
  assert.deepEqual(t.cores, x86Cores({ cores: 4, threads: 2, perPackage: 4, node: () => 0 }));
  assert.deepEqual(t.packages, [{ id: 0, cpus: L('0-7'), nodes: [0], dies: [0] }]);
  assert.deepEqual(t.l3Domains, [{ id: 0, cpus: L('0-7'), sizeBytes: 8192 * KiB }]);
  assert.deepEqual(t.allowed, {
    cpus: L('0-3'),
    mems: [0],
    affinity: L('0-7'),
    cgroup: { version: 'legacy', path: '/dev/cpuset/batch', cpus: L('0-3'), mems: [0] },
  });
  for (const mask of ['cpumap', 'thread_siblings', 'shared_cpu_map', 'Cpus_allowed', 'Mems_allowed']) {
    assert.ok(
      t.warnings.some((w) => w.includes(mask)),
      `a warning names the ${mask} fallback: ${t.warnings.join(' | ')}`,
    );
  }
});

test('nul-terminated: every sysfs file ends in NUL; arm64 cpuinfo names implementer and part', () => {
  const t = readTopology({ sysfsRoot: fixture('nul-terminated') });
  assert.equal(t.cpuModel, 'CPU implementer 0x41 part 0xd0c');
  assert.deepEqual([t.possible, t.online], [L('0-3'), L('0-3')]);
  assert.deepEqual(t.nodes, [{ id: 0, cpus: L('0-3'), memBytes: 16_303_544 * KiB, distances: [10] }]);
  assert.deepEqual(
    t.cores,
    x86Cores({ cores: 4, threads: 1, perPackage: 4, node: () => 0, cluster: (g) => Math.floor(g / 2) }),
  );
  assert.deepEqual(t.l3Domains, [{ id: 0, cpus: L('0-3'), sizeBytes: 32 * 1024 * KiB }]);
  assert.deepEqual(t.allowed.cpus, L('0-3'));
  assert.deepEqual(t.warnings.length, 1);
  assert.match(t.warnings[0]!, /NUL bytes/);
});

test('sparse-nodes: node ids 0-2,33-34 with a memory-only node 34', () => {
  const t = readTopology({ sysfsRoot: fixture('sparse-nodes') });
  assert.deepEqual(t.nodes, [
    { id: 0, cpus: L('0-3'), memBytes: 16_252_928 * KiB, distances: [10, 12, 32, 32, 50] },
    { id: 1, cpus: L('4-7'), memBytes: 16_777_216 * KiB, distances: [12, 10, 32, 32, 50] },
    { id: 2, cpus: L('8-11'), memBytes: 16_777_216 * KiB, distances: [32, 32, 10, 12, 60] },
    { id: 33, cpus: L('12-15'), memBytes: 16_777_216 * KiB, distances: [32, 32, 12, 10, 60] },
    { id: 34, cpus: [], memBytes: 134_217_728 * KiB, distances: [50, 50, 60, 60, 10] },
  ]);
  assert.deepEqual(t.packages, [
    { id: 0, cpus: L('0-7'), nodes: [0, 1], dies: [0] },
    { id: 1, cpus: L('8-15'), nodes: [2, 33], dies: [0] },
  ]);
  assert.deepEqual(
    t.cores.map((c) => c.node),
    [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 33, 33, 33, 33],
  );
  assert.deepEqual(
    t.l3Domains.map((d) => d.cpus),
    [L('0-3'), L('4-7'), L('8-11'), L('12-15')],
  );
  assert.deepEqual(t.allowed.mems, [0, 1, 2, 33, 34]);
});

test('no-numa: without sys/devices/system/node one node 0 holds everything; missing cache dirs are a warning', () => {
  const t = readTopology({ sysfsRoot: fixture('no-numa') });
  assert.equal(t.numaSupported, false);
  assert.deepEqual(t.nodes, [{ id: 0, cpus: L('0-3'), memBytes: 8_131_072 * KiB, distances: [10] }]);
  assert.deepEqual(t.cores, x86Cores({ cores: 4, threads: 1, perPackage: 4, node: () => 0 }));
  // CPUs 2-3 have no cache directory, but CPU 0's L3 shared_cpu_list names them.
  assert.deepEqual(t.l3Domains, [{ id: 0, cpus: L('0-3'), sizeBytes: 6144 * KiB }]);
  assert.deepEqual(t.allowed, { cpus: L('0-3'), mems: [0], affinity: L('0-3'), cgroup: null });
  assert.ok(t.warnings.some((w) => /no cache information for CPUs 2-3/.test(w)), t.warnings.join(' | '));
  assert.ok(t.warnings.some((w) => /no NUMA information/.test(w)), t.warnings.join(' | '));
});

test('procRoot reads procfs from elsewhere: the sysfs of one tree with the process view of another', () => {
  const t = readTopology({ sysfsRoot: fixture('two-socket-smt'), procRoot: `${fixture('container-cgroup2')}/proc` });
  assert.deepEqual(t.allowed.affinity, L('4-6,20-23'));
  // The cgroup2 mount it names (/run/k8s/cgroup2) is looked up under the sysfs root, where there is none.
  assert.equal(t.allowed.cgroup, null);
  assert.deepEqual(t.allowed.cpus, L('4-6,20-23'));
  assert.equal(t.nodes.length, 2);
});
