import { resolve } from 'node:path';
import { AutotuneError } from '../errors.js';
import { parseShapeFlag, parseValueFlag } from '../workload/flags.js';
import { axisEntries, flagName, type AxisName } from '../domain/axes.js';
import { parseDurationFlag } from '../domain/duration.js';
import { MAX_STUDY_NAME } from '../domain/study.js';

/** The study fields as `autotune tune` flags (commander's strings, before validation); one per axis. */
export interface StudyFlags extends Partial<Record<AxisName, string>> {
  name?: string;
  model?: string;
  shape?: string[];
  value?: string[];
  inputs?: string;
  slo?: string;
  oversubscribe?: boolean;
  trials?: string;
  time?: string;
  strategy?: string;
  seed?: string;
  warmup?: string;
  minTime?: string;
  maxTime?: string;
  minSamples?: string;
  ci?: string;
  baselineEvery?: string;
  repeats?: string;
  baselineBatch?: string;
  confirmPairs?: string;
  arrivals?: string;
  dispatch?: string;
  maxDelay?: string;
  servingMaxTime?: string;
  servingConfigs?: string;
}

type Raw = Record<string, unknown>;

/**
 * Lays the flags over a study input (from a file, the database, or empty) and returns the merged
 * input for parseStudy: the same fields as a study file, so `--threads 1-8` and
 * `space: {threads: {min: 1, max: 8}}` give the same definition. Only syntax is checked here; the
 * schema checks the values.
 */
export function applyStudyFlags(base: Raw, flags: StudyFlags): Raw {
  const out: Raw = structuredClone(base);
  const section = (key: string): Raw => {
    const current = out[key];
    const object = typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Raw) : {};
    out[key] = object;
    return object;
  };
  if (flags.name !== undefined) out.name = flags.name;
  if (flags.model !== undefined || flags.shape || flags.value || flags.inputs !== undefined) {
    const current = out.model;
    const model: Raw = typeof current === 'string' ? { spec: current } : typeof current === 'object' && current !== null ? { ...(current as Raw) } : {};
    if (flags.model !== undefined) model.spec = flags.model;
    if (flags.shape) model.shapes = Object.fromEntries(flags.shape.map((s) => { const { name, dims } = parseShapeFlag(s); return [name, dims]; }));
    if (flags.value) model.values = Object.fromEntries(flags.value.map((v) => { const { name, value } = parseValueFlag(v); return [name, value]; }));
    if (flags.inputs !== undefined) model.sampleFile = resolve(flags.inputs);
    model.spec ??= 'builtin:mlp';
    out.model = model;
  }
  if (out.name === undefined) out.name = defaultStudyName(out.model);
  if (flags.slo !== undefined) out.sloMs = number(flags.slo, '--slo');

  for (const [name, a] of axisEntries()) {
    const text = flags[name];
    if (text !== undefined) section('space')[name] = a.flag(text, flagName(name));
  }
  if (flags.oversubscribe) out.oversubscribe = true;

  if (flags.trials !== undefined) section('budget').trials = integer(flags.trials, '--trials');
  if (flags.time !== undefined) section('budget').time = parseDurationFlag(flags.time, '--time');
  if (flags.strategy !== undefined) out.strategy = flags.strategy;
  if (flags.seed !== undefined) out.seed = integer(flags.seed, '--seed');
  if (flags.repeats !== undefined) out.repeats = integer(flags.repeats, '--repeats');

  if (flags.warmup !== undefined) section('measure').warmup = parseDurationFlag(flags.warmup, '--warmup');
  if (flags.minTime !== undefined) section('measure').minTime = parseDurationFlag(flags.minTime, '--min-time');
  if (flags.maxTime !== undefined) section('measure').maxTime = parseDurationFlag(flags.maxTime, '--max-time');
  if (flags.minSamples !== undefined) section('measure').minSamples = integer(flags.minSamples, '--min-samples');
  if (flags.ci !== undefined) section('measure').ci = number(flags.ci, '--ci');

  if (flags.baselineBatch !== undefined) section('baseline').batch = integer(flags.baselineBatch, '--baseline-batch');
  if (flags.confirmPairs !== undefined) section('confirm').pairs = integer(flags.confirmPairs, '--confirm-pairs');
  if (flags.arrivals !== undefined) section('serving').arrivals = flags.arrivals;
  if (flags.dispatch !== undefined) section('serving').dispatch = flags.dispatch;
  if (flags.maxDelay !== undefined) section('serving').maxQueueDelay = parseDurationFlag(flags.maxDelay, '--max-delay');
  if (flags.servingMaxTime !== undefined) {
    const serving = section('serving');
    const maxTime = parseDurationFlag(flags.servingMaxTime, '--serving-max-time');
    serving.maxTime = maxTime;
    // The window's minimum follows a maximum set below it, rather than failing the study.
    if (typeof serving.minTime !== 'number' || serving.minTime > maxTime) serving.minTime = Math.min(1, maxTime);
  }
  if (flags.servingConfigs !== undefined) section('serving').configurations = integer(flags.servingConfigs, '--serving-configs');

  if (flags.baselineEvery !== undefined) {
    const drift = section('drift');
    if (/^\d+$/.test(flags.baselineEvery.trim())) {
      drift.everyTrials = integer(flags.baselineEvery, '--baseline-every');
      drift.everyMinutes = null;
    } else {
      drift.everyMinutes = parseDurationFlag(flags.baselineEvery, '--baseline-every') / 60;
      drift.everyTrials = null;
    }
  }
  return out;
}

/** `m.onnx` -> `m`, `builtin:mlp?hidden=64` -> `mlp-hidden-64`: the same command resumes the same study. */
function defaultStudyName(model: unknown): string {
  const spec = typeof model === 'string' ? model : typeof model === 'object' && model !== null ? (model as Raw).spec : undefined;
  if (typeof spec !== 'string') return 'default';
  const base = spec.replace(/^builtin:/, '').split('/').pop()!.replace(/\.onnx$/i, '');
  const name = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|-+$/g, '');
  return name.slice(0, MAX_STUDY_NAME).replace(/[^A-Za-z0-9]+$/, '') || 'default';
}

/**
 * Plain decimal notation only: Number() also reads 0x2, 1e3, 0b11 and ' 2 ', so --processes 0x2
 * silently became 2.
 */
export function isDecimal(text: string, options: { fraction: boolean }): boolean {
  return options.fraction ? /^\d+(\.\d+)?$|^\.\d+$/.test(text) : /^\d+$/.test(text);
}

function integer(text: string, flag: string): number {
  if (!isDecimal(text, { fraction: false })) throw new AutotuneError('usage', `${flag} "${text}" is not a whole number`);
  return Number(text);
}

function number(text: string, flag: string): number {
  if (!isDecimal(text, { fraction: true })) throw new AutotuneError('usage', `${flag} "${text}" is not a number (write it in decimals, like 20 or 0.05)`);
  return Number(text);
}
