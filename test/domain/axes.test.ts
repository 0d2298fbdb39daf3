import assert from 'node:assert/strict';
import test from 'node:test';

import { AXIS_NAMES, axisEntries, flagName } from '../../src/domain/axes.js';
import { axisEnv, baselineConfig, completeConfig, configKey, configLabel, sessionOptions, storedConfigSchema } from '../../src/domain/config.js';
import { chooseValues } from '../../src/domain/axis-forms.js';
import { parseStudy } from '../../src/domain/study.js';
import { parameterEffects } from '../../src/report/effects.js';
import { buildSpace } from '../../src/search/space.js';
import { applyStudyFlags } from '../../src/study/flags.js';
import { topology } from '../store/fixtures.js';

const plain = completeConfig({ processes: 1, threads: 2, numa: 'none', batch: 1, smt: 'cores', spinning: true, baseline: false });

test('every axis has a flag, a schema default and a baseline value its own stored schema accepts', () => {
  assert.ok(AXIS_NAMES.length >= 8);
  const machine = { usableCpus: 2, cores: 2, l3Domains: 1, numaNodes: 1, allocators: {} };
  for (const [name, a] of axisEntries()) {
    assert.match(flagName(name), /^--[a-z][a-z-]*$/);
    const spec = a.space.parse(undefined);
    assert.ok(a.values(spec, machine, name).length >= 1, `${name} has no default value`);
    assert.ok(a.stored.safeParse(a.baseline(machine)).success, `${name}'s baseline is not a stored value`);
  }
});

test('graph optimization and the CPU arena: tune flags, study space, key and label', () => {
  const definition = parseStudy(applyStudyFlags({}, { processes: '1', threads: '1', numa: 'none', batch: '1', graphOptimization: 'basic,extended', cpuArena: 'both' }));
  assert.deepEqual(definition.space.graphOptimization, ['basic', 'extended']);
  assert.deepEqual(definition.space.cpuArena, [true, false]);
  const { configs } = buildSpace(definition, topology);
  assert.deepEqual(configs.map(configLabel), ['p1 t1 none b1 spin opt:basic', 'p1 t1 none b1 spin opt:basic noarena', 'p1 t1 none b1 spin opt:extended', 'p1 t1 none b1 spin opt:extended noarena']);
  assert.equal(new Set(configs.map(configKey)).size, 4);
  // At onnxruntime's defaults a configuration keeps the key and label it had before the axes existed.
  assert.equal(configKey(plain), 'p1/t2/none/b1/cores/spin');
  assert.equal(configLabel(plain), 'p1 t2 none b1 spin');
  assert.throws(() => parseStudy(applyStudyFlags({}, { graphOptimization: 'disabled' })), /space\.graphOptimization\[0\]: expected a graph optimization level: basic, extended, all/);
});

test('graph optimization and the CPU arena reach the session options and the exported environment', () => {
  const tuned = { ...plain, graphOptimization: 'basic' as const, cpuArena: false };
  const options = sessionOptions(tuned, '');
  assert.equal(options.graphOptimizationLevel, 'basic');
  assert.equal(options.enableCpuMemArena, false);
  assert.deepEqual(options.extra, { session: { intra_op: { allow_spinning: '1' } } });
  const env = axisEnv(tuned);
  assert.equal(env['AUTOTUNE_GRAPH_OPTIMIZATION'], 'basic');
  assert.equal(env['AUTOTUNE_CPU_ARENA'], '0');
  assert.equal(axisEnv(plain)['AUTOTUNE_CPU_ARENA'], '1');
  // The baseline sets nothing beyond onnxruntime's defaults.
  const baseline = sessionOptions(baselineConfig({ usableCpus: 2, cores: 2, l3Domains: 1, numaNodes: 1, allocators: {} }, 1), '');
  assert.deepEqual(baseline, { executionMode: 'sequential', graphOptimizationLevel: 'all' });
});

test('a stored configuration from before the later axes reads back with them at their baseline', () => {
  const old = { processes: 2, threads: 1, numa: 'local', batch: 8, smt: 'cores', spinning: false, baseline: false };
  const read = storedConfigSchema.parse(old);
  assert.equal(read.graphOptimization, 'all');
  assert.equal(read.cpuArena, true);
  assert.throws(() => storedConfigSchema.parse({ ...old, graphOptimization: 'fastest' }));
});

test("the report's effects speak of a later axis only where the study measured more than one of its values", () => {
  const point = (over: Partial<typeof plain>, tps: number) => ({ config: { ...plain, ...over }, tps, p99Ms: 1000 / tps });
  const without = parameterEffects([point({}, 100), point({ threads: 1 }, 80)] as never).map((e) => e.parameter);
  assert.ok(!without.includes('graphOptimization'));
  assert.ok(without.includes('spinning'));
  const effects = parameterEffects([point({}, 100), point({ graphOptimization: 'basic' }, 80)] as never);
  const graph = effects.find((e) => e.parameter === 'graphOptimization');
  assert.deepEqual(graph?.levels.map((l) => l.level), ['all', 'basic']);
  assert.match(graph!.finding!, /^graphOptimization: all allowed the highest TPS \(100, 25.0% over basic\)/);
});

test('auto keeps every value but those an axis leaves out; a listed value that cannot run here is refused in one line', () => {
  const leftOut = [
    { value: 'b', reason: 'it cannot matter here', runnable: true },
    { value: 'c', reason: 'libc.so is not installed', runnable: false },
  ];
  assert.deepEqual(chooseValues('auto', ['a', 'b', 'c', 'd'], leftOut, 'x', 'a'), ['a', 'd']);
  assert.deepEqual(chooseValues(['b', 'b', 'd'], ['a', 'b', 'c', 'd'], leftOut, 'x', 'a'), ['b', 'd']);
  assert.throws(() => chooseValues(['a', 'c'], ['a', 'b', 'c', 'd'], leftOut, 'x', 'a'), /^AutotuneError: space\.x: c cannot run on this machine \(libc\.so is not installed\): remove it, or write x: auto$/);
  // The baseline is never left out, so auto is never empty.
  assert.deepEqual(chooseValues('auto', ['a'], [{ value: 'a', reason: 'r', runnable: true }], 'x', 'a'), ['a']);
});
