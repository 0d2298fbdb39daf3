import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, hostname, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { median } from 'simple-statistics';
import { writeOutputFile } from '../src/cli/output-file.js';
import { AutotuneError, isAutotuneError } from '../src/errors.js';
import type { TrialConfig } from '../src/domain/config.js';
import { runTrial } from '../src/runner/index.js';
import { randomOrder } from '../src/search/random.js';
import { baselineConfig, buildSpace } from '../src/search/space.js';
import { configKey } from '../src/domain/config.js';
import { inputOptions, measureSettings, parseStudy, userBatch } from '../src/domain/study.js';
import { onnxruntimeVersion } from '../src/topology/fingerprint.js';
import { readTopology } from '../src/topology/read-topology.js';
import { resolveModel } from '../src/workload/index.js';
import { describeMeasurement, loadTable, type MeasuredRow, type MeasuredRun, type MeasuredTableFile } from './table.js';

/**
 * Measures an exhaustive table on this machine with a built-in model, for the search benchmark's
 * real replay: every configuration of the space below ROUNDS times, one real pinned trial each.
 *   node dist/bench/measure-table.js [name] [sloMs]   ->  bench/data/<name>.json
 *
 * This machine's speed drifts, so no configuration's runs may sit together: each round is the
 * whole space in a seeded shuffle (a different one per round), so a configuration's runs fall in
 * three different thirds of the measurement and a slow spell lands on scattered configurations.
 * The baseline runs every BASELINE_EVERY runs, as a trace of the drift and as the replay's
 * baseline draws. Each run keeps its figures, the runner's noisy flag and reasons, its place in
 * the order, its start time and the load average then. A run that fails twice is listed in
 * `measurement.failures` and missing from its configuration.
 *
 * Every finished run is saved (.autotune/bench/<name>.partial.json, replaced atomically), so a
 * crash or Ctrl-C loses at most the run in progress; running the same command again continues.
 */
const ORDER_SEED = 20261127;
const ROUNDS = 3;
const BASELINE_EVERY = 14;
const MEASURE = { warmup: 0.3, minTime: 0.7, maxTime: 2, minSamples: 100, ci: 0.05 };

interface PlannedRun {
  config: TrialConfig;
  round: number;
}

type Outcome = { run: MeasuredRun } | { failure: string };

interface Progress {
  /** The plan's identity: a saved progress of another plan is not resumed. */
  plan: string[];
  startedAt: string;
  outcomes: Outcome[];
}

function planRuns(configs: readonly TrialConfig[], baseline: TrialConfig): PlannedRun[] {
  const plan: PlannedRun[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    randomOrder(configs, ORDER_SEED + round).forEach((config, i) => {
      if (i % BASELINE_EVERY === 0) plan.push({ config: baseline, round });
      plan.push({ config, round });
    });
  }
  plan.push({ config: baseline, round: ROUNDS });
  return plan;
}

function loadProgress(path: string, plan: readonly PlannedRun[]): Progress {
  const identity = plan.map((p) => configKey(p.config));
  const fresh: Progress = { plan: identity, startedAt: new Date().toISOString(), outcomes: [] };
  if (!existsSync(path)) return fresh;
  let saved: Progress;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as Progress;
  } catch (e) {
    throw new AutotuneError('input', `cannot read the saved progress ${path}: ${(e as Error).message}; delete it to start over`);
  }
  if (JSON.stringify(saved.plan) !== JSON.stringify(identity) || !Array.isArray(saved.outcomes)) {
    throw new AutotuneError('input', `${path} holds the progress of another plan (space, seed or rounds changed); delete it to start over`);
  }
  process.stderr.write(`continuing from ${path}: ${saved.outcomes.length} of ${plan.length} runs done\n`);
  return saved;
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? `real-${hostname()}`;
  const sloArg = process.argv[3];
  const sloMs = sloArg === undefined ? null : Number(sloArg);
  if (sloMs !== null && !(Number.isFinite(sloMs) && sloMs > 0)) throw new AutotuneError('usage', `sloMs ${sloArg}: expected a positive number of milliseconds, e.g. 20`);

  const definition = parseStudy({
    name: 'bench-table',
    model: 'builtin:mlp',
    space: { processes: [1, 2], threads: [1, 2], numa: ['none', 'local'], batch: [1, 2, 4, 8, 16, 32, 64], spinning: ['on', 'off'] },
    measure: MEASURE,
  });
  const topology = readTopology();
  const { configs } = buildSpace(definition, topology);
  const baseline = baselineConfig(topology, userBatch(definition, configs.map((c) => c.batch)));
  const model = await resolveModel(definition.model.spec, { cacheDir: resolve('.autotune', 'models') });
  const plan = planRuns(configs, baseline);
  const progressPath = resolve('.autotune', 'bench', `${name}.partial.json`);
  mkdirSync(dirname(progressPath), { recursive: true });
  const progress = loadProgress(progressPath, plan);

  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  for (let sequence = progress.outcomes.length; sequence < plan.length; sequence++) {
    const { config, round } = plan[sequence]!;
    const stopped = (): AutotuneError =>
      new AutotuneError('interrupted', `stopped: ${progress.outcomes.length} of ${plan.length} runs are saved in ${progressPath}; run the same command again to continue`);
    let outcome: Outcome;
    try {
      outcome = await measure(config, round, sequence, model, stop.signal);
    } catch (error) {
      if (stop.signal.aborted) throw stopped();
      throw error;
    }
    progress.outcomes.push(outcome);
    writeOutputFile(progressPath, JSON.stringify(progress));
    if (stop.signal.aborted) throw stopped();
    const shown = 'run' in outcome ? `${outcome.run.tps.toFixed(0)}/s p99 ${outcome.run.p99Ms.toFixed(3)} ms${outcome.run.noisy ? ` noisy (${outcome.run.noiseReasons.join('; ')})` : ''}` : `FAILED: ${outcome.failure}`;
    process.stderr.write(`${sequence + 1}/${plan.length} round ${round} ${configKey(config)} ${shown}\n`);
  }

  const file = tableFile(name, sloMs, plan, progress, topology.cpuModel, model.name);
  const path = resolve('bench', 'data', `${name}.json`);
  writeOutputFile(path, `${JSON.stringify(file, null, 1)}\n`);
  loadTable(path);
  rmSync(progressPath);
  process.stderr.write(`wrote ${path}\n${spreadSummary(file)}\n`);

  async function measure(config: TrialConfig, round: number, sequence: number, modelInfo: typeof model, signal: AbortSignal): Promise<Outcome> {
    let error = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      const startedAt = new Date().toISOString();
      const load1 = loadavg()[0]!;
      try {
        const result = await runTrial({ config, model: modelInfo, inputs: inputOptions(definition), measure: measureSettings(definition), oversubscribe: false, topology }, { signal });
        return { run: { tps: result.tps, p99Ms: result.latency.p99, noisy: result.noisy, noiseReasons: result.noiseReasons, sequence, round, startedAt, load1 } };
      } catch (e) {
        if (!isAutotuneError(e) || e.kind !== 'trial' || signal.aborted) throw e;
        error = e.message;
        process.stderr.write(`${configKey(config)} failed (attempt ${attempt}): ${e.message}\n`);
      }
    }
    return { failure: error };
  }
}

