import assert from 'node:assert/strict';
import test from 'node:test';
import type { TrialConfig } from '../../src/domain/config.js';
import { bisectionLevels, createGridStrategy, gridOrder } from '../../src/search/grid.js';
import { buildSpace } from '../../src/search/space.js';
import { type Observation, type SearchContext, type Strategy } from '../../src/search/strategy.js';
import { configKey } from '../../src/domain/config.js';
import { parseStudy } from '../../src/domain/study.js';
import { twoSocket } from '../placement/topologies.js';

const space = buildSpace(
  parseStudy({ name: 's', space: { processes: [1, 2, 4, 8, 16], threads: [1, 2, 4], numa: ['none', 'local'], batch: [1, 8, 32, 128] } }),
  twoSocket(),
).configs;

function context(history: TrialConfig[], failed: TrialConfig[] = []): SearchContext {
  const observations: Observation[] = history.map((config) => ({ config, tps: 1, p99Ms: 1, noisy: false, repeat: 1 }));
  return { space, history: observations, failed, sloMs: null, seed: 1, remaining: null };
}

/** Asks the strategy until it is done, telling it each proposal was measured. */
function drain(strategy: Strategy): TrialConfig[] {
  const measured: TrialConfig[] = [];
  for (let p = strategy.next(context(measured)); p; p = strategy.next(context(measured))) measured.push(p.config);
  return measured;
}

test('bisection levels: ends first, then the middle, then the quarters', () => {
  assert.deepEqual(bisectionLevels(1), [0]);
  assert.deepEqual(bisectionLevels(2), [0, 0]);
  assert.deepEqual(bisectionLevels(5), [0, 2, 1, 2, 0]);
  assert.deepEqual(bisectionLevels(9), [0, 3, 2, 3, 1, 3, 2, 3, 0]);
});

test('grid order is complete, without duplicates, and corners come before the middle', () => {
  const order = gridOrder(space);
  assert.equal(order.length, space.length);
  assert.deepEqual(new Set(order.map(configKey)), new Set(space.map(configKey)));
  const firstCentre = order.findIndex((c) => c.processes === 4 || c.batch === 8 || c.batch === 32 || c.threads === 2);
  const extremes = order.slice(0, firstCentre);
  // The coarse pass: every corner of the space that is feasible, before any interior value.
  assert.ok(extremes.length > 0);
  assert.ok(extremes.every((c) => [1, 16].includes(c.processes) && [1, 4].includes(c.threads) && [1, 128].includes(c.batch)));
  assert.ok(extremes.some((c) => c.processes === 16) && extremes.some((c) => c.batch === 128) && extremes.some((c) => c.numa === 'local'));
  // Medians (level 1) come before quarter points (level 2).
  const depth = (values: number[], v: number): number => bisectionLevels(values.length)[values.indexOf(v)]!;
  const level = (c: TrialConfig): number =>
    Math.max(depth([1, 2, 4, 8, 16], c.processes), depth([1, 2, 4], c.threads), depth([1, 8, 32, 128], c.batch));
  const levels = order.map(level);
  assert.deepEqual(levels, [...levels].sort((a, b) => a - b));
});

test('grid strategy proposes every configuration once, in grid order, skipping measured and failed', () => {
  const strategy = createGridStrategy();
  assert.deepEqual(drain(strategy).map(configKey), gridOrder(space).map(configKey));
  const order = gridOrder(space);
  const next = strategy.next(context([order[0]!], [order[1]!]));
  assert.equal(configKey(next!.config), configKey(order[2]!));
  assert.match(next!.reason, /^grid: 3\//);
  assert.equal(strategy.next(context(order)), null);
});

test('grid strategy with repeats measures the whole space again before stopping', () => {
  const proposals = drain(createGridStrategy({ repeats: 2 }));
  assert.equal(proposals.length, space.length * 2);
  assert.deepEqual(proposals.slice(space.length).map(configKey), gridOrder(space).map(configKey));
});
