import test from 'node:test';
import assert from 'node:assert/strict';
import { AutotuneError } from '../../src/errors.js';
import { feasibility, ortAffinities, planPlacement, usableCpuCount } from '../../src/placement/index.js';
import { completeConfig, type NumaPolicy, type Plan, type SmtUse, type TrialConfig } from '../../src/domain/config.js';
import type { Topology } from '../../src/topology/types.js';
import { cgroupLimited, snc4, sparseNodes, twoSocket, vm2 } from './topologies.js';

const pinned = { oversubscribe: false, pinning: true };

function config(processes: number, threads: number, numa: NumaPolicy, smt: SmtUse = 'cores'): TrialConfig {
  return completeConfig({ processes, threads, numa, batch: 1, smt, spinning: true, baseline: false });
}

const coreOf = (topology: Topology, cpu: number): number => topology.cores.find((c) => c.cpus.includes(cpu))!.index;
const nodeOf = (topology: Topology, cpu: number): number => topology.nodes.find((n) => n.cpus.includes(cpu))!.id;

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AutotuneError, `expected AutotuneError, got ${String(e)}`);
    assert.equal(e.kind, 'usage');
    assert.doesNotMatch(e.message, /\n/);
    return e.message;
  }
  assert.fail('expected planPlacement to throw');
}

test('1-node 2-CPU VM: two single-thread workers get one CPU each under every policy', () => {
  for (const numa of ['none', 'local', 'interleave', 'spread'] as const) {
    const plan = planPlacement(config(2, 1, numa), vm2(), pinned);
    assert.equal(plan.pinned, true);
    assert.equal(plan.oversubscribed, false);
    assert.deepEqual(plan.workers.map((w) => w.cpus), [[0], [1]]);
    assert.deepEqual(plan.workers.map((w) => w.mainCpu), [0, 1]);
    assert.deepEqual(plan.workers.map((w) => ortAffinities(w)), ['', '']);
    const expected = { none: ['default', []], local: ['bind', [0]], interleave: ['interleave', [0]], spread: ['interleave', [0]] }[numa];
    for (const w of plan.workers) assert.deepEqual([w.memPolicy, w.mems], expected);
    if (numa !== 'none') assert.match(plan.notes.join('\n'), /one usable NUMA node/);
  }
});

test('1-node VM: one worker with two threads pins the pool thread to CPU 1 (ORT id 2)', () => {
  const [worker] = planPlacement(config(1, 2, 'none', 'all'), vm2(), pinned).workers;
  assert.deepEqual(worker!.cpus, [0, 1]);
  assert.equal(worker!.mainCpu, 0);
  assert.deepEqual(worker!.poolCpus, [[1]]);
  assert.equal(ortAffinities(worker!), '2');
});

test('P x T above the usable CPUs is a one-line usage error that feasibility reports too', () => {
  const message = usageError(() => planPlacement(config(4, 2, 'none'), vm2(), pinned));
  assert.equal(message, 'P x T = 8 CPUs but this process may use 2 (0-1): lower --processes/--threads or pass --oversubscribe');
  assert.deepEqual(feasibility(config(4, 2, 'none'), vm2(), false), { ok: false, reason: message });
  const smtMessage = usageError(() => planPlacement(config(2, 20, 'none', 'cores'), twoSocket(), pinned));
  assert.match(smtMessage, /^P x T = 40 CPUs but --smt cores leaves 32 physical cores \(one CPU each: 0-31\)/);
  assert.equal(feasibility(config(2, 20, 'none', 'all'), twoSocket(), false).ok, true);
  assert.match(usageError(() => planPlacement(config(0, 1, 'none'), vm2(), pinned)), /processes must be a whole number >= 1, got 0/);
  assert.match(usageError(() => planPlacement(config(1, 1.5, 'none'), vm2(), pinned)), /threads must be a whole number >= 1, got 1.5/);
});

