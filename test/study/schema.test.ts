import assert from 'node:assert/strict';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import { durationSeconds } from '../../src/domain/duration.js';
import { readStudyFile } from '../../src/study/file.js';
import { applyStudyFlags } from '../../src/study/flags.js';
import { measureSettings, parseStudy } from '../../src/domain/study.js';

const fixture = (name: string): string => new URL(`../../../test/fixtures/study/${name}`, import.meta.url).pathname;
const shipped = (name: string): string => new URL(`../../../studies/${name}`, import.meta.url).pathname;

function usageError(message: string | RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof AutotuneError, `expected AutotuneError, got ${String(e)}`);
    assert.equal(e.kind, 'usage');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  };
}

test('the shipped studies are valid and their definitions re-parse to themselves', () => {
  for (const file of ['default.yaml', 'two-socket-server.yaml']) {
    const definition = parseStudy(readStudyFile(shipped(file)));
    assert.deepEqual(parseStudy(JSON.parse(JSON.stringify(definition))), definition, file);
  }
  const def = parseStudy(readStudyFile(shipped('default.yaml')));
  assert.equal(def.name, 'default');
  assert.equal(def.model.spec, 'builtin:mlp');
  assert.deepEqual(def.space.threads, { min: 1, max: 'cpus', scale: 'pow2' });
  assert.deepEqual(def.space.spinning, [true]);
  assert.equal(def.budget.time, 15 * 60);
  assert.deepEqual(measureSettings(def), { warmupMs: 500, minMs: 1000, maxMs: 4000, minSamples: 200, p99CiBound: 0.05 });
});

test('schema errors name the field path', () => {
  const cases: Array<[unknown, string]> = [
    [{ name: 's', space: { threads: [1, 2, -1] } }, 'study.space.threads[2]: expected a positive integer'],
    [{ name: 's', space: { threads: { min: 0, max: 4 } } }, 'study.space.threads.min: expected a positive integer'],
    [{ name: 's', space: { threads: { min: 1, max: 'lots' } } }, 'study.space.threads.max: expected a positive integer or "cpus"'],
    [{ name: 's', space: { numa: ['local', 'far'] } }, 'study.space.numa[1]: expected a NUMA policy: none, local, interleave, spread, preferred'],
    [{ name: 's', space: { thread: [1] } }, 'study.space: unknown field "thread"'],
    [{ name: 's', budget: { time: 'soon' } }, 'study.budget.time: "soon" is not a duration: write seconds or e.g. 500ms, 30s, 30m, 8h'],
    [{ name: 's', measure: { minTime: 5, maxTime: 2 } }, 'study.measure.maxTime: maxTime must not be below minTime'],
    [{ name: 's', strategy: 'annealing' }, 'study.strategy: expected auto, grid, random or bayes'],
    [{ name: 'bad name!' }, 'study.name: expected letters, digits, ".", "_" or "-" (starting with a letter or digit)'],
    [{}, 'study.name: expected a study name'],
  ];
  for (const [input, message] of cases) assert.throws(() => parseStudy(input), usageError(message));
});

test('a study file with a wrong field is refused naming the file and the field', () => {
  const path = fixture('bad-field.yaml');
  assert.throws(() => parseStudy(readStudyFile(path), `${path}: study`), usageError(`${path}: study.space.threads[2]: expected a positive integer`));
});

test('an unreadable or malformed study file is an input error', () => {
  assert.throws(() => readStudyFile('/nonexistent/study.yaml'), (e: unknown) => e instanceof AutotuneError && e.kind === 'input' && /cannot be read \(ENOENT\)/.test(e.message));
  assert.throws(() => readStudyFile(new URL(import.meta.url).pathname), (e: unknown) => e instanceof AutotuneError && e.kind === 'input');
});

test('CLI flags give the same definition as the equivalent study file', () => {
  const fromFlags = parseStudy(
    applyStudyFlags(
      {},
      {
        name: 'quick',
        model: 'builtin:mlp',
        slo: '20',
        processes: '1-8:pow2',
        threads: '1,2',
        numa: 'local,none',
        batch: '1,8',
        spinning: 'on,off',
        trials: '40',
        time: '8h',
        strategy: 'random',
        seed: '3',
        warmup: '500ms',
        minTime: '1',
        maxTime: '4s',
        baselineEvery: '30m',
        repeats: '2',
      },
    ),
  );
  assert.deepEqual(fromFlags, parseStudy(readStudyFile(fixture('flags-equivalent.yaml'))));
});

test('flags override the fields of a study file and keep the rest', () => {
  const base = readStudyFile(fixture('flags-equivalent.yaml'));
  const def = parseStudy(applyStudyFlags(base, { trials: '80', baselineEvery: '5', threads: 'pow2' }));
  assert.equal(def.budget.trials, 80);
  assert.equal(def.budget.time, 8 * 3600);
  assert.deepEqual(def.drift, { everyTrials: 5, everyMinutes: null, threshold: 0.1 });
  assert.deepEqual(def.space.threads, { min: 1, max: 'cpus', scale: 'pow2' });
  assert.deepEqual(def.space.numa, ['local', 'none']);
});

test('a study from flags alone is named after its model', () => {
  assert.equal(parseStudy(applyStudyFlags({}, { model: 'models/resnet-50.onnx' })).name, 'resnet-50');
  assert.equal(parseStudy(applyStudyFlags({}, { model: 'builtin:mlp' })).name, 'mlp');
  assert.equal(parseStudy(applyStudyFlags({}, {})).model.spec, 'builtin:mlp');
});

test('malformed flags are one-line usage errors naming the flag', () => {
  assert.throws(() => applyStudyFlags({}, { threads: '1-x' }), usageError(/^--threads "1-x" is malformed/));
  assert.throws(() => applyStudyFlags({}, { time: 'tonight' }), usageError(/^--time "tonight" is not a duration/));
  assert.throws(() => applyStudyFlags({}, { trials: '4.5' }), usageError('--trials "4.5" is not a whole number'));
  assert.throws(() => applyStudyFlags({}, { shape: ['x'] }), usageError(/^--shape "x"/));
  assert.throws(() => parseStudy(applyStudyFlags({}, { numa: 'local,far' })), usageError(/^study\.space\.numa\[1\]: expected a NUMA policy/));
});

test('durations: seconds, units and compounds', () => {
  assert.equal(durationSeconds('2.5'), 2.5);
  assert.equal(durationSeconds('500ms'), 0.5);
  assert.equal(durationSeconds('30m'), 1800);
  assert.equal(durationSeconds('1h30m'), 5400);
  assert.equal(durationSeconds('8h'), 28800);
  assert.equal(durationSeconds('8 hours'), null);
  assert.equal(durationSeconds('m'), null);
});
