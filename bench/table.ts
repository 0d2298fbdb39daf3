import { readFileSync } from 'node:fs';
import { AutotuneError } from '../src/errors.js';
import type { TrialConfig } from '../src/placement/types.js';

/**
 * A completed exhaustive study, replayed as ground truth by the search benchmark: a strategy asks
 * for a configuration and gets this table's measurement of it. Tables measured on a machine are
 * stored as JSON in bench/data/<name>.json in exactly this shape.
 */
export interface ReplayRow {
  config: TrialConfig;
  /** Samples per second. */
  tps: number;
  p99Ms: number;
  noisy: boolean;
}

export interface ReplayTable {
  name: string;
  /** Where the numbers come from (machine, model, date), or that they are synthetic. */
  description: string;
  synthetic: boolean;
  sloMs: number | null;
  rows: ReplayRow[];
}

export function loadTable(path: string): ReplayTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AutotuneError('input', `cannot read replay table ${path}: ${(e as Error).message}`);
  }
  const t = parsed as Partial<ReplayTable>;
  const rowsOk =
    Array.isArray(t.rows) &&
    t.rows.length > 0 &&
    t.rows.every((r) => typeof r?.config === 'object' && Number.isFinite(r.tps) && Number.isFinite(r.p99Ms) && typeof r.noisy === 'boolean');
  if (typeof t.name !== 'string' || typeof t.synthetic !== 'boolean' || !(t.sloMs === null || typeof t.sloMs === 'number') || !rowsOk) {
    throw new AutotuneError('input', `replay table ${path} is malformed: it needs name, description, synthetic, sloMs and rows[{config, tps, p99Ms, noisy}]`);
  }
  return t as ReplayTable;
}
