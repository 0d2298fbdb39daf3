import { randomUUID } from 'node:crypto';

import type { Db } from './sqlite.js';

import { AutotuneError } from '../errors.js';
import { processExists, selfIdentity, startTimeOf, type ProcessIdentity } from './process-identity.js';
import type { StaleLock } from './types.js';

/**
 * How long a holder whose pid cannot be checked from here (another host, another PID namespace)
 * may stay silent before its lock is taken over. A live holder refreshes its heartbeat every
 * LEASE / 6, from a timer that runs while trials do (they are child processes).
 */
export const DEFAULT_LOCK_LEASE_MS = 30_000;

interface LockRow {
  owner: string;
  pid: number;
  host: string;
  boot_id: string | null;
  pid_ns: string | null;
  start_time: string | null;
  started_at: string;
  heartbeat_at: string | null;
}

export interface HeldLock {
  owner: string;
  tookOver: StaleLock | null;
}

/** What is known about the holder of a lock row, seen from this process. */
export type HolderState =
  | { alive: true; checkable: boolean; silentMs: number }
  | { alive: false; why: string };

/**
 * Takes the study's lock row for this process. The check and the insert run in one IMMEDIATE
 * transaction, so of two tuners starting together exactly one gets the lock. A row whose holder
 * is provably gone is replaced: on this host and boot and in this PID namespace its pid no longer
 * runs the process that took it (checked by start time); elsewhere its heartbeat has been silent
 * for longer than the lease.
 */
export function takeStudyLock(db: Db, studyId: number, leaseMs: number): HeldLock {
  return db
    .transaction((): HeldLock => {
      const study = db.prepare('SELECT name FROM studies WHERE id = ?').get(studyId) as { name: string } | undefined;
      if (study === undefined) throw new AutotuneError('store', `there is no study with id ${studyId} to lock`);
      const row = readLock(db, studyId);
      const me = selfIdentity();
      let tookOver: StaleLock | null = null;
      if (row !== undefined) {
        const holder = holderState(row, me, leaseMs, Date.now());
        if (holder.alive) throw lockedError(study.name, row, me, holder, leaseMs);
        tookOver = { pid: row.pid, host: row.host, startedAt: row.started_at, why: holder.why };
        db.prepare('DELETE FROM study_locks WHERE study_id = ?').run(studyId);
      }
      const owner = randomUUID();
      const now = new Date().toISOString();
      db.prepare(
        `INSERT INTO study_locks (study_id, owner, pid, host, boot_id, pid_ns, start_time, started_at, heartbeat_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(studyId, owner, me.pid, me.host, me.bootId, me.pidNamespace, me.startTime, now, now);
      return { owner, tookOver };
    })
    .immediate();
}

/** Refreshes the lease; false when the row is no longer ours (it was taken over). */
export function beatStudyLock(db: Db, studyId: number, owner: string): boolean {
  return db.prepare('UPDATE study_locks SET heartbeat_at = ? WHERE study_id = ? AND owner = ?').run(new Date().toISOString(), studyId, owner).changes === 1;
}

/** The holder of the study's lock now, or undefined when nobody holds it. */
export function lockHolder(db: Db, studyId: number): { pid: number; host: string } | undefined {
  const row = readLock(db, studyId);
  return row === undefined ? undefined : { pid: row.pid, host: row.host };
}

/** Whether the study's lock row is still the one `owner` took. */
export function ownsStudyLock(db: Db, studyId: number, owner: string): boolean {
  return readLock(db, studyId)?.owner === owner;
}

/** Deletes the lock row only if it is still ours (it may have been taken over meanwhile). */
export function dropStudyLock(db: Db, studyId: number, owner: string): void {
  db.prepare('DELETE FROM study_locks WHERE study_id = ? AND owner = ?').run(studyId, owner);
}

/** Whether a tuner holds the study now: null when no lock row, else whether its holder is alive. */
export function studyTunerAlive(db: Db, studyId: number, leaseMs: number): boolean | null {
  const row = readLock(db, studyId);
  return row === undefined ? null : holderState(row, selfIdentity(), leaseMs, Date.now()).alive;
}

function readLock(db: Db, studyId: number): LockRow | undefined {
  return db
    .prepare('SELECT owner, pid, host, boot_id, pid_ns, start_time, started_at, heartbeat_at FROM study_locks WHERE study_id = ?')
    .get(studyId) as LockRow | undefined;
}

function holderState(row: LockRow, me: ProcessIdentity, leaseMs: number, now: number): HolderState {
  const lastSign = Date.parse(row.heartbeat_at ?? row.started_at);
  const silentMs = Number.isFinite(lastSign) ? Math.max(0, now - lastSign) : Infinity;
  const sameHost = row.host === me.host;
  if (sameHost && row.boot_id !== null && me.bootId !== null && row.boot_id !== me.bootId) {
    return { alive: false, why: 'the machine has rebooted since' };
  }
  // Rows of an autotune before pid namespaces were recorded count as this namespace's.
  if (sameHost && me.procIsOurs && (row.pid_ns === null || row.pid_ns === me.pidNamespace)) {
    if (!processExists(row.pid)) return { alive: false, why: `pid ${row.pid} is gone` };
    if (row.start_time === null) {
      // This process records its start time, so an old row naming our own pid is not ours.
      return row.pid === me.pid ? { alive: false, why: `pid ${row.pid} is now this process` } : { alive: true, checkable: true, silentMs };
    }
    const started = startTimeOf(row.pid);
    if (started !== null && started !== row.start_time) return { alive: false, why: `pid ${row.pid} is now another process` };
    return { alive: true, checkable: true, silentMs };
  }
  if (silentMs > leaseMs) return { alive: false, why: `its heartbeat stopped ${Math.round(silentMs / 1000)} s ago` };
  return { alive: true, checkable: false, silentMs };
}

function lockedError(study: string, row: LockRow, me: ProcessIdentity, holder: Extract<HolderState, { alive: true }>, leaseMs: number): AutotuneError {
  const since = `since ${row.started_at}`;
  if (holder.checkable) {
    return new AutotuneError('store', `study '${study}' is already being tuned by autotune pid ${row.pid} on this host ${since}: wait for it to finish or stop it, then run again`);
  }
  const where = row.host === me.host ? `pid ${row.pid} in another PID namespace (container) on this host` : `pid ${row.pid} on host ${row.host}`;
  const heard = `last heard from ${Math.round(holder.silentMs / 1000)} s ago`;
  return new AutotuneError(
    'store',
    `study '${study}' is already being tuned by autotune ${where} ${since}, ${heard}: stop that run, or if it is gone, run again once it has been silent for ${Math.round(leaseMs / 1000)} s and its lock is taken over`,
  );
}
