import assert from 'node:assert/strict';
import test from 'node:test';

import { completeConfig } from '../../src/domain/config.js';
import { parseStudy } from '../../src/domain/study.js';
import { planPlacement } from '../../src/placement/index.js';
import { applyStudyFlags } from '../../src/study/flags.js';
import { snc4, twoSocket } from './topologies.js';

const pinned = { oversubscribe: false, pinning: true };
const preferred = (processes: number, threads: number) =>
  completeConfig({ processes, threads, numa: 'preferred', batch: 1, smt: 'cores', spinning: true, baseline: false });

test('numa preferred places compactly and prefers the memory of the node each worker runs on', () => {
  const plan = planPlacement(preferred(4, 8), twoSocket(), pinned);
  assert.deepEqual(plan.workers.map((w) => [w.memPolicy, w.mems]), [['preferred', [0]], ['preferred', [0]], ['preferred', [1]], ['preferred', [1]]]);
  assert.deepEqual(plan.workers.map((w) => w.nodes), [[0], [0], [1], [1]]);
});

test('a worker across nodes prefers the node holding most of its CPUs: exactly one node, as numactl --preferred takes', () => {
  // 12 threads on snc4's 8-core nodes: the first worker fills node 0 and takes 4 cores of node 1.
  const plan = planPlacement(preferred(2, 12), snc4(), pinned);
  assert.deepEqual(plan.workers[0]!.nodes, [0, 1]);
  assert.deepEqual(plan.workers[0]!.mems, [0]);
  for (const w of plan.workers) assert.equal(w.mems.length, 1);
});

test('--numa all in a study now includes preferred', () => {
  const definition = parseStudy(applyStudyFlags({}, { numa: 'all' }));
  assert.deepEqual(definition.space.numa, ['none', 'local', 'interleave', 'spread', 'preferred']);
});
