import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { AutotuneError } from '../../src/errors.js';
import { choose, instancesOf, type Chosen } from '../../src/export/index.js';
import { buildReport, selectStudy } from '../../src/report/index.js';
import { readTunedSettings, tunedRuntime, VARIABLES } from '../../src/runtime/index.js';
import { openStore } from '../../src/store/index.js';
import { writeReportFixture } from '../fixtures/report/build-db.js';

let dir: string;
let picks: Record<'slo' | 'knee', Chosen>;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-runtime-'));
  writeReportFixture(join(dir, 'fixture.db'));
  const store = openStore(join(dir, 'fixture.db'), { readonly: true });
  const report = buildReport(store, selectStudy(store, 'fixture'), { here: null });
  picks = { slo: choose(store, report, 'slo'), knee: choose(store, report, 'knee') };
  store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The environment an exported instance gets, as `launch` passes it (port included). */
function exportedEnv(chosen: Chosen, index = 0): Record<string, string> {
  return { ...instancesOf(chosen)[index]!.env, [VARIABLES.port]: String(8000 + index) };
}

function refusal(fn: () => unknown, variable: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AutotuneError, String(e));
    assert.equal(e.kind, 'input');
    assert.ok(e.message.startsWith(variable), `names ${variable} first: ${e.message}`);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
}

test('the exported environment of the SLO pick (1 process, 2 threads on CPUs 0-1) gives the measured session options', () => {
  const runtime = tunedRuntime(exportedEnv(picks.slo), { allowedCpus: [0, 1] });
  // The fixture plan puts the pool thread on CPU 1, which onnxruntime names 2 (absolute, from 1).
  assert.deepEqual(runtime.settings.intraOpAffinities, [[1]]);
  assert.deepEqual(runtime.sessionOptions, {
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    extra: { session: { intra_op: { allow_spinning: '1' }, intra_op_thread_affinities: '2' } },
  });
  assert.equal(runtime.batch, 1);
  assert.equal(runtime.settings.port, 8000);
  assert.equal(runtime.settings.model, '/models/mlp.onnx');
  // The export's JSON holds what the trial worker used: the reader must build the same options.
  assert.deepEqual(instancesOf(picks.slo)[0]!.sessionOptions, runtime.sessionOptions);
});

test('affinities are absolute CPU ids, checked against the CPUs this instance may use', () => {
  // Each knee instance has one CPU and no pool thread: nothing to pin, nothing to check.
  for (const index of [0, 1]) {
    const runtime = tunedRuntime(exportedEnv(picks.knee, index), { allowedCpus: [index] });
    assert.equal(runtime.settings.intraOpAffinities, null);
    assert.equal(runtime.settings.instance, index);
  }
  // The SLO pick's pool thread is planned on CPU 1: an instance placed on CPU 0 alone must not start.
  refusal(() => tunedRuntime(exportedEnv(picks.slo), { allowedCpus: [0] }), VARIABLES.intraOpAffinities);
  assert.match(
    (() => {
      try {
        tunedRuntime(exportedEnv(picks.slo), { allowedCpus: [0] });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })(),
    /names CPU 1 but this process may only run on CPUs 0/,
  );
});

test('the optional session settings are read and applied', () => {
  const env = {
    ...exportedEnv(picks.slo),
    [VARIABLES.executionMode]: 'parallel',
    [VARIABLES.interOpThreads]: '2',
    [VARIABLES.interOpAffinities]: '1',
    [VARIABLES.graphOptimization]: 'basic',
    [VARIABLES.cpuArena]: '0',
    [VARIABLES.maxQueueDelayMs]: '2.5',
    [VARIABLES.batch]: '8',
  };
  const runtime = tunedRuntime(env, { allowedCpus: [0, 1] });
  assert.equal(runtime.sessionOptions.executionMode, 'parallel');
  assert.equal(runtime.sessionOptions.interOpNumThreads, 2);
  assert.equal(runtime.sessionOptions.graphOptimizationLevel, 'basic');
  assert.equal(runtime.sessionOptions.enableCpuMemArena, false);
  assert.deepEqual(runtime.settings.interOpAffinities, [[0]]);
  assert.equal(runtime.maxQueueDelayMs, 2.5);
  assert.equal(runtime.batch, 8);
  refusal(() => tunedRuntime(env, { allowedCpus: [1] }), VARIABLES.interOpAffinities);
});

test('a missing or malformed variable is one line naming it', () => {
  const env = exportedEnv(picks.slo);
  const without = (name: string): Record<string, string> => Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));
  refusal(() => readTunedSettings(without(VARIABLES.batch)), VARIABLES.batch);
  refusal(() => readTunedSettings(without(VARIABLES.spinning)), VARIABLES.spinning);
  refusal(() => readTunedSettings(without(VARIABLES.intraOpThreads)), VARIABLES.intraOpAffinities);
  const cases: Array<[string, string]> = [
    [VARIABLES.batch, '0'],
    [VARIABLES.batch, '4x'],
    [VARIABLES.spinning, 'yes'],
    [VARIABLES.intraOpThreads, '-2'],
    [VARIABLES.intraOpAffinities, '0'],
    [VARIABLES.intraOpAffinities, '2;2'],
    [VARIABLES.intraOpAffinities, '2;'],
    [VARIABLES.intraOpAffinities, 'two'],
    [VARIABLES.maxQueueDelayMs, '-1'],
    [VARIABLES.executionMode, 'fast'],
    [VARIABLES.graphOptimization, 'none'],
    [VARIABLES.cpuArena, 'on'],
    [VARIABLES.port, '70000'],
    [VARIABLES.instance, 'a'],
  ];
  for (const [name, value] of cases) {
    refusal(() => readTunedSettings({ ...env, [name]: value }), name === VARIABLES.intraOpThreads ? VARIABLES.intraOpThreads : name);
  }
});