test('oversubscription wraps around the usable CPUs and says so', () => {
  const plan = planPlacement(config(4, 2, 'none'), vm2(), { oversubscribe: true, pinning: true });
  assert.equal(plan.oversubscribed, true);
  assert.match(plan.notes.join('\n'), /oversubscribed/);
  for (const w of plan.workers) assert.deepEqual(w.cpus, [0, 1]);
  // More threads than CPUs in one worker: CPUs repeat, but every pool thread still gets a group.
  const [big] = planPlacement(config(1, 5, 'none'), vm2(), { oversubscribe: true, pinning: true }).workers;
  assert.equal(big!.poolCpus.length, 4);
  assert.equal(ortAffinities(big!).split(';').length, 4);
});

test('oversubscription is bounded: 4 threads per usable CPU, and a worker per 64 MiB of memory', () => {
  const over = { oversubscribe: true, pinning: true };
  // The audit's --processes 100000 --oversubscribe: refused before any process starts, the bound named.
  assert.equal(
    usageError(() => planPlacement(config(100000, 1, 'none'), vm2(), over)),
    'P x T = 100000 threads is more than --oversubscribe allows: at most 4 per usable CPU, 8 on these 2: lower --processes/--threads',
  );
  assert.match(usageError(() => planPlacement(config(1, 9, 'none'), vm2(), over)), /^P x T = 9 threads .* 8 on these 2/);
  assert.match(usageError(() => planPlacement(config(3, 3, 'local'), vm2(), over)), /at most 4 per usable CPU/);
  assert.equal(feasibility(config(8, 1, 'none'), vm2(), true).ok, true);
  assert.equal(feasibility(config(4, 2, 'local'), vm2(), true).ok, true);
  // SMT cores: the bound counts the CPUs a plan may hand out (32 physical cores, not 64 threads).
  assert.match(usageError(() => planPlacement(config(129, 1, 'none', 'cores'), twoSocket(), over)), /at most 4 per usable CPU, 128 on these 32/);
  const small = vm2();
  small.nodes[0]!.memBytes = 256 * 2 ** 20;
  assert.equal(feasibility(config(4, 1, 'none'), small, true).ok, true);
  assert.equal(
    usageError(() => planPlacement(config(5, 1, 'none'), small, over)),
    '5 worker processes need at least 64 MiB each, but this machine has 0.3 GiB: at most 4 workers; lower --processes',
  );
});

test('usable CPU counts: hardware threads with smt all, physical cores with smt cores', () => {
  assert.equal(usableCpuCount(vm2(), 'cores'), 2);
  assert.equal(usableCpuCount(twoSocket(), 'cores'), 32);
  assert.equal(usableCpuCount(twoSocket(), 'all'), 64);
  assert.equal(usableCpuCount(cgroupLimited(), 'cores'), 12);
  assert.equal(usableCpuCount(cgroupLimited(), 'all'), 24);
  assert.equal(usableCpuCount(sparseNodes(), 'all'), 12);
});

test('smt cores uses one hardware thread per physical core', () => {
  const topology = twoSocket();
  const plan = planPlacement(config(2, 16, 'none', 'cores'), topology, pinned);
  const cpus = plan.workers.flatMap((w) => w.cpus);
  assert.equal(new Set(cpus.map((cpu) => coreOf(topology, cpu))).size, 32);
  assert.deepEqual(plan.workers[0]!.cpus, Array.from({ length: 16 }, (_, i) => i));
});

test('smt all keeps siblings together: a worker shares cores with itself, not with another worker', () => {
  const topology = twoSocket();
  const plan = planPlacement(config(2, 3, 'none', 'all'), topology, pinned);
  assert.deepEqual(plan.workers[0]!.cpus, [0, 1, 32]);
  assert.deepEqual(plan.workers[1]!.cpus, [2, 3, 34]);
  const [w0, w1] = plan.workers.map((w) => new Set(w.cpus.map((cpu) => coreOf(topology, cpu))));
  assert.equal([...w0!].filter((core) => w1!.has(core)).length, 0);
  // A worker filling a whole node with hardware threads.
  const [whole] = planPlacement(config(1, 32, 'local', 'all'), topology, pinned).workers;
  assert.deepEqual(whole!.cpus, [...Array.from({ length: 16 }, (_, i) => i), ...Array.from({ length: 16 }, (_, i) => 32 + i)]);
});

