import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';

import { openStore } from '../../src/store/index.js';
import { config, tempDir, trialResult } from './fixtures.js';
import { startTuner } from './tuner-child.js';

test('kill -9 during a trial loses no completed trial', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'autotune.db');
  const completed = 5;
  try {
    const tuner = await startTuner(path, completed, 'hang');
    tuner.child.kill('SIGKILL');
    assert.equal(await tuner.exited, 'SIGKILL');

    const store = openStore(path);
    try {
      const trials = store.listTrials(tuner.studyId);
      assert.deepEqual(
        trials.map((t) => [t.number, t.state]),
        [...Array.from({ length: completed }, (_, i) => [i + 1, 'complete']), [completed + 1, 'running']],
      );
      for (const t of trials.slice(0, completed)) {
        // The child built each result from (batch i, seed i); figures must be exactly what it stored.
        const expected = trialResult(config({ batch: t.number }), t.number);
        const stored = store.getTrialResult(t.id);
        assert.ok(stored);
        assert.deepEqual(stored.latency, expected.latency);
        assert.deepEqual(stored.histogram, expected.histogram);
        assert.deepEqual(stored.workers, expected.workers);
      }
      const release = store.acquireStudyLock(tuner.studyId);
      assert.equal(release.tookOver?.pid, tuner.child.pid);
      assert.equal(store.markInterrupted(tuner.studyId), 1);
      assert.equal(store.getTrial(tuner.runningTrialId)?.state, 'interrupted');
    } finally {
      store.close();
    }
  } finally {
    cleanup();
  }
});
