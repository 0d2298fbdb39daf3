import type { TrialConfig } from '../domain/config.js';
import type { TrialResult, WorkerStats } from '../domain/results.js';
import { checkConfig, checkNumbers, checkStrings, jsonColumn, type RowPlace } from './row-checks.js';
import type { CapacityRecord, TrialKind, TrialRecord, TrialState } from './types.js';

/** The REAL and INTEGER columns of a trials row, checked to hold numbers (or NULL) when read. */
export const TRIAL_NUMBER_COLUMNS = [
  'duration_ms', 'tps', 'ips', 'latency_count', 'mean_ms', 'stddev_ms', 'min_ms', 'max_ms', 'p50_ms', 'p90_ms', 'p99_ms',
  'p999_ms', 'p99_ci_low', 'p99_ci_high', 'warmup_ms', 'measured_ms', 'stable', 'noisy', 'verified', 'pinned', 'drift',
  'paired_with', 'round',
] as const satisfies ReadonlyArray<keyof TrialRow>;

export const WORKER_NUMBER_COLUMNS = [
  'worker_index', 'pid', 'inferences', 'samples', 'tps', 'p99_ms', 'cpu_time_ms', 'voluntary_ctx_switches',
  'involuntary_ctx_switches', 'migrations', 'rss_bytes',
] as const satisfies ReadonlyArray<keyof WorkerRow>;

/** A `trials` row as SQLite returns it (booleans are 0/1, JSON is text). */
export interface TrialRow {
  id: number;
  study_id: number;
  number: number;
  kind: TrialKind;
  state: TrialState;
  config: string;
  reason: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
  model_path: string | null;
  model_name: string | null;
  model_sha256: string | null;
  onnxruntime_version: string | null;
  run_started_at: string | null;
  tps: number | null;
  ips: number | null;
  latency_count: number | null;
  mean_ms: number | null;
  stddev_ms: number | null;
  min_ms: number | null;
  max_ms: number | null;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  p99_ci_low: number | null;
  p99_ci_high: number | null;
  warmup_ms: number | null;
  measured_ms: number | null;
  stable: number | null;
  noisy: number;
  noise_reasons: string;
  verified: number | null;
  pinned: number | null;
  drift: number;
  drift_reason: string | null;
  paired_with: number | null;
  round: number | null;
  load: string | null;
  capacity: string | null;
  disturbance: string | null;
}

export interface WorkerRow {
  worker_index: number;
  pid: number;
  inferences: number;
  samples: number;
  tps: number;
  p99_ms: number;
  cpu_time_ms: number;
  voluntary_ctx_switches: number;
  involuntary_ctx_switches: number;
  migrations: number;
  rss_bytes: number;
}

/** The configuration as JSON keyed by axis name (schema 5 on): a new axis needs no new column. */
export function configColumns(config: TrialConfig): Record<string, string | number> {
  return { config: JSON.stringify(config), baseline: bit(config.baseline) };
}

/** The `trials` columns a completed result fills (named parameters of the UPDATE). */
export function resultColumns(result: TrialResult): Record<string, string | number | null> {
  const l = result.latency;
  return {
    finished_at: result.finishedAt,
    model_path: result.model.path,
    model_name: result.model.name,
    model_sha256: result.model.sha256,
    onnxruntime_version: result.onnxruntimeVersion,
    run_started_at: result.startedAt,
    tps: result.tps,
    ips: result.ips,
    latency_count: l.count,
    mean_ms: l.mean,
    stddev_ms: l.stddev,
    min_ms: l.min,
    max_ms: l.max,
    p50_ms: l.p50,
    p90_ms: l.p90,
    p99_ms: l.p99,
    p999_ms: l.p999,
    p99_ci_low: l.p99Ci?.[0] ?? null,
    p99_ci_high: l.p99Ci?.[1] ?? null,
    warmup_ms: result.window.warmupMs,
    measured_ms: result.window.measuredMs,
    stable: bit(result.window.stable),
    noisy: bit(result.noisy),
    noise_reasons: JSON.stringify(result.noiseReasons),
    verified: bit(result.verification.verified),
    pinned: bit(result.plan.pinned),
    disturbance: result.disturbance === null ? null : JSON.stringify(result.disturbance),
  };
}

export function workerColumns(w: WorkerStats): Record<string, number> {
  return {
    worker_index: w.index,
    pid: w.pid,
    inferences: w.inferences,
    samples: w.samples,
    tps: w.tps,
    p99_ms: w.p99Ms,
    cpu_time_ms: w.cpuTimeMs,
    voluntary_ctx_switches: w.voluntaryCtxSwitches,
    involuntary_ctx_switches: w.involuntaryCtxSwitches,
    migrations: w.migrations,
    rss_bytes: w.rssBytes,
  };
}

export function toTrialRecord(row: TrialRow, place: RowPlace): TrialRecord {
  checkNumbers(row, TRIAL_NUMBER_COLUMNS, place);
  return {
    id: row.id,
    studyId: row.study_id,
    number: row.number,
    kind: row.kind,
    state: row.state,
    config: checkConfig(row.config, place),
    reason: row.reason,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    error: row.error,
    tps: row.tps,
    ips: row.ips,
    p50Ms: row.p50_ms,
    p90Ms: row.p90_ms,
    p99Ms: row.p99_ms,
    p999Ms: row.p999_ms,
    meanMs: row.mean_ms,
    p99CiLow: row.p99_ci_low,
    p99CiHigh: row.p99_ci_high,
    noisy: row.noisy === 1,
    noiseReasons: checkStrings(row.noise_reasons, place, 'noise_reasons'),
    verified: nullableBool(row.verified),
    pinned: nullableBool(row.pinned),
    drift: row.drift === 1,
    driftReason: row.drift_reason,
    pairedWith: row.paired_with,
    round: row.round,
    capacity:
      row.load === null || row.capacity === null
        ? null
        : ({ load: jsonColumn(row.load, place, 'load'), capacity: jsonColumn(row.capacity, place, 'capacity') } as CapacityRecord),
  };
}

export function toWorkerStats(row: WorkerRow, place: RowPlace): WorkerStats {
  checkNumbers(row, WORKER_NUMBER_COLUMNS, place);
  return {
    index: row.worker_index,
    pid: row.pid,
    inferences: row.inferences,
    samples: row.samples,
    tps: row.tps,
    p99Ms: row.p99_ms,
    cpuTimeMs: row.cpu_time_ms,
    voluntaryCtxSwitches: row.voluntary_ctx_switches,
    involuntaryCtxSwitches: row.involuntary_ctx_switches,
    migrations: row.migrations,
    rssBytes: row.rss_bytes,
  };
}

function bit(b: boolean): number {
  return b ? 1 : 0;
}

function nullableBool(v: number | null): boolean | null {
  return v === null ? null : v === 1;
}
