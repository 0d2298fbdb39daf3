import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import type { Db } from './sqlite.js';

import { AutotuneError } from '../errors.js';
import type { StaleLock } from './types.js';

interface LockRow {
  owner: string;
  pid: number;
  host: string;
  boot_id: string | null;
  started_at: string;
}

export interface HeldLock {
  owner: string;
  tookOver: StaleLock | null;
}

/**
 * Takes the study's lock row for this process. The check and the insert run in one IMMEDIATE
 * transaction, so of two tuners starting together exactly one gets the lock. A row left by a
 * tuner that died on this host (its pid is gone, or the machine has rebooted since) is replaced.
 */
export function takeStudyLock(db: Db, studyId: number): HeldLock {
  return db
    .transaction((): HeldLock => {
      const study = db.prepare('SELECT name FROM studies WHERE id = ?').get(studyId) as { name: string } | undefined;
      if (study === undefined) throw new AutotuneError('store', `there is no study with id ${studyId} to lock`);
      const row = db.prepare('SELECT owner, pid, host, boot_id, started_at FROM study_locks WHERE study_id = ?').get(studyId) as
        | LockRow
        | undefined;
      let tookOver: StaleLock | null = null;
      if (row !== undefined) {
        if (!holderIsGone(row)) throw lockedError(study.name, row);
        tookOver = { pid: row.pid, host: row.host, startedAt: row.started_at };
        db.prepare('DELETE FROM study_locks WHERE study_id = ?').run(studyId);
      }
      const owner = randomUUID();
      db.prepare('INSERT INTO study_locks (study_id, owner, pid, host, boot_id, started_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        studyId,
        owner,
        process.pid,
        hostname(),
        bootId(),
        new Date().toISOString(),
      );
      return { owner, tookOver };
    })
    .immediate();
}

/** Deletes the lock row only if it is still ours (it may have been taken over meanwhile). */
export function dropStudyLock(db: Db, studyId: number, owner: string): void {
  db.prepare('DELETE FROM study_locks WHERE study_id = ? AND owner = ?').run(studyId, owner);
}

function lockedError(study: string, row: LockRow): AutotuneError {
  const where = row.host === hostname() ? `pid ${row.pid} on this host` : `pid ${row.pid} on host ${row.host}`;
  const hint =
    row.host === hostname()
      ? 'wait for it to finish or stop it, then run again'
      : 'a lock from another host is never taken over: stop that run, or use another --db';
  return new AutotuneError('store', `study '${study}' is already being tuned by autotune ${where} since ${row.started_at}: ${hint}`);
}

/** Only a holder on this host can be known to be gone; one elsewhere is assumed alive. */
function holderIsGone(row: LockRow): boolean {
  if (row.host !== hostname()) return false;
  const boot = bootId();
  if (row.boot_id !== null && boot !== null && row.boot_id !== boot) return true;
  return !processExists(row.pid);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the pid exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Changes on every boot, so a lock from before a reboot is recognised as stale. */
function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}