test('local on 2 sockets: each worker on one node with memory bound there, round-robin over nodes', () => {
  const topology = twoSocket();
  const plan = planPlacement(config(4, 8, 'local'), topology, pinned);
  assert.deepEqual(plan.workers.map((w) => w.nodes), [[0], [1], [0], [1]]);
  for (const w of plan.workers) {
    assert.equal(w.memPolicy, 'bind');
    assert.deepEqual(w.mems, w.nodes);
    assert.ok(w.cpus.every((cpu) => nodeOf(topology, cpu) === w.nodes[0]));
  }
  const message = usageError(() => planPlacement(config(1, 17, 'local'), topology, pinned));
  assert.equal(
    message,
    "--numa local keeps a worker's 17 threads on one node, but the largest node has 16 usable CPUs (node 0: 0-15; node 1: 16-31): lower --threads or use --numa interleave or spread",
  );
  // The same worker fits with hardware threads, and interleave/spread do not need one node.
  assert.equal(feasibility(config(1, 17, 'local', 'all'), topology, false).ok, true);
  assert.equal(feasibility(config(1, 17, 'interleave'), topology, false).ok, true);
  // Oversubscription does not make a worker fit on one node.
  assert.equal(feasibility(config(1, 17, 'local'), topology, true).ok, false);
});

test('interleave and none: compact placement; interleave spans the nodes the worker covers', () => {
  const topology = twoSocket();
  const wide = planPlacement(config(1, 24, 'interleave'), topology, pinned).workers[0]!;
  assert.deepEqual(wide.nodes, [0, 1]);
  assert.deepEqual([wide.memPolicy, wide.mems], ['interleave', [0, 1]]);
  const narrow = planPlacement(config(2, 8, 'interleave'), topology, pinned).workers;
  assert.deepEqual(narrow.map((w) => [w.nodes, w.mems]), [[[0], [0]], [[0], [0]]]);
  const none = planPlacement(config(1, 24, 'none'), topology, pinned).workers[0]!;
  assert.deepEqual([none.memPolicy, none.mems, none.nodes], ['default', [], [0, 1]]);
});

test('a worker stays within one L3 domain when it fits in one', () => {
  const topology = twoSocket();
  const plan = planPlacement(config(3, 10, 'none'), topology, pinned);
  assert.deepEqual(plan.workers[0]!.cpus, Array.from({ length: 10 }, (_, i) => i));
  // The second does not fit in what is left of socket 0's L3 (6 cores), so it moves to socket 1's.
  assert.deepEqual(plan.workers[1]!.cpus, Array.from({ length: 10 }, (_, i) => 16 + i));
  // The third fits in neither and takes the leftovers.
  assert.deepEqual(plan.workers[2]!.cpus, [10, 11, 12, 13, 14, 15, 26, 27, 28, 29]);
});

test('spread splits a worker evenly over the nodes and balances the nodes across workers', () => {
  const topology = twoSocket();
  const one = planPlacement(config(1, 8, 'spread'), topology, pinned).workers[0]!;
  assert.deepEqual(one.cpus, [0, 1, 2, 3, 16, 17, 18, 19]);
  assert.deepEqual([one.memPolicy, one.mems], ['interleave', [0, 1]]);
  const odd = planPlacement(config(2, 3, 'spread'), topology, pinned).workers;
  const perNode = (cpus: number[]): number[] => [0, 1].map((n) => cpus.filter((cpu) => nodeOf(topology, cpu) === n).length);
  assert.deepEqual(odd.map((w) => perNode(w.cpus)), [[2, 1], [1, 2]]);
  const four = planPlacement(config(1, 8, 'spread'), snc4(), pinned).workers[0]!;
  assert.deepEqual(four.nodes, [0, 1, 2, 3]);
  assert.deepEqual(four.cpus.map((cpu) => nodeOf(snc4(), cpu)), [0, 0, 1, 1, 2, 2, 3, 3]);
});

