import test from 'node:test';
import assert from 'node:assert/strict';
import { replay, trueVolume } from '../../bench/replay.js';
import { syntheticTable } from '../../bench/synthetic-model.js';
import type { ReplayTable } from '../../bench/table.js';
import { createBayesStrategy } from '../../src/search/bayes.js';
import { createRandomStrategy } from '../../src/search/random.js';
import { type Observation, type SearchContext } from '../../src/search/strategy.js';
import { configKey } from '../../src/domain/config.js';

const full = syntheticTable();
/** A small slice of the synthetic table: P x T <= 16 (so e.g. 8 x 8 is infeasible and absent), 2 policies, 4 batches. */
const small: ReplayTable = {
  ...full,
  rows: full.rows.filter(
    (r) => r.config.processes * r.config.threads <= 16 && ['none', 'local'].includes(r.config.numa) && [1, 4, 16, 64].includes(r.config.batch),
  ),
};
const rowOf = new Map(full.rows.map((r) => [configKey(r.config), r]));

/** Records a fresh noisy measurement of `key`, as a trial would. */
function observe(history: Observation[], key: string): void {
  const row = rowOf.get(key)!;
  const repeat = history.filter((o) => configKey(o.config) === key).length + 1;
  history.push({ config: row.config, ...full.measure(row, repeat, 7), repeat });
}

test('proposes only feasible configurations of the space, never a measured or failed one', () => {
  const space = small.rows.map((r) => r.config);
  const inSpace = new Set(space.map(configKey));
  const failed = space.filter((_, i) => i % 7 === 3);
  const failedKeys = new Set(failed.map(configKey));
  const bayes = createBayesStrategy();
  const history: Observation[] = [];
  const reasons = new Set<string>();
  for (let step = 0; step < 22; step++) {
    const proposal = bayes.next({ space, history, failed, sloMs: 20, seed: 5, remaining: 100 });
    assert.ok(proposal !== null);
    const key = configKey(proposal.config);
    assert.ok(inSpace.has(key), `${key} is not in the space`);
    assert.ok(!failedKeys.has(key), `${key} failed before`);
    assert.ok(!history.some((o) => configKey(o.config) === key), `${key} was already measured`);
    assert.ok(proposal.config.processes * proposal.config.threads <= 16);
    reasons.add(proposal.reason.split(' ').slice(0, 3).join(' '));
    observe(history, key);
  }
  // both phases ran: the space-filling start and the model
  assert.ok([...reasons].some((r) => r.startsWith('bayes: space-filling')), [...reasons].join('; '));
  assert.ok([...reasons].some((r) => r.startsWith('bayes: expected')), [...reasons].join('; '));
});

test('pure given (context, seed): a fresh instance proposes the same, another seed starts elsewhere', () => {
  const space = small.rows.map((r) => r.config);
  const history: Observation[] = [];
  for (const r of small.rows.filter((_, i) => i % 9 === 0)) observe(history, configKey(r.config));
  const context: SearchContext = { space, history, failed: [], sloMs: 20, seed: 11, remaining: 50 };
  const a = createBayesStrategy().next(context);
  const b = createBayesStrategy().next(context);
  assert.deepEqual(a, b);
  const starts = new Set(
    [1, 2, 3, 4].map((seed) => configKey(createBayesStrategy().next({ ...context, history: [], seed })!.config)),
  );
  assert.ok(starts.size > 1, 'every seed began with the same configuration');
});

test('until a configuration meets the SLO it chases feasibility', () => {
  const space = small.rows.map((r) => r.config);
  const history: Observation[] = [];
  const slow = small.rows.filter((r) => r.config.batch === 64).slice(0, 12);
  for (const r of slow) observe(history, configKey(r.config));
  const slo = Math.min(...slow.map((r) => r.truth.p99Ms)) / 2;
  const proposal = createBayesStrategy().next({ space, history, failed: [], sloMs: slo, seed: 1, remaining: 40 });
  assert.ok(proposal !== null);
  assert.match(proposal.reason, /meet the .* ms SLO/);
  // the model learnt that big batches are slow
  assert.ok(proposal.config.batch < 64, `proposed batch ${proposal.config.batch}`);
});

test('at the end of the budget it re-measures noisy and front configurations, each at most twice', () => {
  const space = small.rows.map((r) => r.config);
  const history: Observation[] = [];
  for (const r of small.rows.filter((_, i) => i % 3 === 0)) observe(history, configKey(r.config));
  const bayes = createBayesStrategy({ maxRemeasure: 3 });
  const remeasured: string[] = [];
  for (let remaining = 3; remaining >= 1; remaining--) {
    const proposal = bayes.next({ space, history, failed: [], sloMs: 20, seed: 1, remaining });
    assert.ok(proposal !== null);
    assert.match(proposal.reason, /^re-measure/);
    const key = configKey(proposal.config);
    assert.ok(history.some((o) => configKey(o.config) === key), 're-measured an unmeasured configuration');
    remeasured.push(key);
    observe(history, key);
  }
  assert.equal(new Set(remeasured).size, remeasured.length, `a configuration was re-measured twice: ${remeasured.join(', ')}`);
  // with plenty of budget left it explores instead
  const early = bayes.next({ space, history, failed: [], sloMs: 20, seed: 1, remaining: 30 });
  assert.doesNotMatch(early!.reason, /^re-measure/);
});

test('replay on the SYNTHETIC 64-core table, noisy draws judged on the truth: bayes beats random at the same budget', () => {
  const truth = trueVolume(full);
  const budget = 30;
  for (const seed of [1, 2]) {
    const bayesVolume = replay(full, createBayesStrategy(), { seed, budget, checkpoints: [budget] }).ends.get(budget)!.volume / truth;
    const randomVolume = replay(full, createRandomStrategy(), { seed, budget, checkpoints: [budget] }).ends.get(budget)!.volume / truth;
    assert.ok(bayesVolume > randomVolume, `seed ${seed}: bayes ${bayesVolume} vs random ${randomVolume}`);
    assert.ok(bayesVolume >= 0.9, `seed ${seed}: bayes reached only ${bayesVolume} of the true hypervolume in ${budget} trials`);
  }
});
