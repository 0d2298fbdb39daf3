import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';

import { AutotuneError } from '../../src/errors.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { config, fingerprint, tempDir, topology, trialResult } from './fixtures.js';

function withStore(fn: (store: Store, path: string) => void): void {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'autotune.db');
  const store = openStore(path);
  try {
    fn(store, path);
  } finally {
    store.close();
    cleanup();
  }
}

function newStudy(store: Store, name = 'night', definition: unknown = { strategy: 'grid', budget: { trials: 8 } }) {
  const machineId = store.upsertMachine(fingerprint, topology);
  return store.createStudy({ name, definition, modelPath: '/models/mlp.onnx', modelSha256: 'ab'.repeat(32), machineId });
}

test('a study with its trials survives closing and reopening, result for result', () => {
  withStore((store, path) => {
    const study = newStudy(store);
    const configs = [config({ baseline: true }), config({ processes: 2, threads: 1, numa: 'local' }), config({ batch: 4, spinning: true })];
    const results = configs.map((c, i) => {
      const trial = store.createTrial(study.id, { config: c, reason: `reason ${i}`, kind: i === 0 ? 'baseline' : 'search' });
      const result = trialResult(c, i + 1);
      store.completeTrial(trial.id, result);
      return { trial, result };
    });
    store.close();

    const reopened = openStore(path, { readonly: true });
    try {
      const again = reopened.getStudy('night');
      assert.deepEqual(again, study);
      const trials = reopened.listTrials(study.id);
      assert.deepEqual(
        trials.map((t) => [t.number, t.kind, t.state, t.reason]),
        [
          [1, 'baseline', 'complete', 'reason 0'],
          [2, 'search', 'complete', 'reason 1'],
          [3, 'search', 'complete', 'reason 2'],
        ],
      );
      for (const { trial, result } of results) {
        assert.deepEqual(reopened.getTrialResult(trial.id), result);
        const record = trials.find((t) => t.id === trial.id);
        assert.ok(record);
        assert.deepEqual(record.config, result.config);
        assert.equal(record.tps, result.tps);
        assert.equal(record.p99Ms, result.latency.p99);
        assert.deepEqual([record.p99CiLow, record.p99CiHigh], result.latency.p99Ci);
        assert.equal(record.noisy, result.noisy);
        assert.deepEqual(record.noiseReasons, result.noiseReasons);
        assert.equal(record.verified, result.verification.verified);
        assert.equal(record.pinned, result.plan.pinned);
        assert.equal(record.finishedAt, result.finishedAt);
        assert.ok(record.durationMs !== null && record.durationMs >= 0);
      }
      const machine = reopened.getMachine(study.machineId);
      assert.deepEqual(machine, { id: study.machineId, fingerprint, topology });
    } finally {
      reopened.close();
    }
  });
});

test('a result too small for a p99 CI is stored with NULL bounds and reads back without one', () => {
  withStore((store) => {
    const study = newStudy(store);
    const trial = store.createTrial(study.id, { config: config(), reason: 'short window', kind: 'search' });
    const measured = trialResult(config(), 1);
    const result = { ...measured, latency: { ...measured.latency, p99Ci: null } };
    store.completeTrial(trial.id, result);
    assert.deepEqual(store.getTrialResult(trial.id), result);
    const record = store.listTrials(study.id)[0]!;
    assert.deepEqual([record.p99CiLow, record.p99CiHigh], [null, null]);
  });
});

test('the same fingerprint is one machine; another fingerprint is another', () => {
  withStore((store) => {
    const a = store.upsertMachine(fingerprint, topology);
    const b = store.upsertMachine(fingerprint, { ...topology, warnings: ['changed'] });
    const c = store.upsertMachine({ ...fingerprint, hash: 'fedcba9876543210' }, topology);
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.deepEqual(store.getMachine(a)?.topology.warnings, ['changed']);
    assert.equal(store.getMachine(9999), null);
  });
});

test('a finished trial is never overwritten', () => {
  withStore((store) => {
    const study = newStudy(store);
    const done = store.createTrial(study.id, { config: config(), reason: 'grid', kind: 'search' });
    const first = trialResult(config(), 1);
    store.completeTrial(done.id, first);
    assert.throws(() => store.completeTrial(done.id, trialResult(config(), 2)), /already complete.*never overwritten/);
    assert.throws(() => store.failTrial(done.id, 'late failure'), /already complete/);
    assert.throws(() => store.pruneTrial(done.id, 'late prune'), /already complete/);
    assert.deepEqual(store.getTrialResult(done.id), first);

    const failed = store.createTrial(study.id, { config: config({ threads: 1 }), reason: 'grid', kind: 'search' });
    store.failTrial(failed.id, 'worker exited with signal SIGSEGV');
    assert.throws(
      () => store.completeTrial(failed.id, trialResult(config({ threads: 1 }), 3)),
      (e: unknown) => e instanceof AutotuneError && e.kind === 'store' && /already failed/.test(e.message),
    );
    const record = store.getTrial(failed.id);
    assert.equal(record?.state, 'failed');
    assert.equal(record?.error, 'worker exited with signal SIGSEGV');
    assert.equal(record?.tps, null);
    assert.equal(store.getTrialResult(failed.id), null);
    assert.throws(() => store.completeTrial(424242, first), /no trial with id 424242/);
  });
});