test('SNC with 4 nodes: local gives each node its share; a socket-wide L3 holds a 16-thread worker', () => {
  const topology = snc4();
  const plan = planPlacement(config(8, 8, 'local', 'all'), topology, pinned);
  assert.deepEqual(plan.workers.map((w) => w.nodes[0]), [0, 1, 2, 3, 0, 1, 2, 3]);
  // Both workers of node 0 keep to their own cores: hardware threads of a core are never split.
  assert.deepEqual(plan.workers[0]!.cpus, [0, 1, 2, 3, 32, 33, 34, 35]);
  assert.deepEqual(plan.workers[4]!.cpus, [4, 5, 6, 7, 36, 37, 38, 39]);
  assert.ok(plan.workers.every((w) => w.nodes.length === 1 && w.mems[0] === w.nodes[0]));
  const wide = planPlacement(config(2, 16, 'none'), topology, pinned).workers;
  assert.deepEqual(wide.map((w) => w.nodes), [[0, 1], [2, 3]]);
  assert.match(usageError(() => planPlacement(config(5, 8, 'local'), topology, pinned)), /--numa local fits 4 workers of 8 threads/);
});

test('cgroup-limited: only allowed CPUs are used and uneven nodes hold what they can', () => {
  const topology = cgroupLimited();
  const allowed = new Set(topology.allowed.cpus);
  const plan = planPlacement(config(3, 4, 'local'), topology, pinned);
  assert.deepEqual(plan.workers.map((w) => w.cpus), [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]);
  assert.deepEqual(plan.workers.map((w) => w.mems), [[0], [1], [1]]);
  assert.equal(
    usageError(() => planPlacement(config(4, 4, 'local'), topology, pinned)),
    '--numa local fits 3 workers of 4 threads (node 0: 12-15; node 1: 16-23) but 4 were asked: lower --processes/--threads or pass --oversubscribe',
  );
  const all = planPlacement(config(6, 4, 'spread', 'all'), topology, pinned);
  assert.ok(all.workers.every((w) => w.cpus.every((cpu) => allowed.has(cpu))));
  assert.equal(new Set(all.workers.flatMap((w) => w.cpus)).size, 24);
  assert.match(
    usageError(() => planPlacement(config(7, 4, 'none', 'all'), topology, pinned)),
    /^P x T = 28 CPUs but this process may use 24 \(12-23,44-55\)/,
  );
});

test('sparse node ids: local round-robins over the real ids; memory-only nodes are never bound', () => {
  const topology = sparseNodes();
  const plan = planPlacement(config(3, 4, 'local'), topology, pinned);
  assert.deepEqual(plan.workers.map((w) => w.mems), [[0], [4], [9]]);
  const spread = planPlacement(config(1, 6, 'spread'), topology, pinned).workers[0]!;
  assert.deepEqual(spread.nodes, [0, 4, 9]);
  assert.deepEqual(spread.mems, [0, 4, 9]);
  assert.equal(ortAffinities(spread), [1, 4, 5, 8, 9].map((cpu) => cpu + 1).join(';'));
});

test('local binds only nodes whose memory this process may use', () => {
  const topology = twoSocket();
  topology.allowed.mems = [1];
  const plan = planPlacement(config(2, 8, 'local'), topology, pinned);
  assert.deepEqual(plan.workers.map((w) => w.mems), [[1], [1]]);
  assert.match(usageError(() => planPlacement(config(3, 8, 'local'), topology, pinned)), /fits 2 workers of 8 threads \(node 1: 16-31\)/);
});

