import { AXIS_NAMES } from '../domain/axes.js';
import type { Report } from './types.js';

/** One column per axis of the table, between the trial's identity and its figures. */
const COLUMNS = [
  'study', 'trial_id', 'number', 'kind', 'state', ...AXIS_NAMES, 'baseline',
  'tps', 'ips', 'p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'mean_ms', 'p99_ci_low', 'p99_ci_high',
  'noisy', 'verified', 'pinned', 'drift', 'on_front', 'duration_ms', 'started_at', 'reason', 'error',
];

/** One row per trial, every state (figures empty unless complete); RFC 4180 quoting. */
export function renderCsv(reports: readonly Report[]): string {
  const rows = reports.flatMap((report) =>
    report.trials.map((t) => [
      report.study.name, t.id, t.number, t.kind, t.state, ...AXIS_NAMES.map((name) => t.config[name]), t.config.baseline, t.tps, t.ips, t.p50Ms, t.p90Ms, t.p99Ms, t.p999Ms, t.meanMs,
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
