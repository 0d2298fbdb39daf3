import { AutotuneError } from '../src/errors.js';
import { hypervolume2d } from '../src/search/hypervolume.js';
import type { Objectives } from '../src/search/pareto.js';
import { configKey, type Observation, type Strategy } from '../src/search/strategy.js';
import type { ReplayRow, ReplayTable } from './table.js';

export interface ReplayRun {
  /** Table rows in the order the strategy measured them. */
  measured: ReplayRow[];
  /** Hypervolume (at the table's reference point) after each measurement. */
  curve: number[];
}

/**
 * Tabular replay: the strategy runs its normal ask/tell loop, but each proposed configuration is
 * answered from the table instead of a trial (a re-measurement returns the same row again).
 * Stops at the budget, when the strategy has nothing left, or once the hypervolume reaches
 * `stopAtVolume` (the true front's: nothing can grow after that, so later figures are known).
 */
export function replay(
  table: ReplayTable,
  strategy: Strategy,
  options: { seed: number; budget: number; stopAtVolume?: number },
): ReplayRun {
  const { seed, budget } = options;
  const ref = referencePoint(table);
  const curve: number[] = [];
  const byKey = new Map(table.rows.map((r) => [configKey(r.config), r]));
  const space = table.rows.map((r) => r.config);
  const history: Observation[] = [];
  const measured: ReplayRow[] = [];
  const counts = new Map<string, number>();
  while (measured.length < budget) {
    const proposal = strategy.next({ space, history, failed: [], sloMs: table.sloMs, seed, remaining: budget - measured.length });
    if (proposal === null) break;
    const key = configKey(proposal.config);
    const row = byKey.get(key);
    if (row === undefined) throw new AutotuneError('input', `strategy ${strategy.name} proposed ${key}, which is not in table ${table.name}`);
    const repeat = (counts.get(key) ?? 0) + 1;
    counts.set(key, repeat);
    history.push({ config: row.config, tps: row.tps, p99Ms: row.p99Ms, noisy: row.noisy, repeat });
    measured.push(row);
    curve.push(hypervolume2d(measured, ref));
    if (options.stopAtVolume !== undefined && curve[curve.length - 1]! >= options.stopAtVolume) break;
  }
  return { measured, curve };
}

/** The benchmark's reference point: p99 at the SLO (only feasible points count), else 1.1 x the worst p99. */
export function referencePoint(table: ReplayTable): Objectives {
  return { tps: 0, p99Ms: table.sloMs ?? 1.1 * Math.max(...table.rows.map((r) => r.p99Ms)) };
}

/** Trials needed until the curve first reaches `target`, or null when it never does. */
export function trialsToReach(curve: readonly number[], target: number): number | null {
  const i = curve.findIndex((v) => v >= target);
  return i < 0 ? null : i + 1;
}
