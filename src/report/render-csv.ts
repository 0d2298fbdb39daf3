import type { Report } from './types.js';

const COLUMNS = [
  'study', 'trial_id', 'number', 'kind', 'state', 'processes', 'threads', 'numa', 'batch', 'smt', 'spinning', 'baseline',
  'tps', 'ips', 'p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'mean_ms', 'p99_ci_low', 'p99_ci_high',
  'noisy', 'verified', 'pinned', 'drift', 'on_front', 'duration_ms', 'started_at', 'reason', 'error',
] as const;

/** One row per trial, every state (figures empty unless complete); RFC 4180 quoting. */
export function renderCsv(reports: readonly Report[]): string {
  const rows = reports.flatMap((report) =>
    report.trials.map((t) => [
      report.study.name, t.id, t.number, t.kind, t.state, t.config.processes, t.config.threads, t.config.numa, t.config.batch,
      t.config.smt, t.config.spinning, t.config.baseline, t.tps, t.ips, t.p50Ms, t.p90Ms, t.p99Ms, t.p999Ms, t.meanMs,
      t.p99Ci?.[0] ?? null, t.p99Ci?.[1] ?? null, t.noisy, t.verified, t.pinned, t.drift, t.onFront, t.durationMs, t.startedAt,
      t.reason, t.error,
    ]),
  );
  return [COLUMNS as readonly unknown[], ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
