import { readFileSync } from 'node:fs';
import { median } from 'simple-statistics';
import { z } from 'zod';
import { AutotuneError } from '../src/errors.js';
import { configKey, storedConfigSchema, type TrialConfig } from '../src/domain/config.js';
import type { Objectives } from '../src/search/pareto.js';
import { createRng } from '../src/search/rng.js';

/**
 * A ground-truth table for the search benchmark: a strategy asks for a configuration and gets a
 * fresh noisy measurement of it, while the figures are judged on the configuration's true value.
 * Two kinds: the SYNTHETIC one (bench/synthetic-model.ts: truth is the model's noise-free value,
 * draws come from a noise model) and measured ones (bench/data/<name>.json, written by
 * bench/measure-table.ts: several real runs per configuration, truth estimated as their median,
 * draws taken from those runs).
 */

/** One replayed measurement, as a trial returns it. */
export interface Draw extends Objectives {
  noisy: boolean;
}

export interface ReplayRow {
  config: TrialConfig;
  /** What the figures are judged on. */
  truth: Objectives;
}

export interface ReplayTable {
  name: string;
  /** Where the numbers come from (machine, model, date, order), or that they are synthetic. */
  description: string;
  synthetic: boolean;
  /** How `truth` is known and where draws come from, printed with the figures. */
  truthNote: string;
  sloMs: number | null;
  /** The search space. */
  rows: ReplayRow[];
  /** onnxruntime's defaults at the user's batch: a study's first trial and its drift re-runs. */
  baseline: ReplayRow;
  /**
   * The `repeat`-th (1-based) measurement of `row` in the replay seeded with `seed`: a pure
   * function of its arguments, so a replay can be branched and re-run.
   */
  measure(row: ReplayRow, repeat: number, seed: number): Draw;
}

/** A deterministic seed for one (configuration, replay seed, salt), independent of enumeration order. */
export function keySeed(key: string, seed: number, salt = 0): number {
  let h = (seed ^ Math.imul(salt, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const positiveInt = z.number().int().positive();
const positive = z.number().positive().refine(Number.isFinite, 'expected a finite number');

/** A configuration as the store reads one: axes a table predates come back at their baseline. */
const trialConfig = storedConfigSchema.strict();

/** One real trial of a configuration, kept whole so the replay can hand it out as a draw. */
const measuredRun = z
  .object({
    tps: positive,
    p99Ms: positive,
    noisy: z.boolean(),
    /** The trial runner's reasons for the noisy flag (empty when not noisy). */
    noiseReasons: z.array(z.string()),
    /** Position in the whole measurement, 0-based, baseline runs included. */
    sequence: z.number().int().nonnegative(),
    /** Which pass over the shuffled space (1-based); baseline runs carry the pass they fell in. */
    round: positiveInt,
    startedAt: z.string(),
    /** The machine's 1-minute load average as the run started. */
    load1: z.number().nonnegative(),
  })
  .strict();

const measuredRow = z.object({ config: trialConfig, runs: z.array(measuredRun).min(1) }).strict();

const measuredFile = z
  .object({
    name: z.string().min(1),
    description: z.string(),
    synthetic: z.literal(false),
    sloMs: positive.nullable(),
    /** How, when and where the table was measured. */
    measurement: z
      .object({
        host: z.string(),
        cpus: positiveInt,
        cpuModel: z.string(),
        onnxruntime: z.string(),
        model: z.string(),
        startedAt: z.string(),
        finishedAt: z.string(),
        rounds: positiveInt,
        orderSeed: z.number().int(),
        baselineEvery: positiveInt,
        measure: z.object({ warmup: positive, minTime: positive, maxTime: positive, minSamples: positiveInt, ci: positive }).strict(),
        /** Runs that failed twice and are missing from their configuration. */
        failures: z.array(z.object({ config: z.string(), sequence: z.number().int().nonnegative(), error: z.string() }).strict()),
      })
      .strict(),
    baseline: measuredRow,
    rows: z.array(measuredRow).min(1),
  })
  .strict();

export type MeasuredRun = z.infer<typeof measuredRun>;
export type MeasuredRow = z.infer<typeof measuredRow>;
/** The JSON of bench/data/<name>.json. */
export type MeasuredTableFile = z.infer<typeof measuredFile>;

/**
 * The description a measured table carries: when, where and how it was measured, and how much the
 * machine moved meanwhile (the load average and the baseline's TPS over its runs, in order).
 */
export function describeMeasurement(file: Omit<MeasuredTableFile, 'description'>): string {
  const m = file.measurement;
  const runs = [...file.rows, file.baseline].flatMap((r) => r.runs);
  const loads = runs.map((r) => r.load1);
  const trace = [...file.baseline.runs].sort((a, b) => a.sequence - b.sequence).map((r) => (r.tps >= 1000 ? `${(r.tps / 1000).toFixed(1)}k` : r.tps.toFixed(0)));
  return (
    `measured ${m.startedAt.slice(0, 16)}Z to ${m.finishedAt.slice(0, 16)}Z on ${m.host} (${m.cpus} CPUs, ${m.cpuModel}, onnxruntime ${m.onnxruntime}), ${m.model}: ` +
    `${file.rows.length} configurations x ${m.rounds} runs, each round a seeded shuffle of the space (seed ${m.orderSeed}+round), the baseline every ${m.baselineEvery} runs; ` +
    `windows ${m.measure.warmup} s warm-up + ${m.measure.minTime}-${m.measure.maxTime} s; bench/measure-table.ts. ` +
    `${runs.filter((r) => r.noisy).length} of ${runs.length} runs flagged noisy; 1-min load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; ` +
    `baseline TPS in order: ${trace.join(' ')}`
  );
}

/** Reads a measured table; a missing, unreadable or malformed file is one line naming the field. */
export function loadTable(path: string): ReplayTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AutotuneError('input', `cannot read replay table ${path}: ${(e as Error).message}`);
  }
  const result = measuredFile.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), 'table');
    throw new AutotuneError('input', `replay table ${path} is malformed at ${where}: ${issue.message}; regenerate it with bench/measure-table.ts`);
  }
  return measuredTable(result.data);
}

