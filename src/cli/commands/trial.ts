import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AutotuneError, stoppedBy } from '../../errors.js';
import { axisEntries, flagName, type AxisName, type AxisValues } from '../../domain/axes.js';
import type { TrialConfig } from '../../domain/config.js';
import { schemaErrorText } from '../../domain/study.js';
import { baselineConfig, machineOf } from '../../search/space.js';
import type { Topology } from '../../topology/types.js';
import { TOO_FEW_SAMPLES } from '../../measure/index.js';
import { ARRIVAL_PROCESSES, DISPATCHES, runServing, runTrial, type ArrivalProcess, type Dispatch } from '../../runner/index.js';
import type { LoadSettings, MeasureSettings, RunnerEvent, ServingResult, TrialResult } from '../../runner/types.js';
import { parseDurationFlag } from '../../domain/duration.js';
import { renderServing } from '../reporters/serving.js';
import { trialHeader } from '../reporters/trial-header.js';
import { formatCpuList } from '../../topology/cpulist.js';
import { isDecimal } from '../../study/flags.js';
import { readTopology } from '../../topology/read-topology.js';
import { parseShapeFlag, parseValueFlag, resolveModel, type InputOptions } from '../../workload/index.js';

/** The axis flags are commander's strings, parsed by the study schema's own axis pieces. */
interface TrialFlags extends Partial<Record<AxisName, string>> {
  model: string;
  baseline: boolean;
  shape: string[];
  value: string[];
  inputs?: string;
  warmup: number;
  minTime: number;
  maxTime: number;
  minSamples: number;
  ci: number;
  oversubscribe: boolean;
  rate?: number[];
  arrivals: ArrivalProcess;
  dispatch: Dispatch;
  maxDelay: number;
  seed: number;
  slo?: number;
  capacity: boolean;
  resolution: number;
  json: boolean;
}

function usage(message: string): AutotuneError {
  return new AutotuneError('usage', message);
}

function wholeNumber(flag: string, min: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!isDecimal(raw, { fraction: false }) || n < min) throw usage(`${flag} must be a whole number >= ${min} (got "${raw}")`);
    return n;
  };
}

function seconds(flag: string) {
  return (raw: string): number => {
    if (!isDecimal(raw, { fraction: true })) throw usage(`${flag} must be a number of seconds >= 0 (got "${raw}")`);
    return Number(raw);
  };
}

function fraction(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!isDecimal(raw, { fraction: true }) || !(n > 0 && n < 1)) throw usage(`${flag} must be a fraction between 0 and 1, e.g. 0.05 (got "${raw}")`);
    return n;
  };
}