test('markInterrupted turns only running trials into interrupted ones', () => {
  withStore((store) => {
    const study = newStudy(store);
    const other = newStudy(store, 'other');
    const complete = store.createTrial(study.id, { config: config(), reason: 'grid', kind: 'search' });
    store.completeTrial(complete.id, trialResult(config(), 1));
    const running = store.createTrial(study.id, { config: config({ batch: 2 }), reason: 'grid', kind: 'search' });
    const elsewhere = store.createTrial(other.id, { config: config(), reason: 'grid', kind: 'search' });

    assert.equal(store.markInterrupted(study.id), 1);
    assert.equal(store.markInterrupted(study.id), 0);
    assert.equal(store.getTrial(running.id)?.state, 'interrupted');
    assert.equal(store.getTrial(complete.id)?.state, 'complete');
    assert.equal(store.getTrial(elsewhere.id)?.state, 'running');
    assert.throws(() => store.completeTrial(running.id, trialResult(config({ batch: 2 }), 2)), /already interrupted/);
    // The re-run of an interrupted configuration is a new trial with the next number.
    assert.equal(store.createTrial(study.id, { config: config({ batch: 2 }), reason: 'rerun', kind: 'search' }).number, 3);
  });
});

test('listStudies counts the trials of every state per study', () => {
  withStore((store) => {
    const a = newStudy(store, 'a', { strategy: 'random' });
    const b = newStudy(store, 'b', { strategy: 'bayes', seed: 3 });
    newStudy(store, 'c', {});
    const states = ['complete', 'complete', 'failed', 'pruned', 'running'] as const;
    states.forEach((state, i) => {
      const c = config({ batch: i + 1 });
      const t = store.createTrial(a.id, { config: c, reason: 'grid', kind: 'search' });
      if (state === 'complete') store.completeTrial(t.id, trialResult(c, i));
      if (state === 'failed') store.failTrial(t.id, 'boom');
      if (state === 'pruned') store.pruneTrial(t.id, 'p99 already above the SLO');
    });
    store.createTrial(b.id, { config: config(), reason: 'grid', kind: 'search' });
    store.markInterrupted(b.id);
    store.setStudyState(b.id, 'interrupted');

    const listing = store.listStudies();
    assert.deepEqual(
      listing.map((s) => [s.name, s.state, s.strategy, s.total, s.counts]),
      [
        ['a', 'running', 'random', 5, { running: 1, complete: 2, failed: 1, pruned: 1, interrupted: 0 }],
        ['b', 'interrupted', 'bayes', 1, { running: 0, complete: 0, failed: 0, pruned: 0, interrupted: 1 }],
        ['c', 'running', null, 0, { running: 0, complete: 0, failed: 0, pruned: 0, interrupted: 0 }],
      ],
    );
    const last = store.listTrials(a.id).at(-1);
    assert.equal(listing[0]?.lastTrialAt, last?.startedAt);
    assert.equal(listing[2]?.lastTrialAt, null);
  });
});

test('study names are unique and definitions can be updated', () => {
  withStore((store) => {
    const study = newStudy(store);
    assert.throws(() => newStudy(store), /a study named 'night' already exists.*--study night/);
    store.updateStudyDefinition(study.id, { strategy: 'grid', budget: { trials: 20 } });
    assert.deepEqual(store.getStudy('night')?.definition, { strategy: 'grid', budget: { trials: 20 } });
    store.setStudyState(study.id, 'complete');
    assert.equal(store.getStudy('night')?.state, 'complete');
    assert.equal(store.getStudy('missing'), null);
    assert.throws(() => store.setStudyState(9999, 'failed'), /no study with id 9999/);
    assert.throws(() => store.createTrial(9999, { config: config(), reason: 'x', kind: 'search' }), /no study with id 9999/);
  });
});

test('the machine checks of the latest tune run are kept with the study', () => {
  withStore((store, path) => {
    const study = newStudy(store);
    assert.deepEqual(study.machineChecks, []);
    const first = [{ id: 'governor' as const, status: 'warn' as const, finding: 'powersave on CPUs 0-1', effect: 'the clock follows the load', fix: 'cpupower frequency-set -g performance' }];
    store.setMachineChecks(study.id, first);
    assert.deepEqual(store.getStudy('night')?.machineChecks, first);
    const second = [{ id: 'governor' as const, status: 'ok' as const, finding: 'performance on CPUs 0-1', effect: null, fix: null }];
    store.setMachineChecks(study.id, second);
    assert.throws(() => store.setMachineChecks(9999, second), /no study with id 9999/);
    store.close();
    const reopened = openStore(path, { readonly: true });
    try {
      assert.deepEqual(reopened.getStudy('night')?.machineChecks, second);
    } finally {
      reopened.close();
    }
  });
});

test('flagDrift marks finished trials with a reason and nothing else', () => {
  withStore((store) => {
    const study = newStudy(store);
    const ids = [1, 2, 3].map((seed) => {
      const c = config({ batch: seed });
      const t = store.createTrial(study.id, { config: c, reason: 'grid', kind: 'search' });
      store.completeTrial(t.id, trialResult(c, seed));
      return t.id;
    });
    const before = store.getTrialResult(ids[1]!);
    store.flagDrift([ids[0]!, ids[1]!], 'baseline moved from 148 to 88 samples/s');
    const trials = store.listTrials(study.id);
    assert.deepEqual(
      trials.map((t) => [t.drift, t.driftReason]),
      [
        [true, 'baseline moved from 148 to 88 samples/s'],
        [true, 'baseline moved from 148 to 88 samples/s'],
        [false, null],
      ],
    );
    assert.deepEqual(store.getTrialResult(ids[1]!), before);
    assert.throws(() => store.flagDrift([ids[2]!, 9999], 'x'), /no trial with id 9999/);
    assert.equal(store.getTrial(ids[2]!)?.drift, false, 'a failed flagDrift changes nothing');
  });
});