/**
 * A measured file as a replay table. A configuration's true value is estimated as the median of
 * its runs (TPS and p99 separately): an estimate from the same runs the replay draws from, so
 * measuring a configuration as often as it was measured gives back exactly its "truth".
 */
export function measuredTable(file: MeasuredTableFile): ReplayTable {
  const keys = new Set<string>();
  for (const row of file.rows) {
    const key = configKey(row.config);
    if (row.config.baseline) throw new AutotuneError('input', `replay table ${file.name}: the baseline ${key} belongs in "baseline", not in "rows"`);
    if (keys.has(key)) throw new AutotuneError('input', `replay table ${file.name}: ${key} appears twice in "rows"; merge its runs into one row`);
    keys.add(key);
  }
  if (!file.baseline.config.baseline) throw new AutotuneError('input', `replay table ${file.name}: "baseline" holds ${configKey(file.baseline.config)}, which is not a baseline configuration`);
  const runsOf = new Map<string, MeasuredRun[]>();
  const asRow = (row: MeasuredRow): ReplayRow => {
    runsOf.set(configKey(row.config), row.runs);
    return { config: row.config, truth: { tps: median(row.runs.map((r) => r.tps)), p99Ms: median(row.runs.map((r) => r.p99Ms)) } };
  };
  const runCounts = [...new Set(file.rows.map((r) => r.runs.length))].sort((a, b) => a - b).join(' or ');
  return {
    name: file.name,
    description: file.description,
    synthetic: false,
    truthNote: `true values are ESTIMATES: the median of each configuration's ${runCounts} measured runs; every replayed measurement is one of those runs (each seed visits them in its own order, starting over once all were seen)`,
    sloMs: file.sloMs,
    rows: file.rows.map(asRow),
    baseline: asRow(file.baseline),
    measure(row, repeat, seed) {
      const runs = runsOf.get(configKey(row.config));
      if (runs === undefined) throw new AutotuneError('input', `${configKey(row.config)} is not in replay table ${file.name}`);
      const start = createRng(keySeed(configKey(row.config), seed)).int(runs.length);
      const run = runs[(start + repeat - 1) % runs.length]!;
      return { tps: run.tps, p99Ms: run.p99Ms, noisy: run.noisy };
    },
  };
}
