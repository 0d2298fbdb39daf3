import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';

import Database from 'better-sqlite3';

import { AutotuneError } from '../../src/errors.js';
import { openStore, type Store, type StudyRecord } from '../../src/store/index.js';
import { config, fingerprint, tempDir, topology } from './fixtures.js';
import { startTuner } from './tuner-child.js';

/** Two stores on one new database holding study 'night': two tuners, as far as the lock can tell. */
function twoTuners(body: (t: { path: string; first: Store; second: Store; machineId: number; study: StudyRecord }) => void): void {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'autotune.db');
  const first = openStore(path);
  const second = openStore(path);
  try {
    const machineId = first.upsertMachine(fingerprint, topology);
    const study = first.createStudy({ name: 'night', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId });
    body({ path, first, second, machineId, study });
  } finally {
    first.close();
    second.close();
    cleanup();
  }
}

test('of two tuners on one study, the second is refused with the holder named', () => {
  twoTuners(({ first, second, machineId, study }) => {
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
  });
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

/** Rewrites the lock rows as the test's scenario needs (another process, another namespace, time passed). */
function editLocks(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  db.prepare(sql).run(...params);
  db.close();
}

test('a lock whose pid now runs another process is taken over: the container case, where every tuner is pid 1', () => {
  twoTuners(({ path, first, second, study }) => {
    first.acquireStudyLock(study.id);
    // As after kill -9 of pid 1 and a new pid 1: the pid is alive (it is this process), its start time is not the holder's.
    editLocks(path, `UPDATE study_locks SET start_time = '1'`);
    const release = second.acquireStudyLock(study.id);
    assert.equal(release.tookOver?.pid, process.pid);
    assert.equal(release.tookOver?.why, `pid ${process.pid} is now another process`);
  });
});

test('a holder in another PID namespace keeps its lock while its heartbeat is fresh, and loses it once silent past the lease', () => {
  twoTuners(({ path, first, second, machineId, study }) => {
    first.acquireStudyLock(study.id);
    editLocks(path, `UPDATE study_locks SET pid_ns = 'pid:[1]', pid = 1`);
    assert.throws(
      () => second.acquireStudyLock(study.id),
      /^AutotuneError: study 'night' is already being tuned by autotune pid 1 in another PID namespace \(container\) on this host since \S+, last heard from 0 s ago: stop that run, or if it is gone, run again once it has been silent for 30 s and its lock is taken over$/,
    );
    editLocks(path, 'UPDATE study_locks SET heartbeat_at = ?', new Date(Date.now() - 31_000).toISOString());
    assert.equal(second.acquireStudyLock(study.id).tookOver?.why, 'its heartbeat stopped 31 s ago');
    // The same holds for a holder on another host, whose pid cannot be checked either.
    const other = first.createStudy({ name: 'day', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId });
    first.acquireStudyLock(other.id);
    editLocks(path, `UPDATE study_locks SET host = 'elsewhere' WHERE study_id = ?`, other.id);
    assert.throws(() => second.acquireStudyLock(other.id), /by autotune pid \d+ on host elsewhere since .*, last heard from 0 s ago/);
  });
});

test('the holder beats its lease while it holds the lock, and stops at its next trial once the lock was taken from it', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'autotune.db');
  // A 600 ms lease: a beat every 100 ms.
  const store = openStore(path, { lockLeaseMs: 600 });
  try {
    const machineId = store.upsertMachine(fingerprint, topology);
    const study = store.createStudy({ name: 'night', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId });
    store.acquireStudyLock(study.id);
    const beat = (): string => {
      const db = new Database(path, { readonly: true });
      const row = db.prepare('SELECT heartbeat_at FROM study_locks').get() as { heartbeat_at: string };
      db.close();
      return row.heartbeat_at;
    };
    const first = beat();
    const deadline = Date.now() + 10_000;
    while (beat() === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(beat() > first, 'the heartbeat moved on');

    store.createTrial(study.id, { config: config(), reason: 'grid', kind: 'search' });
    editLocks(path, `UPDATE study_locks SET owner = 'another-tuner', pid = 4242, host = 'elsewhere'`);
    assert.throws(
      () => store.createTrial(study.id, { config: config(), reason: 'grid', kind: 'search' }),
      /^AutotuneError: the lock of study 'night' was taken over by autotune pid 4242 on elsewhere while this tuner was silent for more than 1 s: stopping so no trial is measured twice; completed trials are kept$/,
    );
  } finally {
    store.close();
    cleanup();
  }
});
