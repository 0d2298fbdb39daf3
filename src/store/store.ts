import type { Db } from './sqlite.js';

import { AutotuneError } from '../errors.js';
import type { ServingResult, ServingStep, TrialResult } from '../domain/results.js';
import type { MachineCheck } from '../topology/health.js';
import type { Fingerprint, Topology } from '../topology/types.js';
import { DEFAULT_BUSY_TIMEOUT_MS, openDatabase } from './connection.js';
import { translateSqliteError } from './sqlite-errors.js';
import { beatStudyLock, DEFAULT_LOCK_LEASE_MS, dropStudyLock, lockHolder, ownsStudyLock, studyTunerAlive, takeStudyLock } from './study-lock.js';
import {
  checkConfig,
  checkDeploymentCheck,
  checkDisturbance,
  checkFingerprint,
  checkHistogram,
  checkMachineChecks,
  checkPlan,
  checkReadBack,
  checkTopology,
  checkVerification,
  jsonColumn,
  type RowPlace,
} from './row-checks.js';
import { configColumns, resultColumns, toTrialRecord, toWorkerStats, workerColumns } from './trial-rows.js';
import type { TrialRow, WorkerRow } from './trial-rows.js';
import { TRIAL_STATES } from './types.js';
import type {
  DeploymentCheck,
  MachineRecord,
  NewDeploymentCheck,
  NewStudy,
  NewTrial,
  OpenStoreOptions,
  Store,
  StudyListing,
  StudyLockRelease,
  StudyRecord,
  StudyState,
  StoredStep,
  TrialRecord,
  TrialState,
} from './types.js';

/** Where the store lives unless --db says otherwise: one database per project directory. */
export const DEFAULT_DB_PATH = 'autotune.db';

export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const db = openDatabase(path, { readonly: options.readonly ?? false, busyTimeoutMs });
  return new SqliteStore(db, path, busyTimeoutMs, options.lockLeaseMs ?? DEFAULT_LOCK_LEASE_MS);
}

interface StudyRow {
  id: number;
  name: string;
  definition: string;
  model_path: string;
  model_sha256: string;
  machine_id: number;
  created_at: string;
  state: StudyState;
  strategy_used: string | null;
  strategy_reason: string | null;
  machine_checks: string;
}

class SqliteStore implements Store {
  readonly path: string;
  readonly #db: Db;
  readonly #busyTimeoutMs: number;
  readonly #leaseMs: number;
  /** Locks taken through this store, released on close. */
  readonly #locks = new Set<StudyLockRelease>();
  /** The owner token of each study this store holds the lock of. */
  readonly #owners = new Map<number, string>();

  constructor(db: Db, path: string, busyTimeoutMs: number, leaseMs: number) {
    this.#db = db;
    this.path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#leaseMs = leaseMs;
  }

  close(): void {
    if (!this.#db.open) return;
    for (const release of this.#locks) release();
    this.#db.close();
  }

  upsertMachine(fingerprint: Fingerprint, topology: Topology): number {
    return this.#guard(() => {
      const now = new Date().toISOString();
      const row = this.#db
        .prepare(
          `INSERT INTO machines (fingerprint_hash, fingerprint, topology, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (fingerprint_hash) DO UPDATE SET fingerprint = excluded.fingerprint, topology = excluded.topology,
             last_seen = excluded.last_seen
           RETURNING id`,
        )
        .get(fingerprint.hash, JSON.stringify(fingerprint), JSON.stringify(topology), now, now) as { id: number };
      return row.id;
    });
  }

