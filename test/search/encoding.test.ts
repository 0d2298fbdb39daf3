import test from 'node:test';
import assert from 'node:assert/strict';
import { completeConfig, type TrialConfig } from '../../src/domain/config.js';
import { createEncoding } from '../../src/search/encoding.js';
import { latinHypercube, spaceFillingDesign } from '../../src/search/initial-design.js';
import { createRng } from '../../src/search/rng.js';
import { configKey } from '../../src/domain/config.js';

const config = (processes: number, threads: number, numa: TrialConfig['numa'], batch: number): TrialConfig =>
  completeConfig({ processes, threads, numa, batch, smt: 'cores', spinning: true, baseline: false });

const space: TrialConfig[] = [];
for (const p of [1, 2, 4, 8]) for (const t of [1, 2, 4, 8]) if (p * t <= 8) for (const numa of ['none', 'local'] as const) for (const b of [1, 16]) space.push(config(p, t, numa, b));

test('encoding: log2 scaled to [0,1], categorical levels, constant fields left out', () => {
  const e = createEncoding(space);
  assert.deepEqual(e.fields, ['processes', 'threads', 'batch', 'numa']);
  assert.deepEqual(e.kinds, ['continuous', 'continuous', 'continuous', 'categorical']);
  assert.deepEqual(e.encode(config(1, 8, 'none', 16)), [0, 1, 1, 1]); // levels sorted: local 0, none 1
  assert.deepEqual(e.encode(config(2, 4, 'local', 1)), [1 / 3, 2 / 3, 0, 0]);
  // the core limit is linear in the encoding: log2 P + log2 T <= log2 8
  for (const c of space) {
    const [p, t] = e.encode(c);
    assert.ok(p! + t! <= 1 + 1e-12);
  }
});

test('Latin hypercube puts exactly one point in each stratum of every dimension', () => {
  const points = latinHypercube(10, 3, createRng(4));
  for (let d = 0; d < 3; d++) {
    const strata = points.map((p) => Math.floor(p[d]! * 10)).sort((a, b) => a - b);
    assert.deepEqual(strata, [...Array(10).keys()]);
  }
});

test('space-filling design: distinct configurations from the space, covering both ends of each axis', () => {
  const e = createEncoding(space);
  const design = spaceFillingDesign(space, e, 8, createRng(9));
  const keys = design.map(configKey);
  assert.equal(new Set(keys).size, 8);
  const inSpace = new Set(space.map(configKey));
  for (const k of keys) assert.ok(inSpace.has(k));
  assert.deepEqual(new Set(design.map((c) => c.batch)), new Set([1, 16]));
  assert.deepEqual(new Set(design.map((c) => c.numa)), new Set(['none', 'local']));
  assert.deepEqual(spaceFillingDesign(space, e, 8, createRng(9)), design);
});
