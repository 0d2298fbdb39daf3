import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import Database from 'better-sqlite3';

import { AutotuneError } from '../../src/errors.js';
import { DEFAULT_DB_PATH, openStore, SCHEMA_VERSION } from '../../src/store/index.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations.js';
import type { Migration } from '../../src/store/migrations.js';
import type { StudyRecord, TrialRecord } from '../../src/store/index.js';
import type { TrialResult } from '../../src/domain/results.js';
import { config, copyAtOldSchema, fingerprint, tempDir, topology, trialResult } from './fixtures.js';

function inTemp(fn: (dir: string) => void): void {
  const { dir, cleanup } = tempDir();
  try {
    fn(dir);
  } finally {
    cleanup();
  }
}

/** Asserts an AutotuneError of kind 'store' whose one-line message matches. */
function storeError(pattern: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof AutotuneError, `expected an AutotuneError, got ${String(e)}`);
    assert.equal(e.kind, 'store');
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, pattern);
    return true;
  };
}

function pragma(path: string, name: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

test('a new file gets the whole schema in WAL mode', () => {
  inTemp((dir) => {
    const path = join(dir, DEFAULT_DB_PATH);
    openStore(path).close();
    assert.equal(pragma(path, 'user_version'), SCHEMA_VERSION);
    assert.equal(pragma(path, 'journal_mode'), 'wal');
    const db = new Database(path, { readonly: true });
    const tables = (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map(
      (r) => r.name,
    );
    db.close();
    assert.deepEqual(tables, ['deployment_checks', 'machines', 'serving_steps', 'studies', 'study_locks', 'trial_histograms', 'trial_placements', 'trial_workers', 'trials']);
    // An existing, empty file (e.g. from `touch`) is a new database too.
    const touched = join(dir, 'touched.db');
    writeFileSync(touched, '');
    openStore(touched).close();
    assert.equal(pragma(touched, 'user_version'), SCHEMA_VERSION);
  });
});

/** Opens (and so upgrades) the file at `path` and adds study "old" with one completed trial. */
function writeOneTrial(path: string, result: TrialResult): { study: StudyRecord; trial: TrialRecord } {
  const store = openStore(path);
  try {
    const machineId = store.upsertMachine(fingerprint, topology);
    const study = store.createStudy({ name: 'old', definition: {}, modelPath: 'm.onnx', modelSha256: 'ab', machineId });
    const trial = store.createTrial(study.id, { config: config(), reason: 'grid', kind: 'search' });
    store.completeTrial(trial.id, result);
    return { study, trial };
  } finally {
    store.close();
  }
}

test('an older file is upgraded in one transaction, keeping its data', () => {
  inTemp((dir) => {
    // A file as the first release wrote it: schema 1, one completed trial with its placement.
    const path = join(dir, 'v1.db');
    const v1 = new Database(path);
    migrate(v1, path, MIGRATIONS.slice(0, 1));
    v1.close();
    const result = trialResult(config(), 1);
    const { study, trial } = writeOneTrial(path, result);
    assert.equal(pragma(path, 'user_version'), SCHEMA_VERSION, 'opening it upgraded it');
    const reopened = openStore(path);
    assert.deepEqual(reopened.getTrialResult(trial.id), result, 'the trial and its placement survive the rebuilt trials table');
    assert.equal(reopened.listTrials(study.id)[0]!.capacity, null);
    // The upgraded table takes the kinds the new release writes.
    const confirm = reopened.createTrial(study.id, { config: config(), reason: 'confirm the pick', kind: 'confirm', round: 1 });
    const pair = reopened.createTrial(study.id, { config: config({ baseline: true }), reason: 'its pair', kind: 'baseline', pairedWith: confirm.id, round: 1 });
    assert.deepEqual([pair.pairedWith, pair.round], [confirm.id, 1]);
    reopened.close();
    assert.deepEqual((new Database(path, { readonly: true }).pragma('foreign_key_check') as unknown[]), []);

    const next: Migration = { version: SCHEMA_VERSION + 1, description: 'notes', sql: 'ALTER TABLE trials ADD COLUMN note TEXT' };
    const db = new Database(path);
    migrate(db, path, [...MIGRATIONS, next]);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
    const row = db.prepare('SELECT state, note FROM trials WHERE id = ?').get(trial.id);
    assert.deepEqual({ ...(row as object) }, { state: 'complete', note: null });

    // A migration that fails leaves the file at the version it had.
    const broken: Migration = { version: SCHEMA_VERSION + 2, description: 'broken', sql: 'ALTER TABLE trials ADD COLUMN x TEXT; ALTER TABLE nope ADD y' };
    assert.throws(() => migrate(db, path, [...MIGRATIONS, next, broken]), /no such table: nope/);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
    const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').all('trials') as Array<{ name: string }>).map((c) => c.name);
    assert.ok(!columns.includes('x'));
    db.close();
  });
});

test('a file of the schema before machine checks gains them and the disturbance column; what it had reads back as before', () => {
  inTemp((dir) => {
    const path = join(dir, 'old.db');
    const result = { ...trialResult(config(), 1), disturbance: null };
    const current = join(dir, 'current.db');
    const { study, trial } = writeOneTrial(current, result);
    // What schema 3 held: the same rows without the columns migration 4 adds.
    copyAtOldSchema(current, path, 3);

    const upgraded = openStore(path);
    try {
      assert.equal(pragma(path, 'user_version'), SCHEMA_VERSION);
      assert.deepEqual(upgraded.getStudy('old'), { ...study, machineChecks: [] });
      assert.deepEqual(upgraded.getTrialResult(trial.id), result);
      assert.deepEqual(upgraded.listDeploymentChecks(study.id), [], 'the deployment checks table of migration 5 is there');
    } finally {
      upgraded.close();
    }
  });
});

test('a file from a newer autotune is refused, not touched', () => {
  inTemp((dir) => {
    const path = join(dir, 'autotune.db');
    openStore(path).close();
    const db = new Database(path);
    db.pragma('user_version = 7');
    db.close();
    const before = readFileSync(path);
    assert.throws(() => openStore(path), {
      name: 'AutotuneError',
      kind: 'store',
      message: `${path} was written by a newer autotune (schema 7, this one knows ${SCHEMA_VERSION}): upgrade autotune or use another --db`,
    });
    assert.deepEqual(readFileSync(path), before);
  });
});

test('random bytes and a truncated database are reported as unreadable', () => {
  inTemp((dir) => {
    const random = join(dir, 'random.db');
    writeFileSync(random, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 251)));
    assert.throws(
      () => openStore(random),
      storeError(/random\.db is not a readable autotune database \(file is not a database\): move it away or choose another --db$/),
    );

    const whole = join(dir, 'whole.db');
    const store = openStore(whole);
    const machineId = store.upsertMachine(fingerprint, topology);
    const study = store.createStudy({ name: 's', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId });
    for (let i = 1; i <= 40; i++) {
      const t = store.createTrial(study.id, { config: config({ batch: i }), reason: 'grid', kind: 'search' });
      store.completeTrial(t.id, trialResult(config({ batch: i }), i));
    }
    store.close(); // the last connection checkpoints the WAL into the file
    const bytes = readFileSync(whole);
    assert.ok(bytes.length > 4 * 4096, 'the database spans several pages');
    for (const keep of [50, 4096, Math.floor(bytes.length / 2 / 4096) * 4096]) {
      const truncated = join(dir, `truncated-${keep}.db`);
      writeFileSync(truncated, bytes.subarray(0, keep));
      assert.throws(() => openStore(truncated), storeError(/is not a readable autotune database \(.+\): move it away or choose another --db$/));
    }
  });
});

