import assert from 'node:assert/strict';
import test from 'node:test';
import type { TrialConfig } from '../../src/domain/config.js';
import { createRandomStrategy } from '../../src/search/random.js';
import { buildSpace } from '../../src/search/space.js';
import { type SearchContext } from '../../src/search/strategy.js';
import { configKey } from '../../src/domain/config.js';
import { parseStudy } from '../../src/domain/study.js';
import { twoSocket } from '../placement/topologies.js';

const space = buildSpace(
  parseStudy({ name: 's', space: { processes: [1, 2, 4, 8], threads: [1, 2, 4, 8], numa: ['none', 'interleave'], batch: [1, 16] } }),
  twoSocket(),
).configs;

function run(seed: number, repeats = 1): TrialConfig[] {
  const strategy = createRandomStrategy({ repeats });
  const measured: TrialConfig[] = [];
  const context = (): SearchContext => ({
    space,
    history: measured.map((config) => ({ config, tps: 1, p99Ms: 1, noisy: false, repeat: 1 })),
    failed: [],
    sloMs: null,
    seed,
    remaining: null,
  });
  for (let p = strategy.next(context()); p; p = strategy.next(context())) measured.push(p.config);
  return measured;
}

test('random: without replacement, the whole space, deterministic per seed', () => {
  const a = run(7).map(configKey);
  assert.equal(a.length, space.length);
  assert.equal(new Set(a).size, space.length);
  assert.deepEqual(run(7).map(configKey), a);
  const b = run(8).map(configKey);
  assert.notDeepEqual(b, a);
  assert.deepEqual(new Set(b), new Set(a));
  // Not simply enumeration order.
  assert.notDeepEqual(a, space.map(configKey));
});

test('random: a fresh strategy given the history continues the same sequence (resume)', () => {
  const full = run(3).map(configKey);
  const strategy = createRandomStrategy();
  const measured = run(3).slice(0, 5);
  const next = strategy.next({
    space,
    history: measured.map((config) => ({ config, tps: 1, p99Ms: 1, noisy: false, repeat: 1 })),
    failed: [],
    sloMs: null,
    seed: 3,
    remaining: null,
  });
  assert.equal(configKey(next!.config), full[5]);
});

test('random with repeats: two passes over the space', () => {
  const proposals = run(5, 2).map(configKey);
  assert.equal(proposals.length, space.length * 2);
  assert.deepEqual(new Set(proposals.slice(space.length)), new Set(proposals.slice(0, space.length)));
});
