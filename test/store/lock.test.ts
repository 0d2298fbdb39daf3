import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';

import Database from 'better-sqlite3';

import { AutotuneError } from '../../src/errors.js';
import { openStore } from '../../src/store/index.js';
import { fingerprint, tempDir, topology } from './fixtures.js';
import { startTuner } from './tuner-child.js';

test('of two tuners on one study, the second is refused with the holder named', () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'autotune.db');
  const first = openStore(path);
  const second = openStore(path);
  try {
    const machineId = first.upsertMachine(fingerprint, topology);
    const study = first.createStudy({ name: 'night', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId });
    const other = first.createStudy({ name: 'day', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId });
    const release = first.acquireStudyLock(study.id);
    assert.equal(release.tookOver, null);

    assert.throws(
      () => second.acquireStudyLock(study.id),
      (e: unknown) =>
        e instanceof AutotuneError &&
        e.kind === 'store' &&
        new RegExp(`^study 'night' is already being tuned by autotune pid ${process.pid} on this host since \\d{4}-\\d\\d-\\d\\dT`).test(
          e.message,
        ),
    );
    // Another study of the same database is free.
    second.acquireStudyLock(other.id)();

    release();
    release(); // idempotent
    const again = second.acquireStudyLock(study.id);
    assert.equal(again.tookOver, null, 'a released lock is free, not stale');
    second.close(); // closing releases the locks the store took
    first.acquireStudyLock(study.id)();
  } finally {
    first.close();
    second.close();
    cleanup();
  }
});

test('the lock of a tuner that died is taken over, naming the dead holder', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'autotune.db');
  try {
    const tuner = await startTuner(path, 0, 'exit');
    assert.equal(await tuner.exited, 0);
    const store = openStore(path);
    try {
      const release = store.acquireStudyLock(tuner.studyId);
      assert.equal(release.tookOver?.pid, tuner.child.pid);
      assert.match(release.tookOver?.startedAt ?? '', /^\d{4}-\d\d-\d\dT/);
      release();
    } finally {
      store.close();
    }
  } finally {
    cleanup();
  }
});

test('a live tuner in another process keeps its lock', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'autotune.db');
  const tuner = await startTuner(path, 0, 'hang');
  try {
    const store = openStore(path);
    try {
      assert.throws(() => store.acquireStudyLock(tuner.studyId), new RegExp(`already being tuned by autotune pid ${tuner.child.pid} on this host`));
    } finally {
      store.close();
    }
  } finally {
    tuner.child.kill('SIGKILL');
    await tuner.exited;
    cleanup();
  }
});

test('a lock taken before a reboot is stale even if its pid is alive again', () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'autotune.db');
  const store = openStore(path);
  try {
    const machineId = store.upsertMachine(fingerprint, topology);
    const study = store.createStudy({ name: 'night', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId });
    store.acquireStudyLock(study.id);
    // As after a reboot: the recorded pid now belongs to a live process (this one), the boot differs.
    const db = new Database(path);
    db.prepare(`UPDATE study_locks SET boot_id = 'a-boot-before-the-reboot'`).run();
    db.close();
    const other = openStore(path);
    try {
      assert.equal(other.acquireStudyLock(study.id).tookOver?.pid, process.pid);
    } finally {
      other.close();
    }
  } finally {
    store.close();
    cleanup();
  }
});