  getMachine(id: number): MachineRecord | null {
    return this.#guard(() => {
      const row = this.#db.prepare('SELECT id, fingerprint, topology FROM machines WHERE id = ?').get(id) as
        | { id: number; fingerprint: string; topology: string }
        | undefined;
      if (row === undefined) return null;
      const place: RowPlace = { path: this.path, where: () => `machine #${row.id}` };
      return { id: row.id, fingerprint: checkFingerprint(row.fingerprint, place), topology: checkTopology(row.topology, place) };
    });
  }

  createStudy(study: NewStudy): StudyRecord {
    return this.#guard(() =>
      this.#db
        .transaction(() => {
          if (this.#studyRow(study.name) !== undefined) {
            throw new AutotuneError(
              'store',
              `a study named '${study.name}' already exists in ${this.path}: resume it with --study ${study.name}, or choose another name`,
            );
          }
          const now = new Date().toISOString();
          const row = this.#db
            .prepare(
              `INSERT INTO studies (name, definition, model_path, model_sha256, machine_id, created_at, updated_at, state)
               VALUES (?, ?, ?, ?, ?, ?, ?, 'running') RETURNING *`,
            )
            .get(study.name, JSON.stringify(study.definition), study.modelPath, study.modelSha256, study.machineId, now, now) as StudyRow;
          return toStudyRecord(row, this.path);
        })
        .immediate(),
    );
  }

  getStudy(name: string): StudyRecord | null {
    return this.#guard(() => {
      const row = this.#studyRow(name);
      return row === undefined ? null : toStudyRecord(row, this.path);
    });
  }

  listStudies(): StudyListing[] {
    return this.#guard(() => {
      const studies = this.#db.prepare('SELECT * FROM studies ORDER BY created_at, id').all() as StudyRow[];
      const counts = this.#db
        .prepare('SELECT study_id, state, count(*) AS n, max(started_at) AS last FROM trials GROUP BY study_id, state')
        .all() as Array<{ study_id: number; state: TrialState; n: number; last: string }>;
      return studies.map((s) => {
        const mine = counts.filter((c) => c.study_id === s.id);
        const perState = Object.fromEntries(TRIAL_STATES.map((state) => [state, 0])) as Record<TrialState, number>;
        for (const c of mine) perState[c.state] = c.n;
        const last = mine.map((c) => c.last).sort().at(-1) ?? null;
        return {
          id: s.id,
          name: s.name,
          state: s.state,
          createdAt: s.created_at,
          modelPath: s.model_path,
          strategy: strategyOf(jsonColumn(s.definition, studyPlace(this.path, s.name), 'definition')),
          counts: perState,
          total: mine.reduce((sum, c) => sum + c.n, 0),
          lastTrialAt: last,
          tunerAlive: studyTunerAlive(this.#db, s.id, this.#leaseMs),
        };
      });
    });
  }

  setStudyState(studyId: number, state: StudyState): void {
    this.#guard(() => {
      const info = this.#db.prepare('UPDATE studies SET state = ?, updated_at = ? WHERE id = ?').run(state, new Date().toISOString(), studyId);
      if (info.changes === 0) throw noStudy(studyId);
    });
  }

  setMachineChecks(studyId: number, checks: readonly MachineCheck[]): void {
    this.#guard(() => {
      const info = this.#db.prepare('UPDATE studies SET machine_checks = ? WHERE id = ?').run(JSON.stringify(checks), studyId);
      if (info.changes === 0) throw noStudy(studyId);
    });
  }

  updateStudyDefinition(studyId: number, definition: unknown): void {
    this.#guard(() => {
      const info = this.#db
        .prepare('UPDATE studies SET definition = ?, updated_at = ? WHERE id = ?')
        .run(JSON.stringify(definition), new Date().toISOString(), studyId);
      if (info.changes === 0) throw noStudy(studyId);
    });
  }

  acquireStudyLock(studyId: number): StudyLockRelease {
    return this.#guard(() => {
      const held = takeStudyLock(this.#db, studyId, this.#leaseMs);
      // A failed beat (busy, disk full) is retried on the next one; a lost lock shows in createTrial.
      const heartbeat = setInterval(() => {
        try {
          if (this.#db.open) beatStudyLock(this.#db, studyId, held.owner);
        } catch {
          // The next beat tries again; the lease allows several to fail.
        }
      }, Math.max(10, Math.floor(this.#leaseMs / 6)));
      heartbeat.unref();
      const release = Object.assign(
        () => {
          clearInterval(heartbeat);
          if (!this.#locks.delete(release) || !this.#db.open) return;
          this.#owners.delete(studyId);
          this.#guard(() => dropStudyLock(this.#db, studyId, held.owner));
        },
        { tookOver: held.tookOver },
      );
      this.#locks.add(release);
      this.#owners.set(studyId, held.owner);
      return release;
    });
  }

  createTrial(studyId: number, trial: NewTrial): TrialRecord {
    return this.#guard(() =>
      this.#db
        .transaction(() => {
          if (this.#db.prepare('SELECT 1 FROM studies WHERE id = ?').get(studyId) === undefined) throw noStudy(studyId);
          this.#checkStillLocked(studyId);
          const { next } = this.#db
            .prepare('SELECT coalesce(max(number), 0) + 1 AS next FROM trials WHERE study_id = ?')
            .get(studyId) as { next: number };
          const row = this.#db
            .prepare(
              `INSERT INTO trials (study_id, number, kind, state, config, baseline, reason, started_at, paired_with, round)
               VALUES (@study_id, @number, @kind, 'running', @config, @baseline, @reason, @started_at, @paired_with, @round)
               RETURNING *`,
            )
            .get({
              study_id: studyId,
              number: next,
              kind: trial.kind,
              reason: trial.reason,
              paired_with: trial.pairedWith ?? null,
              round: trial.round ?? null,
              started_at: new Date().toISOString(),
              ...configColumns(trial.config),
            }) as TrialRow;
          return toTrialRecord(row, this.#trialPlace(row));
        })
        .immediate(),
    );
  }

  completeTrial(trialId: number, result: TrialResult): void {
    this.#guard(() =>
      this.#db
        .transaction(() => {
          const startedAt = this.#runningTrialStart(trialId, 'complete');
          const columns = resultColumns(result);
          const assignments = Object.keys(columns)
            .map((c) => `${c} = @${c}`)
            .join(', ');
          this.#db
            .prepare(`UPDATE trials SET state = 'complete', duration_ms = @duration_ms, ${assignments} WHERE id = @id`)
            .run({ ...columns, id: trialId, duration_ms: Date.parse(result.finishedAt) - Date.parse(startedAt) });
          this.#db
            .prepare('INSERT INTO trial_placements (trial_id, plan, read_back, verification) VALUES (?, ?, ?, ?)')
            .run(trialId, JSON.stringify(result.plan), JSON.stringify(result.readBack), JSON.stringify(result.verification));
          const insertWorker = this.#db.prepare(
            `INSERT INTO trial_workers (trial_id, worker_index, pid, inferences, samples, tps, p99_ms, cpu_time_ms,
               voluntary_ctx_switches, involuntary_ctx_switches, migrations, rss_bytes)
             VALUES (@trial_id, @worker_index, @pid, @inferences, @samples, @tps, @p99_ms, @cpu_time_ms,
               @voluntary_ctx_switches, @involuntary_ctx_switches, @migrations, @rss_bytes)`,
          );
          for (const w of result.workers) insertWorker.run({ trial_id: trialId, ...workerColumns(w) });
          this.#db.prepare('INSERT INTO trial_histograms (trial_id, histogram) VALUES (?, ?)').run(trialId, JSON.stringify(result.histogram));
        })
        .immediate(),
    );
  }

  failTrial(trialId: number, error: string): void {
    this.#finishUnmeasured(trialId, 'failed', error);
  }

  pruneTrial(trialId: number, reason: string): void {
    this.#finishUnmeasured(trialId, 'pruned', reason);
  }

  markInterrupted(studyId: number): number {
    return this.#guard(
      () => this.#db.prepare(`UPDATE trials SET state = 'interrupted' WHERE study_id = ? AND state = 'running'`).run(studyId).changes,
    );
  }

  listTrials(studyId: number): TrialRecord[] {
    return this.#guard(() =>
      (this.#db.prepare(`SELECT * FROM trials WHERE study_id = ? ORDER BY number`).all(studyId) as TrialRow[]).map((row) =>
        toTrialRecord(row, this.#trialPlace(row)),
      ),
    );
  }

  getTrial(trialId: number): TrialRecord | null {
    return this.#guard(() => {
      const row = this.#db.prepare(`SELECT * FROM trials WHERE id = ?`).get(trialId) as TrialRow | undefined;
      return row === undefined ? null : toTrialRecord(row, this.#trialPlace(row));
    });
  }

  getTrialResult(trialId: number): TrialResult | null {
    return this.#guard(() => {
      const row = this.#db.prepare(`SELECT * FROM trials WHERE id = ? AND state = 'complete'`).get(trialId) as
        | TrialRow
        | undefined;
      if (row === undefined) return null;
      const placement = this.#db.prepare('SELECT plan, read_back, verification FROM trial_placements WHERE trial_id = ?').get(trialId) as
        | { plan: string; read_back: string; verification: string }
        | undefined;
      const histogram = this.#db.prepare('SELECT histogram FROM trial_histograms WHERE trial_id = ?').get(trialId) as
        | { histogram: string }
        | undefined;
      const workers = this.#db
        .prepare('SELECT * FROM trial_workers WHERE trial_id = ? ORDER BY worker_index')
        .all(trialId) as WorkerRow[];
      const place = this.#trialPlace(row);
      if (placement === undefined || histogram === undefined) {
        throw new AutotuneError('store', `${this.path}: ${place.where()}: complete, but its ${placement === undefined ? 'placement' : 'histogram'} row is missing: the database was edited or damaged`);
      }
      toTrialRecord(row, place);
      const filled = <T>(value: T | null, column: string): T => {
        if (value === null) throw new AutotuneError('store', `${this.path}: ${place.where()}: complete, but ${column} is empty: the database was edited or damaged`);
        return value;
      };
      return {
        config: checkConfig(row.config, place),
        plan: checkPlan(placement.plan, place),
        model: { path: filled(row.model_path, 'model_path'), name: filled(row.model_name, 'model_name'), sha256: filled(row.model_sha256, 'model_sha256') },
        readBack: checkReadBack(placement.read_back, place),
        verification: checkVerification(placement.verification, place),
        latency: {
          count: filled(row.latency_count, 'latency_count'),
          mean: filled(row.mean_ms, 'mean_ms'),
          stddev: filled(row.stddev_ms, 'stddev_ms'),
          min: filled(row.min_ms, 'min_ms'),
          max: filled(row.max_ms, 'max_ms'),
          p50: filled(row.p50_ms, 'p50_ms'),
          p90: filled(row.p90_ms, 'p90_ms'),
          p99: filled(row.p99_ms, 'p99_ms'),
          p999: filled(row.p999_ms, 'p999_ms'),
          // Both NULL: the window was too small for an interval (one NULL alone is a damaged row).
          p99Ci: row.p99_ci_low === null && row.p99_ci_high === null ? null : [filled(row.p99_ci_low, 'p99_ci_low'), filled(row.p99_ci_high, 'p99_ci_high')],
        },
        histogram: checkHistogram(histogram.histogram, place),
        tps: filled(row.tps, 'tps'),
        ips: filled(row.ips, 'ips'),
        workers: workers.map((w) => toWorkerStats(w, place)),
        window: { warmupMs: filled(row.warmup_ms, 'warmup_ms'), measuredMs: filled(row.measured_ms, 'measured_ms'), stable: filled(row.stable, 'stable') === 1 },
        noisy: row.noisy === 1,
        noiseReasons: toTrialRecord(row, place).noiseReasons,
        disturbance: row.disturbance === null ? null : checkDisturbance(row.disturbance, place),
        onnxruntimeVersion: filled(row.onnxruntime_version, 'onnxruntime_version'),
        startedAt: filled(row.run_started_at, 'run_started_at'),
        finishedAt: filled(row.finished_at, 'finished_at'),
      };
    });
  }

  flagDrift(trialIds: readonly number[], reason: string): void {
    this.#guard(() =>
      this.#db
        .transaction(() => {
          const flag = this.#db.prepare('UPDATE trials SET drift = 1, drift_reason = ? WHERE id = ?');
          for (const id of trialIds) {
            if (flag.run(reason, id).changes === 0) throw noTrial(id);
          }
        })
        .immediate(),
    );
  }

  setStudyStrategy(studyId: number, strategy: string, reason: string): void {
    this.#guard(() => {
      const info = this.#db.prepare('UPDATE studies SET strategy_used = ?, strategy_reason = ? WHERE id = ?').run(strategy, reason, studyId);
      if (info.changes === 0) throw noStudy(studyId);
    });
  }

  addServingStep(trialId: number, index: number, step: ServingStep): void {
    this.#guard(() =>
      this.#db
        .transaction(() => {
          this.#runningTrialStart(trialId, 'add a serving step to');
          this.#db
            .prepare(
              `INSERT INTO serving_steps (trial_id, step_index, offered_rps, achieved_rps, scheduled, p99_ms, overloaded, verdict, step)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(trialId, index, step.offeredRps, step.achievedRps, step.scheduled, step.latency.summary?.p99 ?? null, step.overloaded ? 1 : 0, step.slo?.verdict ?? null, JSON.stringify(step));
        })
        .immediate(),
    );
  }

  listServingSteps(trialId: number): StoredStep[] {
    return this.#guard(() =>
      (this.#db.prepare('SELECT trial_id, step_index, step FROM serving_steps WHERE trial_id = ? ORDER BY step_index').all(trialId) as StepRow[]).map((row) => toStoredStep(row, this.path)),
    );
  }

  listStudyServingSteps(studyId: number): StoredStep[] {
    return this.#guard(() =>
      (
        this.#db
          .prepare(
            `SELECT s.trial_id, s.step_index, s.step FROM serving_steps s JOIN trials t ON t.id = s.trial_id
             WHERE t.study_id = ? ORDER BY t.number, s.step_index`,
          )
          .all(studyId) as StepRow[]
      ).map((row) => toStoredStep(row, this.path)),
    );
  }

  completeCapacityTrial(trialId: number, result: ServingResult): void {
    if (result.capacity === null) throw new AutotuneError('store', `trial ${trialId}: a capacity trial must complete with what its search found`);
    const capacity = result.capacity;
    this.#guard(() =>
      this.#db
        .transaction(() => {
          const startedAt = this.#runningTrialStart(trialId, 'complete');
          this.#db
            .prepare(
              `UPDATE trials SET state = 'complete', finished_at = @finished_at, duration_ms = @duration_ms, run_started_at = @run_started_at,
                 model_path = @model_path, model_name = @model_name, model_sha256 = @model_sha256, onnxruntime_version = @onnxruntime_version,
                 noisy = @noisy, noise_reasons = @noise_reasons, verified = @verified, pinned = @pinned, load = @load, capacity = @capacity
               WHERE id = @id`,
            )
            .run({
              id: trialId,
              finished_at: result.finishedAt,
              duration_ms: Date.parse(result.finishedAt) - Date.parse(startedAt),
              run_started_at: result.startedAt,
              model_path: result.model.path,
              model_name: result.model.name,
              model_sha256: result.model.sha256,
              onnxruntime_version: result.onnxruntimeVersion,
              noisy: result.noisy ? 1 : 0,
              noise_reasons: JSON.stringify(result.noiseReasons),
              verified: result.verification.verified ? 1 : 0,
              pinned: result.plan.pinned ? 1 : 0,
              load: JSON.stringify(result.load),
              capacity: JSON.stringify(capacity),
            });
          this.#db
            .prepare('INSERT INTO trial_placements (trial_id, plan, read_back, verification) VALUES (?, ?, ?, ?)')
            .run(trialId, JSON.stringify(result.plan), JSON.stringify(result.readBack), JSON.stringify(result.verification));
        })
        .immediate(),
    );
  }

  addDeploymentCheck(studyId: number, check: NewDeploymentCheck): number {
    return this.#guard(() => {
      const info = this.#db
        .prepare('INSERT INTO deployment_checks (study_id, trial_id, capacity_trial_id, started_at, verdict, record) VALUES (?, ?, ?, ?, ?, ?)')
        .run(studyId, check.trialId, check.capacityTrialId, check.startedAt, check.comparison.verdict, JSON.stringify(check));
      return Number(info.lastInsertRowid);
    });
  }

  listDeploymentChecks(studyId: number): DeploymentCheck[] {
    return this.#guard(() =>
      (this.#db.prepare('SELECT id, study_id, record FROM deployment_checks WHERE study_id = ? ORDER BY id').all(studyId) as Array<{ id: number; study_id: number; record: string }>).map((row) => {
        const place: RowPlace = { path: this.path, where: () => `deployment check ${row.id}` };
        return { ...checkDeploymentCheck(row.record, place), id: row.id, studyId: row.study_id };
      }),
    );
  }

  /**
   * A tuner that was silent past the lease (suspended, stalled) may have lost its lock to another
   * one; it must then stop rather than measure the same study twice.
   */
  #checkStillLocked(studyId: number): void {
    const owner = this.#owners.get(studyId);
    if (owner === undefined || ownsStudyLock(this.#db, studyId, owner)) return;
    const holder = lockHolder(this.#db, studyId);
    const study = (this.#db.prepare('SELECT name FROM studies WHERE id = ?').get(studyId) as { name: string }).name;
    const by = holder === undefined ? 'released by another process' : `taken over by autotune pid ${holder.pid} on ${holder.host}`;
    throw new AutotuneError(
      'store',
      `the lock of study '${study}' was ${by} while this tuner was silent for more than ${Math.round(this.#leaseMs / 1000)} s: stopping so no trial is measured twice; completed trials are kept`,
    );
  }

  /** Where a trial row sits, for the one line a bad row gets: the study's name, the trial's number and id. */
  #trialPlace(row: { id: number; study_id: number; number: number }): RowPlace {
    return {
      path: this.path,
      where: () => {
        const study = this.#db.prepare('SELECT name FROM studies WHERE id = ?').get(row.study_id) as { name: string } | undefined;
        return `study "${study?.name ?? `#${row.study_id}`}", trial #${row.number} (id ${row.id})`;
      },
    };
  }

  #studyRow(name: string): StudyRow | undefined {
    return this.#db.prepare('SELECT * FROM studies WHERE name = ?').get(name) as StudyRow | undefined;
  }

  /** The trial's start time; throws unless it is still running (finished trials are immutable). */
  #runningTrialStart(trialId: number, action: string): string {
    const row = this.#db.prepare('SELECT state, number, started_at FROM trials WHERE id = ?').get(trialId) as
      | { state: TrialState; number: number; started_at: string }
      | undefined;
    if (row === undefined) throw noTrial(trialId);
    if (row.state !== 'running') {
      throw new AutotuneError(
        'store',
        `cannot ${action} trial #${row.number} (id ${trialId}): it is already ${row.state}, and a finished trial is never overwritten`,
      );
    }
    return row.started_at;
  }

  #finishUnmeasured(trialId: number, state: 'failed' | 'pruned', error: string): void {
    this.#guard(() =>
      this.#db
        .transaction(() => {
          const startedAt = this.#runningTrialStart(trialId, state === 'failed' ? 'fail' : 'prune');
          const now = new Date();
          this.#db
            .prepare('UPDATE trials SET state = ?, error = ?, finished_at = ?, duration_ms = ? WHERE id = ?')
            .run(state, error, now.toISOString(), now.getTime() - Date.parse(startedAt), trialId);
        })
        .immediate(),
    );
  }

  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw translateSqliteError(e, this.path, this.#busyTimeoutMs);
    }
  }
}

