import { SqliteError } from './sqlite.js';

import { AutotuneError } from '../errors.js';

/**
 * Turns what SQLite throws into one line a user can act on. `name` is the database path as the
 * user gave it. Anything that is not an SQLite error (a bug, an AutotuneError) passes unchanged.
 */
export function translateSqliteError(e: unknown, name: string, busyTimeoutMs: number): unknown {
  if (!(e instanceof SqliteError)) return e;
  const options = { errno: e.code, cause: e };
  // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE...) share their primary code's meaning.
  const primary = /^SQLITE_[A-Z]+/.exec(e.code)?.[0];
  switch (primary) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new AutotuneError(
        'store',
        `${name} is not a readable autotune database (${e.message}): move it away or choose another --db`,
        options,
      );
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new AutotuneError(
        'store',
        `${name} is locked by another process (still busy after ${busyTimeoutMs} ms): wait for it to finish or choose another --db`,
        options,
      );
    case 'SQLITE_CANTOPEN':
      return new AutotuneError('store', `cannot open ${name} (${e.message}): check the path and its permissions, or choose another --db`, options);
    case 'SQLITE_READONLY':
      return new AutotuneError('store', `${name} cannot be written (${e.message}): check its permissions, or choose another --db`, options);
    case 'SQLITE_FULL':
      return new AutotuneError('store', `${name} cannot grow: the disk is full; free space and run again (completed trials are kept)`, options);
    case 'SQLITE_IOERR':
      return new AutotuneError('store', `${name} could not be read or written (${e.code}: ${e.message}): check the disk and the file`, options);
    default:
      return e;
  }
}
