import { median } from 'simple-statistics';
import { AutotuneError } from '../src/errors.js';
import { fastestUnder } from '../src/report/recommend.js';
import { hypervolume2d } from '../src/search/hypervolume.js';
import { paretoFront, type Objectives } from '../src/search/pareto.js';
import { type Observation, type Strategy } from '../src/search/strategy.js';
import { configKey } from '../src/domain/config.js';
import { driftBetween, driftBounds, type BaselineRun } from '../src/study/drift.js';
import type { Draw, ReplayRow, ReplayTable } from './table.js';

export interface ReplayTrial {
  kind: 'baseline' | 'search' | 'repeat';
  row: ReplayRow;
  draw: Draw;
  /** Flagged by the drift check of the baseline runs around it. */
  drift: boolean;
}

/** What a study reports when it ends, judged on the truth. */
export interface StudyEnd {
  trials: number;
  /** Hypervolume of the TRUE values of the configurations on the reported (measured) front. */
  volume: number;
  /** The configuration reported as fastest under the SLO (by its measured figures), or null. */
  pick: ReplayRow | null;
}

export interface ReplayRun {
  trials: ReplayTrial[];
  /** `volume` of the reported front after each trial: index k - 1 is after k trials. */
  curve: number[];
  /** The end of a study given each of the asked budgets. */
  ends: Map<number, StudyEnd>;
  /** Strategy proposals made, branches included. */
  proposals: number;
}

export interface ReplayOptions {
  seed: number;
  /** Trials in all, the baseline runs included. */
  budget: number;
  /** Budgets (<= budget) whose study ends are wanted too. */
  checkpoints?: readonly number[];
  /** The baseline is re-run after this many search trials (the study's drift.everyTrials). */
  driftEvery?: number;
  /** The study's drift.threshold. */
  driftThreshold?: number;
  /**
   * A study with a smaller budget is branched off this many trials before its end: the same
   * proposals as the long run until then, provided the strategy only changes course on `remaining`
   * within that many trials of the end (bayes: its re-measure queue, at most 5 entries).
   */
  branchLead?: number;
}

/**
 * Tabular replay of a study: the strategy runs its ask/tell loop and every measurement it asks for
 * is a fresh draw from the table. As the study loop does, trial 1 is the baseline and the baseline
 * is re-run after every `driftEvery` search trials (once more at once when two runs disagree);
 * those runs count as trials, and the search trials between two disagreeing runs are flagged as
 * drift (noisy to the strategy, left out of a configuration's figures when it has other runs).
 * The confirmation phase that follows a real search is not replayed.
 *
 * After each trial the reported front (each configuration at the median of its measurements, as
 * reports show it) is judged at the configurations' true values: a lucky draw can put a poor
 * configuration on the front and push a good one off, and a re-measurement can undo that.
 */
export function replay(table: ReplayTable, strategy: Strategy, options: ReplayOptions): ReplayRun {
  const checkpoints = [...new Set(options.checkpoints ?? [])].sort((a, b) => a - b);
  if (checkpoints.some((k) => k > options.budget || k < 1)) throw new AutotuneError('usage', `checkpoints ${checkpoints.join(', ')} must lie in 1..${options.budget}`);
  const lead = options.branchLead ?? 10;
  const main = new ReplayStudy(table, strategy, options);
  const curve: number[] = [];
  const ends = new Map<number, StudyEnd>();
  let proposals = 0;
  const branch = (k: number): void => {
    const study = main.clone();
    while (study.step(k));
    proposals += study.proposals - main.proposals;
    ends.set(k, study.end());
  };
  let pending = checkpoints.filter((k) => k < options.budget);
  for (;;) {
    for (const k of pending.filter((k) => main.trials.length >= k - lead)) branch(k);
    pending = pending.filter((k) => !ends.has(k));
    if (!main.step(options.budget)) break;
    curve.push(main.end().volume);
  }
  // A run that ended before a branch point (its strategy had nothing left) still answers for it.
  for (const k of pending) branch(k);
  if (checkpoints.includes(options.budget)) ends.set(options.budget, main.end());
  return { trials: main.trials, curve, ends, proposals: proposals + main.proposals };
}

/** The reference point: p99 at the SLO (only feasible points count), else 1.1 x the worst true p99. */
export function referencePoint(table: ReplayTable): Objectives {
  return { tps: 0, p99Ms: table.sloMs ?? 1.1 * Math.max(...table.rows.map((r) => r.truth.p99Ms)) };
}

/** Hypervolume of the table's true front: what a perfect, noise-free search would report. */
export function trueVolume(table: ReplayTable): number {
  return hypervolume2d(table.rows.map((r) => r.truth), referencePoint(table));
}

/** The highest true TPS among configurations whose true p99 meets the SLO (all, without one). */
export function bestTrueTps(table: ReplayTable): number {
  return fastestUnder(table.rows.map((r) => r.truth), table.sloMs)?.tps ?? 0;
}

/**
 * Trials after which the curve reaches `target` and stays there to the end of the run, or null
 * when it does not end there: a later lucky draw can lower the true value of the reported front,
 * and a study stopped then would report the lower one.
 */
export function trialsToHold(curve: readonly number[], target: number): number | null {
  if (curve.length === 0 || curve[curve.length - 1]! < target) return null;
  let i = curve.length - 1;
  while (i > 0 && curve[i - 1]! >= target) i--;
  return i + 1;
}