test('baseline and unpinned plans leave placement to the OS', () => {
  const topology = cgroupLimited();
  const baseline = planPlacement({ ...config(1, 12, 'none'), baseline: true }, topology, pinned);
  const unpinned = planPlacement(config(2, 4, 'local'), topology, { oversubscribe: false, pinning: false });
  for (const plan of [baseline, unpinned]) {
    assert.equal(plan.pinned, false);
    assert.equal(plan.oversubscribed, false);
    assert.equal(plan.notes.length, 1);
    for (const w of plan.workers) {
      assert.deepEqual(w.cpus, topology.allowed.cpus);
      assert.deepEqual([w.mainCpu, w.poolCpus, w.memPolicy, w.mems], [null, [], 'default', []]);
      assert.equal(ortAffinities(w), '');
    }
  }
  assert.equal(unpinned.workers.length, 2);
  assert.match(unpinned.notes[0]!, /pinning is unavailable/);
  // Unpinned is no excuse to accept what could not be placed.
  assert.throws(() => planPlacement(config(4, 4, 'local'), topology, { oversubscribe: false, pinning: false }), AutotuneError);
});

/** The invariants of every plan, checked over a grid of configurations on every topology. */
function checkPlan(plan: Plan, c: TrialConfig, topology: Topology, oversubscribe: boolean): void {
  const allowed = new Set(topology.allowed.cpus);
  assert.equal(plan.workers.length, c.processes);
  const owner = new Map<number, number>();
  for (const w of plan.workers) {
    assert.equal(w.poolCpus.length, c.threads - 1);
    assert.equal(w.mainCpu, w.cpus[0]);
    const slots = [w.mainCpu!, ...w.poolCpus.map((g) => g[0]!)];
    assert.deepEqual([...new Set(slots)].sort((a, b) => a - b), w.cpus);
    assert.ok(w.cpus.every((cpu) => allowed.has(cpu)));
    assert.deepEqual(w.nodes, [...new Set(w.cpus.map((cpu) => nodeOf(topology, cpu)))].sort((a, b) => a - b));
    const groups = ortAffinities(w);
    assert.equal(groups === '' ? 0 : groups.split(';').length, c.threads - 1);
    assert.deepEqual(groups === '' ? [] : groups.split(';').map(Number), w.poolCpus.map((g) => g[0]! + 1));
    if (c.numa === 'local') {
      assert.equal(w.nodes.length, 1);
      assert.deepEqual([w.memPolicy, w.mems], ['bind', w.nodes]);
    }
    if (c.smt === 'cores') assert.equal(new Set(w.cpus.map((cpu) => coreOf(topology, cpu))).size, w.cpus.length);
    for (const cpu of w.cpus) {
      if (!plan.oversubscribed) assert.equal(owner.get(cpu), undefined, `CPU ${cpu} shared without oversubscription`);
      owner.set(cpu, w.index);
    }
  }
  if (!oversubscribe) assert.equal(plan.oversubscribed, false);
  if (c.smt === 'cores' && !plan.oversubscribed) {
    const cores = plan.workers.flatMap((w) => w.cpus.map((cpu) => coreOf(topology, cpu)));
    assert.equal(new Set(cores).size, cores.length);
  }
}

test('every configuration on every topology: planPlacement throws exactly when feasibility says no', () => {
  const topologies = { vm2, twoSocket, snc4, cgroupLimited, sparseNodes };
  let planned = 0;
  let refused = 0;
  for (const [name, make] of Object.entries(topologies)) {
    const topology = make();
    for (const processes of [1, 2, 3, 4, 5, 8]) {
      for (const threads of [1, 2, 3, 4, 6, 8, 16, 33]) {
        for (const numa of ['none', 'local', 'interleave', 'spread'] as const) {
          for (const smt of ['cores', 'all'] as const) {
            for (const oversubscribe of [false, true]) {
              const c = config(processes, threads, numa, smt);
              const verdict = feasibility(c, topology, oversubscribe);
              const label = `${name} ${JSON.stringify(c)} oversubscribe=${oversubscribe}`;
              if (verdict.ok) {
                checkPlan(planPlacement(c, topology, { oversubscribe, pinning: true }), c, topology, oversubscribe);
                planned++;
              } else {
                assert.equal(usageError(() => planPlacement(c, topology, { oversubscribe, pinning: true })), verdict.reason, label);
                refused++;
              }
            }
          }
        }
      }
    }
  }
  assert.ok(planned > 1000 && refused > 100, `planned ${planned}, refused ${refused}`);
});
