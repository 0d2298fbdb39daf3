import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

import { openSqlite, type Db } from './sqlite.js';

import { AutotuneError } from '../errors.js';
import { checkSchema, migrate, SCHEMA_VERSION } from './migrations.js';
import { translateSqliteError } from './sqlite-errors.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface ConnectionOptions {
  readonly: boolean;
  busyTimeoutMs: number;
}

/**
 * Opens (creating when writable) the database at `path`, sets it up and brings its schema up to
 * date, or throws an AutotuneError saying why the file cannot be used.
 */
export function openDatabase(path: string, options: ConnectionOptions): Db {
  checkPath(path, options.readonly);
  let db: Db;
  if (options.readonly && onReadOnlyDirectory(path)) {
    db = openSnapshot(path, options.busyTimeoutMs);
  } else {
    try {
      db = openSqlite(path, { readonly: options.readonly, fileMustExist: options.readonly, timeout: options.busyTimeoutMs });
    } catch (e) {
      throw translateSqliteError(e, path, options.busyTimeoutMs);
    }
  }
  try {
    configure(db, options.readonly);
    checkIntegrity(db, path);
    if (!options.readonly) {
      migrate(db, path);
      return db;
    }
    const version = checkSchema(db, path);
    if (version === 0 || version === SCHEMA_VERSION) {
      requireCurrentSchema(db, path);
      return db;
    }
    // An older database stays readable without being changed: its copy is upgraded and read.
    db.close();
    db = openSnapshot(path, options.busyTimeoutMs, true);
    migrate(db, path);
    return db;
  } catch (e) {
    if (db.open) db.close();
    throw translateSqliteError(e, path, options.busyTimeoutMs);
  }
}

/** Whether the database's directory cannot be written (a read-only file system, a read-only mount). */
function onReadOnlyDirectory(path: string): boolean {
  if (path === ':memory:') return false;
  try {
    accessSync(dirname(resolve(path)), constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/**
 * A WAL database can only be read where SQLite can create its -shm index beside it, and a file on
 * a read-only mount cannot change under us: reports read a copy of it (and of its -wal) made in a
 * temporary directory, removed when this process exits. A copy opened `writable` can be upgraded
 * to the current schema while the original stays as it was.
 */
function openSnapshot(path: string, busyTimeoutMs: number, writable = false): Db {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-readonly-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const copy = join(dir, basename(path));
  try {
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    return openSqlite(copy, { readonly: !writable, fileMustExist: true, timeout: busyTimeoutMs });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && !code.startsWith('SQLITE')) {
      throw new AutotuneError('store', `cannot read ${path} from its read-only directory (copying it to ${dir} failed: ${code}): copy it somewhere writable and use --db`);
    }
    throw translateSqliteError(e, path, busyTimeoutMs);
  }
}

function checkPath(path: string, readonly: boolean): void {
  if (path === ':memory:') return;
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) {
      throw new AutotuneError('store', `${path} is a directory, not a database file: choose a file path for --db`);
    }
    return;
  }
  if (readonly) {
    throw new AutotuneError('store', `there is no autotune database at ${path}: run autotune tune first, or choose another --db`);
  }
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) {
    throw new AutotuneError('store', `cannot create ${path}: the directory ${dir} does not exist; create it or choose another --db`);
  }
}

function configure(db: Db, readonly: boolean): void {
  db.pragma('foreign_keys = ON');
  if (readonly) return;
  // WAL: readers (autotune report, studies) never block the tuner, and a commit is one append.
  db.pragma('journal_mode = WAL');
  // With WAL, synchronous=NORMAL already keeps every commit through a crash or kill -9 of the
  // process (the WAL is in the OS page cache), but a power cut or hard reboot may drop the last
  // commits. An overnight run must survive those too, and a trial takes seconds while one fsync
  // per commit takes milliseconds, so FULL costs nothing that matters.
  db.pragma('synchronous = FULL');
}

/** A truncated or damaged file fails here, before a long run starts, not after its first trial. */
function checkIntegrity(db: Db, path: string): void {
  const verdict = db.pragma('quick_check(1)', { simple: true }) as string;
  if (verdict !== 'ok') {
    throw new AutotuneError('store', `${path} is not a readable autotune database (${verdict}): move it away or choose another --db`);
  }
}

function requireCurrentSchema(db: Db, path: string): void {
  const version = checkSchema(db, path);
  if (version < SCHEMA_VERSION) {
    throw new AutotuneError(
      'store',
      version === 0
        ? `${path} is not an autotune database yet (it is empty): run autotune tune first, or choose another --db`
        : `${path} has the older schema ${version} (this autotune knows ${SCHEMA_VERSION}): run autotune tune on it once to upgrade it`,
    );
  }
}