/** One replayed study's state; `clone` branches it (draws are pure, so a branch sees the same ones). */
class ReplayStudy {
  trials: ReplayTrial[] = [];
  /** Indexes into `trials` of the baseline runs, each with whether it showed drift against the one before. */
  baselines: Array<{ index: number; drifted: boolean }> = [];
  proposals = 0;
  exhausted = false;
  readonly #space: readonly ReplayRow['config'][];
  readonly #byKey: Map<string, ReplayRow>;
  readonly #ref: Objectives;

  constructor(
    readonly table: ReplayTable,
    readonly strategy: Strategy,
    readonly options: ReplayOptions,
    shared?: { space: readonly ReplayRow['config'][]; byKey: Map<string, ReplayRow> },
  ) {
    // One space array for every call and branch: grid and random memoise their order on it.
    this.#space = shared?.space ?? table.rows.map((r) => r.config);
    this.#byKey = shared?.byKey ?? new Map(table.rows.map((r) => [configKey(r.config), r]));
    this.#ref = referencePoint(table);
  }

  clone(): ReplayStudy {
    const copy = new ReplayStudy(this.table, this.strategy, this.options, { space: this.#space, byKey: this.#byKey });
    copy.trials = this.trials.map((t) => ({ ...t }));
    copy.baselines = this.baselines.map((b) => ({ ...b }));
    copy.proposals = this.proposals;
    copy.exhausted = this.exhausted;
    return copy;
  }

  /** Runs the next trial; false when the budget is spent or the strategy has nothing left. */
  step(budget: number): boolean {
    if (this.exhausted || this.trials.length >= budget) return false;
    if (this.baselines.length === 0 || this.#driftDue()) {
      this.#measure(this.table.baseline, 'baseline');
      this.#checkDrift();
      return true;
    }
    this.proposals++;
    const proposal = this.strategy.next({
      space: this.#space,
      history: this.#history(),
      failed: [],
      sloMs: this.table.sloMs,
      seed: this.options.seed,
      remaining: budget - this.trials.length,
    });
    if (proposal === null) {
      this.exhausted = true;
      return false;
    }
    const key = configKey(proposal.config);
    const row = this.#byKey.get(key);
    if (row === undefined) throw new AutotuneError('input', `strategy ${this.strategy.name} proposed ${key}, which is not in table ${this.table.name}`);
    this.#measure(row, this.trials.some((t) => t.row === row) ? 'repeat' : 'search');
    return true;
  }

  /** What the study would report now, at the true values. */
  end(): StudyEnd {
    const points = this.#points();
    const inside = points.filter((p) => p.tps > this.#ref.tps && p.p99Ms < this.#ref.p99Ms);
    const volume = hypervolume2d(paretoFront(inside).map((p) => p.row.truth), this.#ref);
    return { trials: this.trials.length, volume, pick: fastestUnder(points, this.table.sloMs)?.row ?? null };
  }

  #measure(row: ReplayRow, kind: ReplayTrial['kind']): void {
    const repeat = this.trials.filter((t) => t.row === row).length + 1;
    this.trials.push({ kind, row, draw: this.table.measure(row, repeat, this.options.seed), drift: false });
  }

  /** The loop's rule: after `driftEvery` search trials since the last baseline run, or right after a run that showed drift. */
  #driftDue(): boolean {
    const last = this.baselines[this.baselines.length - 1]!;
    const since = this.trials.length - 1 - last.index;
    if (since === 0) {
      const before = this.baselines[this.baselines.length - 2];
      return last.drifted && before !== undefined && last.index - before.index > 1;
    }
    return since >= (this.options.driftEvery ?? 10);
  }

  /** Judges the newest baseline run against the one before; on drift, flags the trials between. */
  #checkDrift(): void {
    const index = this.trials.length - 1;
    const runs: BaselineRun[] = [...this.baselines.map((b) => b.index), index].map((i) => ({ trialId: i, number: i + 1, tps: this.trials[i]!.draw.tps, p99Ms: this.trials[i]!.draw.p99Ms }));
    const before = runs[runs.length - 2];
    const drifted = before !== undefined && driftBetween(before, runs[runs.length - 1]!, driftBounds(runs, this.options.driftThreshold ?? 0.1)).drifted;
    if (drifted) for (let i = before.trialId + 1; i < index; i++) this.trials[i]!.drift = true;
    this.baselines.push({ index, drifted });
  }

  /** Every completed trial as the strategy sees it: baseline runs included, drift as noisy. */
  #history(): Observation[] {
    const seen = new Map<ReplayRow, number>();
    return this.trials.map((t) => {
      const repeat = (seen.get(t.row) ?? 0) + 1;
      seen.set(t.row, repeat);
      return { config: t.row.config, tps: t.draw.tps, p99Ms: t.draw.p99Ms, noisy: t.draw.noisy || t.drift, repeat };
    });
  }

  /**
   * One point per measured configuration of the space, as report/points.ts builds them: the
   * median of its measurements, drift-flagged ones left out when it has others. The baseline is
   * not a point: the figures are about the search of the space, and the truth holds only the space.
   */
  #points(): Array<Objectives & { row: ReplayRow }> {
    const byRow = new Map<ReplayRow, ReplayTrial[]>();
    for (const t of this.trials) if (t.kind !== 'baseline') byRow.set(t.row, [...(byRow.get(t.row) ?? []), t]);
    return [...byRow].map(([row, measured]) => {
      const trusted = measured.filter((t) => !t.drift);
      const used = trusted.length > 0 ? trusted : measured;
      return { row, tps: median(used.map((t) => t.draw.tps)), p99Ms: median(used.map((t) => t.draw.p99Ms)) };
    });
  }
}
