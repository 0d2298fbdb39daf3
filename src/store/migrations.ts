import type { Db } from './sqlite.js';

import { AutotuneError } from '../errors.js';

/**
 * The schema, as an ordered list of migrations: migration i (1-based) takes a file from
 * `PRAGMA user_version` i - 1 to i. Never edit a released migration; append a new one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
  /**
   * The migration rebuilds a table others reference (SQLite cannot alter a CHECK constraint): it
   * runs with foreign keys off, as SQLite's documented procedure for table changes requires, and
   * the references are checked before it commits.
   */
  rebuilds?: boolean;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'initial schema',
    sql: `
      CREATE TABLE machines (
        id INTEGER PRIMARY KEY,
        fingerprint_hash TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        topology TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL
      );

      CREATE TABLE studies (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        definition TEXT NOT NULL,
        model_path TEXT NOT NULL,
        model_sha256 TEXT NOT NULL,
        machine_id INTEGER NOT NULL REFERENCES machines(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'interrupted', 'failed'))
      );

      -- The configuration is kept whole as JSON and also as columns, so reports can query it.
      CREATE TABLE trials (
        id INTEGER PRIMARY KEY,
        study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('search', 'baseline', 'repeat')),
        state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'failed', 'pruned', 'interrupted')),
        config TEXT NOT NULL,
        processes INTEGER NOT NULL,
        threads INTEGER NOT NULL,
        numa TEXT NOT NULL,
        batch INTEGER NOT NULL,
        smt TEXT NOT NULL,
        spinning INTEGER NOT NULL,
        baseline INTEGER NOT NULL,
        reason TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration_ms REAL,
        error TEXT,
        model_path TEXT,
        model_name TEXT,
        model_sha256 TEXT,
        onnxruntime_version TEXT,
        run_started_at TEXT,
        tps REAL,
        ips REAL,
        latency_count INTEGER,
        mean_ms REAL,
        stddev_ms REAL,
        min_ms REAL,
        max_ms REAL,
        p50_ms REAL,
        p90_ms REAL,
        p99_ms REAL,
        p999_ms REAL,
        p99_ci_low REAL,
        p99_ci_high REAL,
        warmup_ms REAL,
        measured_ms REAL,
        stable INTEGER,
        noisy INTEGER NOT NULL DEFAULT 0,
        noise_reasons TEXT NOT NULL DEFAULT '[]',
        verified INTEGER,
        pinned INTEGER,
        drift INTEGER NOT NULL DEFAULT 0,
        drift_reason TEXT,
        UNIQUE (study_id, number)
      );
      CREATE INDEX trials_by_study_state ON trials(study_id, state);

      CREATE TABLE trial_placements (
        trial_id INTEGER PRIMARY KEY REFERENCES trials(id) ON DELETE CASCADE,
        plan TEXT NOT NULL,
        read_back TEXT NOT NULL,
        verification TEXT NOT NULL
      );

      CREATE TABLE trial_workers (
        trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
        worker_index INTEGER NOT NULL,
        pid INTEGER NOT NULL,
        inferences INTEGER NOT NULL,
        samples INTEGER NOT NULL,
        tps REAL NOT NULL,
        p99_ms REAL NOT NULL,
        cpu_time_ms REAL NOT NULL,
        voluntary_ctx_switches INTEGER NOT NULL,
        involuntary_ctx_switches INTEGER NOT NULL,
        migrations INTEGER NOT NULL,
        rss_bytes INTEGER NOT NULL,
        PRIMARY KEY (trial_id, worker_index)
      );

      CREATE TABLE trial_histograms (
        trial_id INTEGER PRIMARY KEY REFERENCES trials(id) ON DELETE CASCADE,
        histogram TEXT NOT NULL
      );

      -- One row while a tuner works on a study. boot_id tells a lock left before a reboot, when
      -- the recorded pid may since have been given to an unrelated process.
      CREATE TABLE study_locks (
        study_id INTEGER PRIMARY KEY REFERENCES studies(id) ON DELETE CASCADE,
        owner TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        boot_id TEXT,
        started_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'serving (open-loop) trials with their rate steps, confirmation pairs, the strategy auto chose',
    rebuilds: true,
    sql: `
      CREATE TABLE trials_v2 (
        id INTEGER PRIMARY KEY,
        study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('search', 'baseline', 'repeat', 'confirm', 'capacity')),
        state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'failed', 'pruned', 'interrupted')),
        config TEXT NOT NULL,
        processes INTEGER NOT NULL,
        threads INTEGER NOT NULL,
        numa TEXT NOT NULL,
        batch INTEGER NOT NULL,
        smt TEXT NOT NULL,
        spinning INTEGER NOT NULL,
        baseline INTEGER NOT NULL,
        reason TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration_ms REAL,
        error TEXT,
        model_path TEXT,
        model_name TEXT,
        model_sha256 TEXT,
        onnxruntime_version TEXT,
        run_started_at TEXT,
        tps REAL,
        ips REAL,
        latency_count INTEGER,
        mean_ms REAL,
        stddev_ms REAL,
        min_ms REAL,
        max_ms REAL,
        p50_ms REAL,
        p90_ms REAL,
        p99_ms REAL,
        p999_ms REAL,
        p99_ci_low REAL,
        p99_ci_high REAL,
        warmup_ms REAL,
        measured_ms REAL,
        stable INTEGER,
        noisy INTEGER NOT NULL DEFAULT 0,
        noise_reasons TEXT NOT NULL DEFAULT '[]',
        verified INTEGER,
        pinned INTEGER,
        drift INTEGER NOT NULL DEFAULT 0,
        drift_reason TEXT,
        -- A confirmation run of the baseline names the confirmation run it is paired with.
        paired_with INTEGER REFERENCES trials_v2(id),
        round INTEGER,
        -- Capacity trials: how the load arrived and what the search found (JSON).
        load TEXT,
        capacity TEXT,
        UNIQUE (study_id, number)
      );
      INSERT INTO trials_v2 (id, study_id, number, kind, state, config, processes, threads, numa, batch, smt, spinning, baseline,
        reason, started_at, finished_at, duration_ms, error, model_path, model_name, model_sha256, onnxruntime_version,
        run_started_at, tps, ips, latency_count, mean_ms, stddev_ms, min_ms, max_ms, p50_ms, p90_ms, p99_ms, p999_ms,
        p99_ci_low, p99_ci_high, warmup_ms, measured_ms, stable, noisy, noise_reasons, verified, pinned, drift, drift_reason)
      SELECT id, study_id, number, kind, state, config, processes, threads, numa, batch, smt, spinning, baseline,
        reason, started_at, finished_at, duration_ms, error, model_path, model_name, model_sha256, onnxruntime_version,
        run_started_at, tps, ips, latency_count, mean_ms, stddev_ms, min_ms, max_ms, p50_ms, p90_ms, p99_ms, p999_ms,
        p99_ci_low, p99_ci_high, warmup_ms, measured_ms, stable, noisy, noise_reasons, verified, pinned, drift, drift_reason
      FROM trials;
      DROP TABLE trials;
      ALTER TABLE trials_v2 RENAME TO trials;
      CREATE INDEX trials_by_study_state ON trials(study_id, state);

      -- One row per open-loop window of a capacity trial, written as soon as the window ends.
      CREATE TABLE serving_steps (
        trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
        step_index INTEGER NOT NULL,
        offered_rps REAL NOT NULL,
        achieved_rps REAL NOT NULL,
        scheduled INTEGER NOT NULL,
        p99_ms REAL,
        overloaded INTEGER NOT NULL,
        verdict TEXT,
        step TEXT NOT NULL,
        PRIMARY KEY (trial_id, step_index)
      );

      ALTER TABLE studies ADD COLUMN strategy_used TEXT;
      ALTER TABLE studies ADD COLUMN strategy_reason TEXT;
    `,
  },
  {
    version: 3,
    description: 'study locks name their holder beyond its pid, and carry a heartbeat',
    sql: `
      -- A pid alone does not tell a dead holder from a live one: in a container the tuner is often
      -- pid 1 every time. pid_ns and start_time tell whether the pid is still the same process;
      -- heartbeat_at is the lease for holders whose pid cannot be checked from here.
      ALTER TABLE study_locks ADD COLUMN pid_ns TEXT;
      ALTER TABLE study_locks ADD COLUMN start_time TEXT;
      ALTER TABLE study_locks ADD COLUMN heartbeat_at TEXT;
    `,
  },
  {
    version: 4,
    description: 'machine checks per study, disturbance per trial',
    sql: `
      -- The machine checks of the latest tune run on the study (JSON array), for reports.
      ALTER TABLE studies ADD COLUMN machine_checks TEXT NOT NULL DEFAULT '[]';
      -- Others' CPU time, steal and throttling during the trial's window (JSON; NULL before version 4).
      ALTER TABLE trials ADD COLUMN disturbance TEXT;
    `,
  },
  {
    version: 5,
    description: 'configurations only as JSON keyed by axis name',
    sql: `
      -- The config column has always held the whole configuration; the per-axis copies beside it
      -- meant a new column (and a rebuild of this table) for every new axis. Axes a stored config
      -- lacks are read back at their baseline value (domain/config.ts), which is what ran.
      ALTER TABLE trials DROP COLUMN processes;
      ALTER TABLE trials DROP COLUMN threads;
      ALTER TABLE trials DROP COLUMN numa;
      ALTER TABLE trials DROP COLUMN batch;
      ALTER TABLE trials DROP COLUMN smt;
      ALTER TABLE trials DROP COLUMN spinning;
    `,
  },
  {
    version: 6,
    description: 'deployment checks: autotune verify runs against a pick\'s promise',
    sql: `
      -- What running servers delivered at the promised rate, against the capacity trial that
      -- promised it; the whole record (histogram, ratios, verdict) is kept as JSON.
      CREATE TABLE deployment_checks (
        id INTEGER PRIMARY KEY,
        study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
        capacity_trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('kept', 'better', 'missed', 'undecided')),
        record TEXT NOT NULL
      );
      CREATE INDEX deployment_checks_study ON deployment_checks(study_id, id);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersionOf(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a file this autotune cannot read: a newer schema, or a SQLite file of something else. */
export function checkSchema(db: Db, name: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const version = schemaVersionOf(db);
  if (version > migrations.length) {
    throw new AutotuneError(
      'store',
      `${name} was written by a newer autotune (schema ${version}, this one knows ${migrations.length}): upgrade autotune or use another --db`,
    );
  }
  if (version === 0) {
    const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'`).get() as { n: number };
    if (tables.n > 0) {
      throw new AutotuneError('store', `${name} is an SQLite database of another program, not autotune's: choose another --db`);
    }
  }
  return version;
}

/**
 * Brings the file up to the newest schema. All pending migrations run in one IMMEDIATE
 * transaction, so a failure (or a crash) leaves the file at its old version, and two tuners
 * opening the same new file cannot both apply them.
 */
export function migrate(db: Db, name: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const before = checkSchema(db, name, migrations);
  if (before === migrations.length) return;
  // PRAGMA foreign_keys is a no-op inside a transaction, so it is switched around the whole one.
  const rebuilds = migrations.slice(before).some((m) => m.rebuilds);
  if (rebuilds) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const current = checkSchema(db, name, migrations);
      for (const m of migrations.slice(current)) {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) {
        throw new AutotuneError('store', `${name}: upgrading the schema would break ${broken.length} reference(s) between tables; the file is left as it was`);
      }
    }).immediate();
  } finally {
    if (rebuilds) db.pragma('foreign_keys = ON');
  }
}