test('an SQLite file of another program is refused', () => {
  inTemp((dir) => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE todo (item TEXT)');
    db.close();
    assert.throws(() => openStore(path), storeError(/other\.db is an SQLite database of another program/));
  });
});

test('a path in a missing directory, a directory, or a missing file read-only: one clear line each', () => {
  inTemp((dir) => {
    assert.throws(() => openStore(join(dir, 'no', 'such', 'autotune.db')), storeError(/the directory .*no\/such does not exist; create it or choose another --db/));
    mkdirSync(join(dir, 'adir'));
    assert.throws(() => openStore(join(dir, 'adir')), storeError(/adir is a directory/));
    assert.throws(() => openStore(join(dir, 'absent.db'), { readonly: true }), storeError(/there is no autotune database at .*absent\.db/));
  });
});

test('a read-only store reads but never writes', () => {
  inTemp((dir) => {
    const path = join(dir, 'autotune.db');
    const store = openStore(path);
    const machineId = store.upsertMachine(fingerprint, topology);
    store.close();
    const reader = openStore(path, { readonly: true });
    try {
      assert.equal(reader.getMachine(machineId)?.fingerprint.hash, fingerprint.hash);
      assert.throws(
        () => reader.createStudy({ name: 's', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId }),
        storeError(/cannot be written/),
      );
    } finally {
      reader.close();
    }
  });
});

test('a database held by another writer beyond busy_timeout gives a clear message', () => {
  inTemp((dir) => {
    const path = join(dir, 'autotune.db');
    const store = openStore(path, { busyTimeoutMs: 100 });
    const machineId = store.upsertMachine(fingerprint, topology);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      assert.throws(
        () => store.createStudy({ name: 's', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId }),
        storeError(/autotune\.db is locked by another process \(still busy after 100 ms\)/),
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // Once the other writer is gone, the same store works again.
    assert.equal(store.createStudy({ name: 's', definition: {}, modelPath: 'm', modelSha256: 'ab', machineId }).name, 's');
    store.close();
  });
});
