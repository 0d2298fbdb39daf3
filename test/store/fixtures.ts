import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { completeConfig, type TrialConfig } from '../../src/domain/config.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations.js';
import type { TrialResult, WorkerStats } from '../../src/domain/results.js';
import type { Fingerprint, Topology } from '../../src/topology/types.js';

/** A fresh directory for database files, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-store-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function config(overrides: Partial<TrialConfig> = {}): TrialConfig {
  return completeConfig({ processes: 1, threads: 2, numa: 'none', batch: 1, smt: 'cores', spinning: false, baseline: false, ...overrides });
}

export const fingerprint: Fingerprint = {
  cpuModel: 'Test CPU @ 2.00GHz',
  packages: 1,
  nodes: 1,
  cores: 2,
  threads: 2,
  kernel: '6.1.0-test',
  onnxruntimeVersion: '1.30.0',
  hash: '0123456789abcdef',
};

export const topology: Topology = {
  schemaVersion: 1,
  source: { kind: 'live' },
  cpuModel: fingerprint.cpuModel,
  kernel: fingerprint.kernel,
  possible: [0, 1],
  online: [0, 1],
  offline: [],
  numaSupported: true,
  nodes: [{ id: 0, cpus: [0, 1], memBytes: 8 * 2 ** 30, distances: [10] }],
  packages: [{ id: 0, cpus: [0, 1], nodes: [0], dies: [0] }],
  cores: [
    { index: 0, package: 0, die: 0, cluster: null, coreId: 0, node: 0, cpus: [0] },
    { index: 1, package: 0, die: 0, cluster: null, coreId: 1, node: 0, cpus: [1] },
  ],
  l3Domains: [{ id: 0, cpus: [0, 1], sizeBytes: 32 * 2 ** 20 }],
  allowed: { cpus: [0, 1], mems: [0], affinity: [0, 1], cgroup: { version: 'v1', path: '/sys/fs/cgroup/cpuset', cpus: [0, 1], mems: [0] } },
  warnings: [],
};

/**
 * A complete, internally consistent TrialResult for `cfg`; `seed` varies every figure (with
 * non-integral values, so a lossy round trip would show) and gives one worker per process.
 */
export function trialResult(cfg: TrialConfig, seed: number): TrialResult {
  const p99 = 10 + seed / 7;
  const workers: WorkerStats[] = Array.from({ length: cfg.processes }, (_, index) => ({
    index,
    pid: 40000 + seed * 10 + index,
    inferences: 1000 + seed + index,
    samples: (1000 + seed + index) * cfg.batch,
    tps: 120.125 + seed + index / 3,
    p99Ms: p99 + index / 11,
    cpuTimeMs: 4321.5 + seed,
    voluntaryCtxSwitches: 12 + index,
    involuntaryCtxSwitches: 3 + seed,
    migrations: index,
    rssBytes: 150_000_000 + index * 4096,
  }));
  const cpus = (i: number): number[] => [i % 2];
  return {
    config: cfg,
    plan: {
      workers: workers.map((w) => ({
        index: w.index,
        cpus: cpus(w.index),
        mainCpu: cfg.baseline ? null : w.index % 2,
        poolCpus: Array.from({ length: cfg.threads - 1 }, () => cpus(w.index)),
        memPolicy: cfg.numa === 'none' ? 'default' : 'bind',
        mems: cfg.numa === 'none' ? [] : [0],
        nodes: [0],
      })),
      oversubscribed: false,
      pinned: !cfg.baseline,
      notes: seed % 2 === 0 ? [] : ['pool threads share the main thread core'],
    },
    model: { path: '/models/mlp.onnx', name: 'builtin:mlp', sha256: 'ab'.repeat(32) },
    readBack: workers.map((w) => ({
      index: w.index,
      pid: w.pid,
      threads: [{ tid: w.pid, name: 'node', cpus: cpus(w.index), mems: [0], lastCpu: w.index % 2 }],
      pagesPerNode: { '0': 36000 + seed },
      memPolicy: seed % 2 === 0 ? null : { mode: 'bind', nodes: [0] },
      allocators: [],
    })),
    verification: { verified: seed % 3 !== 0, mismatches: seed % 3 !== 0 ? [] : ['worker 0 thread 17: cpus 0-1, planned 0'] },
    latency: {
      count: 2000 + seed,
      mean: p99 / 2.5,
      stddev: 0.731 + seed / 100,
      min: 1.017,
      max: p99 * 1.9,
      p50: p99 / 3,
      p90: p99 / 1.4,
      p99,
      p999: p99 * 1.3,
      p99Ci: [p99 * 0.97, p99 * 1.04],
    },
    histogram: {
      unit: 'us',
      subBuckets: 128,
      counts: [
        [900, 1200 + seed],
        [1010, 700],
        [1200, 100],
      ],
      total: 2000 + seed,
      minUs: 1017,
      maxUs: Math.round(p99 * 1900),
      sumUs: 8_123_456.5 + seed,
      sumSquaresUs: 4.2e10 + seed,
    },
    tps: workers.reduce((s, w) => s + w.tps, 0),
    ips: workers.reduce((s, w) => s + w.tps, 0) / cfg.batch,
    workers,
    window: { warmupMs: 2000, measuredMs: 5012.25 + seed, stable: seed % 4 !== 0 },
    noisy: seed % 5 === 0,
    noiseReasons: seed % 5 === 0 ? ['p99 CI did not converge within 30 s'] : [],
    disturbance:
      seed % 2 === 0
        ? null
        : { cpus: [0, 1], windowMs: 5012.25 + seed, busyMs: 9990.5, ownMs: 9870.25, othersMs: 120.25, stealMs: 10, throttled: { periods: seed, throttledMs: 2.5, path: '/sys/fs/cgroup/a' } },
    onnxruntimeVersion: '1.30.0',
    startedAt: new Date(Date.now() - 7000).toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

/** The per-axis columns trials had before schema 5 kept configurations only as JSON. */
const AXIS_COLUMNS_BEFORE_5 = ['processes', 'threads', 'numa', 'batch', 'smt', 'spinning'];

/**
 * Copies the database at `source` (the current schema) into a new file at `target` whose schema
 * was built by the first `version` migrations only, as an older autotune left it: columns the old
 * schema lacks are dropped, the per-axis columns it had are filled from the config JSON, and
 * `absentAxes` are removed from every stored config (they did not exist when it was written).
 */
export function copyAtOldSchema(source: string, target: string, version: number, absentAxes: readonly string[] = []): void {
  const db = new Database(target);
  try {
    migrate(db, target, MIGRATIONS.slice(0, version));
    db.pragma('foreign_keys = OFF');
    db.prepare('ATTACH DATABASE ? AS current').run(source);
    const tables = db.prepare(`SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as Array<{ name: string }>;
    for (const { name } of tables) {
      const present = new Set((db.prepare(`SELECT name FROM pragma_table_info(?, 'current')`).all(name) as Array<{ name: string }>).map((c) => c.name));
      const columns = (db.prepare(`SELECT name FROM pragma_table_info(?, 'main')`).all(name) as Array<{ name: string }>).map((c) => c.name);
      const values = columns.map((c) => (present.has(c) ? c : name === 'trials' && AXIS_COLUMNS_BEFORE_5.includes(c) ? `json_extract(config, '$.${c}')` : 'NULL'));
      db.exec(`INSERT INTO main.${name} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM current.${name}`);
    }
    for (const axis of absentAxes) db.prepare(`UPDATE main.trials SET config = json_remove(config, ?)`).run(`$.${axis}`);
    db.exec('DETACH DATABASE current');
  } finally {
    db.close();
  }
}