function tableFile(name: string, sloMs: number | null, plan: readonly PlannedRun[], progress: Progress, cpuModel: string, model: string): MeasuredTableFile {
  const byKey = new Map<string, MeasuredRow>();
  const failures: MeasuredTableFile['measurement']['failures'] = [];
  plan.forEach(({ config }, sequence) => {
    const key = configKey(config);
    const row = byKey.get(key) ?? { config, runs: [] };
    byKey.set(key, row);
    const outcome = progress.outcomes[sequence]!;
    if ('run' in outcome) row.runs.push(outcome.run);
    else failures.push({ config: key, sequence, error: outcome.failure });
  });
  const rows = [...byKey.values()];
  const space = rows.filter((r) => !r.config.baseline && r.runs.length > 0);
  const baseline = rows.find((r) => r.config.baseline)!;
  if (baseline.runs.length === 0) throw new AutotuneError('trial', `every run of the baseline failed (${failures[0]?.error ?? 'no error kept'}): no table written`);
  const measured: Omit<MeasuredTableFile, 'description'> = {
    name,
    synthetic: false,
    sloMs,
    measurement: {
      host: hostname(),
      cpus: cpus().length,
      cpuModel,
      onnxruntime: onnxruntimeVersion(),
      model,
      startedAt: progress.startedAt,
      finishedAt: new Date().toISOString(),
      rounds: ROUNDS,
      orderSeed: ORDER_SEED,
      baselineEvery: BASELINE_EVERY,
      measure: MEASURE,
      failures,
    },
    baseline,
    rows: space,
  };
  return { ...measured, description: describeMeasurement(measured) };
}

/** How far a configuration's own runs disagree: what the replay's noise is made of. */
function spreadSummary(file: MeasuredTableFile): string {
  const runs = file.rows.flatMap((r) => r.runs);
  const ratio = (values: number[]): number => Math.max(...values) / Math.min(...values);
  const tps = file.rows.filter((r) => r.runs.length > 1).map((r) => ratio(r.runs.map((x) => x.tps)));
  const p99 = file.rows.filter((r) => r.runs.length > 1).map((r) => ratio(r.runs.map((x) => x.p99Ms)));
  const base = file.baseline.runs.map((r) => r.tps);
  const range = (xs: number[]): string => (xs.length === 0 ? 'n/a (one run each)' : `median ${median(xs).toFixed(2)}x, max ${Math.max(...xs).toFixed(2)}x`);
  return [
    `${runs.filter((r) => r.noisy).length} of ${runs.length} runs flagged noisy; ${file.measurement.failures.length} failed twice`,
    `max/min of a configuration's own runs: TPS ${range(tps)}; p99 ${range(p99)}`,
    `baseline TPS over ${base.length} runs: ${Math.min(...base).toFixed(0)}-${Math.max(...base).toFixed(0)}/s`,
  ].join('\n');
}

try {
  await main();
} catch (error) {
  if (!isAutotuneError(error)) throw error;
  process.stderr.write(`measure-table: ${error.message}\n`);
  process.exitCode = error.exitCode;
}