function oneOf<T extends string>(flag: string, allowed: readonly T[]) {
  return (raw: string): T => {
    if (!(allowed as readonly string[]).includes(raw)) throw usage(`${flag} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return raw as T;
  };
}

function collect(raw: string, previous: string[]): string[] {
  return [...previous, raw];
}

function rates(raw: string): number[] {
  const values = raw.split(',').map((r) => Number(r.trim()));
  if (raw.trim() === '' || values.some((v) => !(v > 0 && Number.isFinite(v)))) {
    throw usage(`--rate must be requests per second above 0, or a list of them (60 or 40,55,62), got "${raw}"`);
  }
  return values;
}

function positive(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !(n > 0 && Number.isFinite(n))) throw usage(`${flag} must be a number above 0 (got "${raw}")`);
    return n;
  };
}

export function register(program: Command): void {
  const command = program
    .command('trial')
    .description('Measure one placement configuration for real: P pinned workers x T threads on one model.')
    // The same model a study gets when it names none, so a first try needs no flag at all.
    .option('--model <model>', 'ONNX file or builtin:NAME (builtin:mlp, builtin:cnn, builtin:transformer)', 'builtin:mlp');
  for (const [name, a] of axisEntries()) {
    command.option(`${flagName(name)} <value>`, `${a.description} (default: the first of a study's default values)`);
  }
  command
    .option('--baseline', "onnxruntime's defaults: one unpinned process, thread count left to onnxruntime", false)
    .option('--shape <input=dims>', 'dims of an input, B marks the batch (repeatable): x=B,3,224,224', collect, [])
    .option('--value <input=number>', 'fixed value of a scalar input (repeatable): sr=16000', collect, [])
    .option('--inputs <file>', 'sample-input JSON file instead of synthesized inputs')
    .option('--warmup <s>', 'warm-up seconds before the window', seconds('--warmup'), 1)
    .option('--min-time <s>', 'shortest measured window, seconds', seconds('--min-time'), 2)
    .option('--max-time <s>', 'longest measured window, seconds', seconds('--max-time'), 20)
    .option('--min-samples <n>', 'fewest inferences in the window', wholeNumber('--min-samples', 1), 500)
    .option('--ci <fraction>', 'stop when the 95% CI of p99 is within this fraction of p99', fraction('--ci'), 0.05)
    .option('--oversubscribe', 'let workers share CPUs (P x T above the usable CPUs)', false)
    .option('--rate <req/s>', 'open loop: offer this many requests per second (a list runs one window each: 40,55,62)', rates)
    .option('--arrivals <process>', `open loop: ${ARRIVAL_PROCESSES.join('|')} arrivals`, oneOf('--arrivals', ARRIVAL_PROCESSES), 'poisson' as ArrivalProcess)
    .option('--dispatch <how>', 'open loop: shared (one queue, first idle worker) | split (a stream per worker at rate/P)', oneOf('--dispatch', DISPATCHES), 'shared' as Dispatch)
    .option('--max-delay <duration>', 'open loop with batch > 1: longest wait for a batch to fill (2ms, 0.5ms)', (raw: string) => parseDurationFlag(raw, '--max-delay') * 1000, 2)
    .option('--seed <n>', 'open loop: seed of the arrival schedule', wholeNumber('--seed', 0), 1)
    .option('--slo <ms>', 'p99 objective in ms, for --capacity', positive('--slo'))
    .option('--capacity', 'find the highest rate whose p99 (from the scheduled arrival) meets --slo', false)
    .option('--resolution <fraction>', 'capacity search: stop when the rate bracket is this fraction of the closed-loop throughput', fraction('--resolution'), 0.05)
    .option('--json', 'print one JSON object instead of the summary', false)
    .action(async (flags: TrialFlags) => {
      const result = await trial(flags);
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write('steps' in result ? renderServing(result) : renderSummary(result));
    });
}

async function trial(flags: TrialFlags): Promise<TrialResult | ServingResult> {
  if (flags.minTime > flags.maxTime) throw usage(`--min-time (${flags.minTime} s) is above --max-time (${flags.maxTime} s)`);
  if (flags.capacity && flags.slo === undefined) throw usage('--capacity needs the SLO it is measured against: add --slo MS (p99 in milliseconds)');
  if (flags.capacity && flags.rate !== undefined) throw usage('--capacity searches the rates itself: drop --rate, or drop --capacity to measure at the given rates');
  if (flags.slo !== undefined && !flags.capacity) throw usage('--slo is used by --capacity: add --capacity, or drop --slo');
  const topology = readTopology();
  const config = trialConfig(flags, topology);
  const inputs: InputOptions = {
    shapes: Object.fromEntries(flags.shape.map((s) => { const { name, dims } = parseShapeFlag(s); return [name, dims]; })),
    values: Object.fromEntries(flags.value.map((v) => { const { name, value } = parseValueFlag(v); return [name, value]; })),
    sampleFile: flags.inputs === undefined ? null : resolve(flags.inputs),
  };
  const measure: MeasureSettings = {
    warmupMs: flags.warmup * 1000,
    minMs: flags.minTime * 1000,
    maxMs: flags.maxTime * 1000,
    minSamples: flags.minSamples,
    p99CiBound: flags.ci,
  };
  const cacheDir = process.env.AUTOTUNE_CACHE ?? resolve('.autotune', 'models');
  const model = await resolveModel(flags.model, { cacheDir });
  const controller = new AbortController();
  let stoppedWith: NodeJS.Signals | null = null;
  const interrupt = (signal: NodeJS.Signals): void => {
    stoppedWith = signal;
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const request = { config, model, inputs, measure, oversubscribe: flags.oversubscribe, topology };
  const options = { signal: controller.signal, onEvent: flags.json ? undefined : showEvent };
  const load: LoadSettings = { arrivals: flags.arrivals, dispatch: flags.dispatch, maxQueueDelayMs: flags.maxDelay, seed: flags.seed };
  try {
    if (flags.rate !== undefined) return await runServing({ ...request, load }, { kind: 'rates', ratesRps: flags.rate }, options);
    if (flags.capacity) {
      const plan = { kind: 'capacity' as const, sloMs: flags.slo!, ceilingRps: null, resolution: flags.resolution, prior: [] };
      return await runServing({ ...request, load }, plan, options);
    }
    return await runTrial(request, options);
  } catch (error) {
    // The runner stops the same way for either signal; the exit code says which one it was.
    if (stoppedWith !== null && error instanceof AutotuneError && error.kind === 'interrupted') {
      throw new AutotuneError(stoppedBy(stoppedWith), error.message, { cause: error });
    }
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

/**
 * The one configuration of a trial, read as `tune` reads a space (the same flag forms, the same
 * schema, resolved on this machine) but one value per axis. An axis without a flag takes the first
 * of a study's default values; `--baseline` is the rule the study's baseline follows.
 */
function trialConfig(flags: TrialFlags, topology: Topology): TrialConfig {
  const machine = machineOf(topology);
  const given = axisEntries().filter(([name]) => flags[name] !== undefined);
  const values = Object.fromEntries(
    axisEntries().map(([name, a]) => {
      const flag = flagName(name);
      const text = flags[name];
      const parsed = a.space.safeParse(text === undefined ? undefined : a.flag(text, flag));
      if (!parsed.success) throw usage(`${flag} "${text}": ${schemaErrorText(parsed.error)}`);
      const resolved = a.values(parsed.data, machine, name);
      if (text !== undefined && resolved.length !== 1) {
        throw usage(`${flag} ${text} is ${resolved.length} values; a trial measures one configuration: give one value, or run autotune tune`);
      }
      return [name, resolved[0]!];
    }),
  ) as AxisValues;
  if (!flags.baseline) return { ...values, baseline: false };
  const other = given.find(([name]) => name !== 'batch');
  if (other) throw usage(`--baseline runs onnxruntime's defaults: drop ${flagName(other[0])}`);
  return baselineConfig(topology, values.batch);
}

/**
 * Warnings go to stderr so stdout holds only the result; phases too, but only for a person at a
 * terminal, so a script sees nothing but warnings and, on failure, the one error line.
 */
function showEvent(event: RunnerEvent): void {
  if (event.type === 'phase' && process.stderr.isTTY) process.stderr.write(`autotune: ${event.phase}\n`);
  else if (event.type === 'stepStarted' && process.stderr.isTTY) process.stderr.write(`autotune: offering ${event.offeredRps.toFixed(1)} requests/s\n`);
  else if (event.type === 'warning') process.stderr.write(`autotune: warning: ${event.message}\n`);
}

const ms = (v: number): string => `${v.toFixed(3)} ms`;
const rate = (v: number): string => v.toFixed(v >= 100 ? 0 : 1);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}

function disturbanceLine(d: NonNullable<TrialResult['disturbance']>): string {
  const cpus = (v: number): string => `${(v / d.windowMs).toFixed(2)} CPUs`;
  const throttled = d.throttled === null ? 'throttling unknown' : `throttled ${d.throttled.periods} time(s)`;
  return `others      ${cpus(d.othersMs)} on CPUs ${formatCpuList(d.cpus)} besides the trial, steal ${cpus(d.stealMs)}, ${throttled}`;
}

function renderSummary(r: TrialResult): string {
  const l = r.latency;
  const lines = [
    ...trialHeader(r),
    ...r.plan.workers.map((w) => {
      const pool = w.poolCpus.length === 0 ? '' : ` pool ${w.poolCpus.map((g) => formatCpuList(g)).join(';')}`;
      const main = w.mainCpu === null ? '' : ` main ${w.mainCpu}`;
      return `  worker ${w.index}  CPUs ${formatCpuList(w.cpus)}${main}${pool}  memory ${w.memPolicy}${w.mems.length ? ` ${formatCpuList(w.mems)}` : ''}`;
    }),
    ...r.plan.notes.map((n) => `  note: ${n}`),
    `read-back   verified ${r.verification.verified ? 'yes' : 'NO'}`,
    ...r.verification.mismatches.map((m) => `  MISMATCH: ${m}`),
    ...r.readBack.map((w) => {
      const cpus = [...new Set(w.threads.map((t) => formatCpuList(t.cpus)))].join(' | ');
      const pages = Object.entries(w.pagesPerNode).map(([node, n]) => `N${node}=${n}`).join(' ');
      const allocators = w.allocators.length === 0 ? '' : `; allocator ${w.allocators.join(', ')}`;
      return `  worker ${w.index} pid ${w.pid}: ${w.threads.length} threads on CPUs ${cpus}; pages ${pages || 'unknown'}${allocators}`;
    }),
    `latency     p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)} (95% CI${l.p99Ci === null ? `: ${TOO_FEW_SAMPLES}` : ` ${ms(l.p99Ci[0])} - ${ms(l.p99Ci[1])}`})  p99.9 ${ms(l.p999)}`,
    `            mean ${ms(l.mean)} ± ${ms(l.stddev)}  min ${ms(l.min)}  max ${ms(l.max)}  (${l.count} inferences)`,
    `throughput  ${rate(r.tps)} samples/s  ${rate(r.ips)} inferences/s`,
    `window      warm-up ${(r.window.warmupMs / 1000).toFixed(1)} s, measured ${(r.window.measuredMs / 1000).toFixed(1)} s, p99 ${r.window.stable ? 'stable' : 'NOT stable'}`,
    ...(r.disturbance === null ? [] : [disturbanceLine(r.disturbance)]),
    '',
    ...table([
      ['worker', 'pid', 'samples/s', 'p99 ms', 'cpu ms', 'ctxsw vol', 'ctxsw invol', 'migrations', 'rss'],
      ...r.workers.map((w) => [
        String(w.index), String(w.pid), rate(w.tps), w.p99Ms.toFixed(3), w.cpuTimeMs.toFixed(0),
        String(w.voluntaryCtxSwitches), String(w.involuntaryCtxSwitches), String(w.migrations), mib(w.rssBytes),
      ]),
    ]),
    '',
    r.noisy ? `noisy       YES: ${r.noiseReasons.join('; ')}` : 'noisy       no',
    `onnxruntime ${r.onnxruntimeVersion}`,
  ];
  return `${lines.join('\n')}\n`;
}
