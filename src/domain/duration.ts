import { AutotuneError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600, d: 86400 };

/**
 * A duration as users write it: a plain number of seconds, or a number with a unit
 * (`500ms`, `8s`, `30m`, `8h`, `1h30m`). Returns seconds; null when the text is not a duration.
 */
export function durationSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|min|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return null;
  let total = 0;
  for (const [, value, unit] of parts) total += Number(value) * UNIT_SECONDS[unit!]!;
  return total;
}

/** durationSeconds for a CLI flag: a malformed value is a usage error naming the flag. */
export function parseDurationFlag(text: string, flag: string): number {
  const seconds = durationSeconds(text);
  if (seconds === null) {
    throw new AutotuneError('usage', `${flag} "${text}" is not a duration: write seconds (2.5) or a number with a unit (500ms, 30s, 30m, 8h)`);
  }
  return seconds;
}

/** Compact human form: 850ms, 12s, 5m30s, 8h. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return m > 0 ? `${h}h${m}m` : `${h}h`;
  if (m > 0) return s > 0 ? `${m}m${s}s` : `${m}m`;
  return `${s}s`;
}