function studyPlace(path: string, name: string): RowPlace {
  return { path, where: () => `study "${name}"` };
}

function toStudyRecord(row: StudyRow, path: string): StudyRecord {
  return {
    id: row.id,
    name: row.name,
    definition: jsonColumn(row.definition, studyPlace(path, row.name), 'definition'),
    modelPath: row.model_path,
    modelSha256: row.model_sha256,
    machineId: row.machine_id,
    createdAt: row.created_at,
    state: row.state,
    strategyUsed: row.strategy_used,
    strategyReason: row.strategy_reason,
    machineChecks: checkMachineChecks(row.machine_checks, studyPlace(path, row.name)),
  };
}

interface StepRow {
  trial_id: number;
  step_index: number;
  step: string;
}

function toStoredStep(row: StepRow, path: string): StoredStep {
  const place: RowPlace = { path, where: () => `trial id ${row.trial_id}, serving step ${row.step_index}` };
  return { trialId: row.trial_id, index: row.step_index, step: jsonColumn(row.step, place, 'step') as ServingStep };
}

/** The strategy's name from a study definition, whose schema belongs to the study module. */
function strategyOf(definition: unknown): string | null {
  if (typeof definition !== 'object' || definition === null || !('strategy' in definition)) return null;
  return typeof definition.strategy === 'string' ? definition.strategy : null;
}

function noStudy(id: number): AutotuneError {
  return new AutotuneError('store', `there is no study with id ${id} in this database`);
}

function noTrial(id: number): AutotuneError {
  return new AutotuneError('store', `there is no trial with id ${id} in this database`);
}
