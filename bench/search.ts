import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { quantile } from 'simple-statistics';
import { createBayesStrategy } from '../src/search/bayes.js';
import { createGridStrategy } from '../src/search/grid.js';
import { hypervolume2d } from '../src/search/hypervolume.js';
import { createRandomStrategy } from '../src/search/random.js';
import type { Strategy } from '../src/search/strategy.js';
import { referencePoint, replay, trialsToReach, type ReplayRun } from './replay.js';
import { syntheticTable } from './synthetic-model.js';
import { loadTable, type ReplayTable } from './table.js';

/**
 * `npm run bench:search`: tabular replay of grid, random and bayes on every table (the SYNTHETIC
 * 64-core one from bench/synthetic-model.ts and the measured ones in bench/data/), over many seeds.
 * Prints trials to 95% / 99% of the true front's hypervolume, the hypervolume reached after 10, 20
 * and 30% of the grid's trials, and how often the best feasible TPS (within 5%) was found by 10%.
 *   node dist/bench/search.js [--seeds N]
 */
const seedsArg = process.argv.indexOf('--seeds');
const SEEDS = seedsArg > 0 ? Number(process.argv[seedsArg + 1]) : 20;

interface SeedResult {
  to95: number | null;
  to99: number | null;
  /** Fraction of the true hypervolume after 10, 20 and 30% of the grid. */
  at: number[];
  /** Best feasible TPS found within 10% of the grid, over the true best feasible TPS. */
  bestTpsAt10: number;
}

const FRACTIONS = [0.1, 0.2, 0.3];

function evaluate(table: ReplayTable, run: ReplayRun, truth: number): SeedResult {
  const ref = referencePoint(table);
  const checkpoints = FRACTIONS.map((f) => Math.ceil(f * table.rows.length));
  const last = run.curve[run.curve.length - 1] ?? 0;
  // A run that stopped early stopped at the true hypervolume (or ran out of space): later points hold.
  const volumeAt = (k: number): number => (run.curve[k - 1] ?? last) / truth;
  const feasible = (r: { p99Ms: number }): boolean => r.p99Ms < ref.p99Ms;
  const bestTps = Math.max(...table.rows.filter(feasible).map((r) => r.tps));
  const found = Math.max(0, ...run.measured.slice(0, checkpoints[0]).filter(feasible).map((r) => r.tps));
  return {
    to95: trialsToReach(run.curve, 0.95 * truth),
    to99: trialsToReach(run.curve, 0.99 * truth),
    at: checkpoints.map(volumeAt),
    bestTpsAt10: found / bestTps,
  };
}

function summary(values: Array<number | null>, censoredAt: number, format: (v: number) => string): string {
  // Runs that never reached the target count as above the budget (censored), so the median is honest.
  const v = values.map((x) => x ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  const show = (x: number): string => (Number.isFinite(x) ? format(x) : `>${censoredAt}`);
  if (v.length === 1) return show(v[0]!);
  return `${show(quantile(v, 0.5))} [${show(v[0]!)}-${show(v[v.length - 1]!)}]`;
}

function benchTable(table: ReplayTable): void {
  const n = table.rows.length;
  const ref = referencePoint(table);
  const truth = hypervolume2d(table.rows, ref);
  const label = table.synthetic ? 'SYNTHETIC table' : 'measured table';
  process.stdout.write(`\n== ${label} ${table.name}: ${n} configurations, ${table.sloMs === null ? 'no SLO' : `SLO p99 < ${table.sloMs} ms`}\n`);
  process.stdout.write(`   ${table.description}\n`);
  process.stdout.write(`   grid = ${n} trials; 10/20/30% = ${FRACTIONS.map((f) => Math.ceil(f * n)).join('/')} trials; medians [min-max] over ${SEEDS} seeds\n`);

  const strategies: Array<{ make: () => Strategy; seeds: number; budget: number }> = [
    // The grid's order does not depend on the seed.
    { make: () => createGridStrategy(), seeds: 1, budget: n },
    { make: () => createRandomStrategy(), seeds: SEEDS, budget: n },
    // The GP refits on every proposal; past 30% of the grid (or 100 trials on a small table) bayes
    // has nothing left to show, so its runs are censored there.
    { make: () => createBayesStrategy(), seeds: SEEDS, budget: Math.min(n, Math.max(Math.ceil(0.3 * n), 100)) },
  ];
  const header = ['strategy', 'trials to 95% HV', 'trials to 99% HV', 'HV @10%', 'HV @20%', 'HV @30%', 'best TPS @10% (>=95%)', 's/proposal'];
  const lines: string[][] = [header];
  const results = new Map<string, SeedResult[]>();
  for (const { make, seeds, budget } of strategies) {
    const per: SeedResult[] = [];
    let name = '';
    let proposals = 0;
    const started = performance.now();
    for (let seed = 1; seed <= seeds; seed++) {
      const strategy = make();
      name = strategy.name;
      const run = replay(table, strategy, { seed, budget, stopAtVolume: truth });
      proposals += run.measured.length;
      per.push(evaluate(table, run, truth));
    }
    const seconds = (performance.now() - started) / 1000 / proposals;
    results.set(name, per);
    const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
    const hits = per.filter((r) => r.bestTpsAt10 >= 0.95).length;
    lines.push([
      name,
      summary(per.map((r) => r.to95), budget, (v) => v.toFixed(0)),
      summary(per.map((r) => r.to99), budget, (v) => v.toFixed(0)),
      ...FRACTIONS.map((_, i) => summary(per.map((r) => r.at[i]!), budget, pct)),
      `${hits}/${per.length} seeds`,
      seconds.toFixed(3),
    ]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const l of lines) process.stdout.write(`   ${l.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);

  const bayes = results.get('bayes') ?? [];
  const random = results.get('random') ?? [];
  const median = (xs: Array<number | null>): number => quantile(xs.map((x) => x ?? Number.POSITIVE_INFINITY), 0.5);
  if (table.synthetic) {
    const tenth = Math.ceil(0.1 * n);
    const to95 = median(bayes.map((r) => r.to95));
    const hitRate = bayes.filter((r) => r.bestTpsAt10 >= 0.95).length / bayes.length;
    process.stdout.write(`   target: bayes median trials to 95% HV <= 10% of grid (${tenth}): ${to95} -> ${to95 <= tenth ? 'met' : 'MISSED'}\n`);
    process.stdout.write(`   target: bayes within 5% of best feasible TPS by 10% of grid in >= 90% of seeds: ${(100 * hitRate).toFixed(0)}% -> ${hitRate >= 0.9 ? 'met' : 'MISSED'}\n`);
  } else {
    const b = median(bayes.map((r) => r.to95));
    const r = median(random.map((x) => x.to95));
    process.stdout.write(`   target: bayes needs fewer trials than random (median to 95% HV): ${b} vs ${r} -> ${b < r ? 'met' : 'MISSED'}\n`);
  }
}

const dataDir = resolve('bench', 'data');
const measured = readdirSync(dataDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => loadTable(join(dataDir, f)));
for (const table of [syntheticTable(), ...measured]) benchTable(table);
