import assert from 'node:assert/strict';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import { feasibility } from '../../src/placement/index.js';
import { intCount as axisCount, intValues as axisValues } from '../../src/domain/axis-forms.js';
import { baselineConfig, buildSpace, MAX_SPACE_COMBINATIONS } from '../../src/search/space.js';
import { completeConfig, configKey } from '../../src/domain/config.js';
import { parseStudy } from '../../src/domain/study.js';
import { cgroupLimited, twoSocket, vm2 } from '../placement/topologies.js';

test('axis values: lists, linear and pow2 ranges, cpus resolved on the machine', () => {
  assert.deepEqual(axisValues([4, 1, 2, 2], 64, 'threads'), [1, 2, 4]);
  assert.deepEqual(axisValues({ min: 2, max: 5, scale: 'linear' }, 64, 'threads'), [2, 3, 4, 5]);
  assert.deepEqual(axisValues({ min: 1, max: 'cpus', scale: 'pow2' }, 6, 'threads'), [1, 2, 4, 6]);
  assert.deepEqual(axisValues({ min: 3, max: 20, scale: 'pow2' }, 64, 'threads'), [3, 4, 8, 16, 20]);
  assert.deepEqual(axisValues({ min: 1, max: 'cpus', scale: 'pow2' }, 64, 'threads'), [1, 2, 4, 8, 16, 32, 64]);
  assert.throws(() => axisValues({ min: 4, max: 'cpus', scale: 'linear' }, 2, 'threads'), (e: unknown) => e instanceof AutotuneError && e.kind === 'usage');
});

test('axis counts, computed without enumerating, agree with the enumerated values', () => {
  let compared = 0;
  for (const scale of ['linear', 'pow2'] as const)
    for (let min = 1; min <= 17; min++)
      for (let max = min; max <= 70; max++) {
        assert.equal(axisCount({ min, max, scale }, 64), axisValues({ min, max, scale }, 64, 'threads').length, `${min}-${max} ${scale}`);
        compared++;
      }
  assert.equal(compared, 2 * 17 * 70 - 2 * (17 * 16) / 2);
  assert.equal(axisCount({ min: 1, max: 'cpus', scale: 'pow2' }, 6), 4);
  assert.equal(axisCount([4, 1, 2, 2], 64), 3);
  assert.equal(axisCount({ min: 1, max: 100_000_000, scale: 'linear' }, 2), 100_000_000);
});

test('a space too large to search is one usage error naming its size and the widest axis, before enumerating it', () => {
  const huge = parseStudy({ name: 's', space: { batch: { min: 1, max: 100_000_000 } } });
  const refusal = (e: unknown): boolean => {
    assert.ok(e instanceof AutotuneError && e.kind === 'usage');
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, new RegExp(`^the study's space has 800000000 combinations \\(2 processes x 2 threads x 2 numa x 100000000 batch x 1 smt x 1 spinning x 1 threadPlacement x 1 graphOptimization x 1 cpuArena x 1 allocator\\), more than the ${MAX_SPACE_COMBINATIONS} autotune searches: narrow batch`));
    return true;
  };
  assert.throws(() => buildSpace(huge, vm2()), refusal);
  const fiveMillion = parseStudy({ name: 's', space: { batch: { min: 1, max: 5_000_000 } } });
  assert.throws(() => buildSpace(fiveMillion, vm2()), /narrow batch/);
  // At the bound itself the space is still built.
  const atBound = parseStudy({ name: 's', space: { processes: [1], threads: [1], numa: ['none'], batch: { min: 1, max: MAX_SPACE_COMBINATIONS } } });
  assert.equal(buildSpace(atBound, vm2()).configs.length, MAX_SPACE_COMBINATIONS);
});

test('the default space on a 2-CPU VM: 18 feasible configurations, 6 dropped', () => {
  const space = buildSpace(parseStudy({ name: 's' }), vm2());
  // (P, T) in {1, 2}^2 minus (2, 2), x numa {none, local} x batch {1, 8, 32}.
  assert.equal(space.configs.length, 18);
  assert.equal(space.infeasibleDropped, 6);
  assert.match(space.infeasibleExample ?? '', /P x T|fits/);
  assert.ok(space.configs.every((c) => c.processes * c.threads <= 2 && !c.baseline));
});

test('a 2-socket space: every kept config is feasible, every dropped one is not, no duplicates', () => {
  const definition = parseStudy({
    name: 's',
    space: { processes: [1, 1, 2, 4, 8, 16, 32, 64], threads: { min: 1, max: 'cpus', scale: 'pow2' }, numa: ['none', 'local', 'spread'], batch: [1], smt: ['cores', 'all'] },
  });
  const topology = twoSocket();
  const space = buildSpace(definition, topology);
  const product = 7 * 7 * 3 * 1 * 2 * 1;
  assert.equal(space.configs.length + space.infeasibleDropped, product);
  const keys = space.configs.map(configKey);
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(space.configs.every((c) => feasibility(c, topology, false).ok));
  // SMT 'cores' on 32 physical cores: P x T must fit 32; 'all': 64 hardware threads.
  assert.ok(space.configs.filter((c) => c.smt === 'cores').every((c) => c.processes * c.threads <= 32));
  assert.ok(space.configs.some((c) => c.smt === 'all' && c.processes * c.threads === 64));
  // Counted independently: (P, T) pairs of powers of two with P x T <= 64 (28) and <= 32 (21).
  const none = space.configs.filter((c) => c.numa === 'none');
  assert.equal(none.filter((c) => c.smt === 'all').length, 28);
  assert.equal(none.filter((c) => c.smt === 'cores').length, 21);
});

test('oversubscription keeps P x T above the usable CPUs', () => {
  const definition = parseStudy({ name: 's', oversubscribe: true, space: { processes: [1, 2, 4], threads: [1, 2], numa: ['none'], batch: [1] } });
  assert.equal(buildSpace(definition, vm2()).configs.length, 6);
});

test('a space with nothing feasible is a usage error saying why', () => {
  const definition = parseStudy({ name: 's', space: { processes: [4], threads: [4], numa: ['none'], batch: [1] } });
  assert.throws(() => buildSpace(definition, vm2()), (e: unknown) => e instanceof AutotuneError && /^no feasible configuration/.test(e.message));
});

test('the baseline: one unpinned process with one thread per usable physical core', () => {
  assert.deepEqual(baselineConfig(vm2(), 1), completeConfig({ processes: 1, threads: 2, numa: 'none', batch: 1, smt: 'cores', spinning: true, baseline: true }));
  assert.equal(baselineConfig(twoSocket(), 8).threads, 32);
  assert.equal(baselineConfig(cgroupLimited(), 1).threads, 12);
});
