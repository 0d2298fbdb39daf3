import test from 'node:test';
import assert from 'node:assert/strict';
import { planPlacement } from '../../src/placement/index.js';
import { completeConfig, type NumaPolicy, type TrialConfig } from '../../src/domain/config.js';
import { parseStudy } from '../../src/domain/study.js';
import { buildSpace, machineOf, resolveAuto } from '../../src/search/space.js';
import type { Topology } from '../../src/topology/types.js';
import { snc4, sparseNodes, twoSocket, vm2 } from './topologies.js';

const pinned = { oversubscribe: false, pinning: true };

function config(processes: number, threads: number, numa: NumaPolicy, threadPlacement: 'compact' | 'scatter'): TrialConfig {
  return completeConfig({ processes, threads, numa, batch: 1, smt: 'cores', spinning: true, baseline: false, threadPlacement });
}

/** The L3 domain id of each CPU a worker got. */
function domainsOf(topology: Topology, cpus: number[]): number[] {
  return cpus.map((cpu) => topology.l3Domains.find((d) => d.cpus.includes(cpu))!.id);
}

test('scatter spreads a worker over the L3 domains, one thread per domain in turn; compact keeps it in one', () => {
  const topology = sparseNodes();
  const [compact] = planPlacement(config(1, 3, 'none', 'compact'), topology, pinned).workers;
  const [scatter] = planPlacement(config(1, 3, 'none', 'scatter'), topology, pinned).workers;
  assert.equal(new Set(domainsOf(topology, compact!.cpus)).size, 1);
  assert.equal(new Set(domainsOf(topology, scatter!.cpus)).size, 3);
  // Two six-thread workers on three 4-core domains: each worker two cores per domain, no CPU shared.
  const workers = planPlacement(config(2, 6, 'none', 'scatter'), topology, pinned).workers;
  for (const w of workers) {
    const counts = [0, 1, 2].map((id) => domainsOf(topology, w.cpus).filter((d) => d === id).length);
    assert.deepEqual(counts, [2, 2, 2]);
  }
  assert.equal(new Set(workers.flatMap((w) => w.cpus)).size, 12);
});

test('scatter never takes a worker out of its node under local, and spread still covers every node', () => {
  // Under local the worker's node comes first: scatter spreads only over that node's domains.
  const workers = planPlacement(config(2, 4, 'local', 'scatter'), twoSocket(), pinned).workers;
  for (const w of workers) assert.equal(w.nodes.length, 1);
  assert.notDeepEqual(workers[0]!.nodes, workers[1]!.nodes);
  const spread = planPlacement(config(1, 4, 'spread', 'scatter'), snc4(), pinned).workers[0]!;
  assert.equal(spread.nodes.length, 4);
});

test('scatter is left out of auto on a machine with one L3 domain, kept where there are several, and collapses for one thread', () => {
  const definition = parseStudy({ name: 's', space: { processes: [1], threads: [1, 2], numa: ['none'], batch: [1], threadPlacement: 'auto' } });
  const here = resolveAuto(definition.space, machineOf(vm2()));
  assert.deepEqual(here.space.threadPlacement, ['compact']);
  assert.deepEqual(here.leftOut.map((l) => [l.axis, l.value]), [['threadPlacement', 'scatter']]);
  assert.match(here.leftOut[0]!.reason, /one L3 domain/);
  const wide = resolveAuto(definition.space, machineOf(sparseNodes()));
  assert.deepEqual(wide.space.threadPlacement, ['compact', 'scatter']);
  assert.deepEqual(wide.leftOut, []);
  // t1 compact and t1 scatter are one configuration; t2 keeps both.
  const { configs } = buildSpace({ ...definition, space: wide.space }, sparseNodes());
  assert.deepEqual(
    configs.map((c) => `${c.threads}/${c.threadPlacement}`),
    ['1/compact', '2/compact', '2/scatter'],
  );
});
