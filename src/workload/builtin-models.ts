import { AutotuneError } from '../errors.js';
import { cnn } from './builtins/cnn.js';
import { GraphBuilder } from './builtins/graph-builder.js';
import type { BuiltinModel, BuiltinParam } from './builtins/builtin-model.js';
import { mlp } from './builtins/mlp.js';
import { transformer } from './builtins/transformer.js';
import { encodeModel } from './onnx-writer.js';
import { createRng } from './prng.js';

export const BUILTIN_PREFIX = 'builtin:';

const MODELS: readonly BuiltinModel[] = [mlp, cnn, transformer];

/** Every generator takes a weight seed besides its sizes. */
const SEED_PARAM: BuiltinParam = { default: 1, min: 0, max: 2 ** 32 - 1 };

/**
 * Bumped whenever a generator's output changes for the same options, so cached files made by an
 * older autotune are not mistaken for the new ones.
 */
export const GENERATOR_VERSION = 1;

export interface BuiltinSpec {
  model: BuiltinModel;
  /** Every option, defaults filled in. */
  params: Record<string, number>;
  /** `builtin:NAME` plus the options that differ from the defaults, in declaration order. */
  canonical: string;
}

export function builtinModelNames(): string[] {
  return MODELS.map((m) => `${BUILTIN_PREFIX}${m.name}`);
}

export function isBuiltinSpec(spec: string): boolean {
  return spec.startsWith(BUILTIN_PREFIX);
}

/** Parses `builtin:mlp?hidden=1024&layers=4`; every bad part is a usage error that lists the valid ones. */
export function parseBuiltinSpec(spec: string): BuiltinSpec {
  const body = spec.slice(BUILTIN_PREFIX.length);
  const q = body.indexOf('?');
  const name = q < 0 ? body : body.slice(0, q);
  const model = MODELS.find((m) => m.name === name);
  if (!model) {
    throw new AutotuneError('usage', `unknown built-in model "${spec}": use one of ${builtinModelNames().join(', ')}`);
  }
  const declared: Record<string, BuiltinParam> = { ...model.params, seed: SEED_PARAM };
  const params: Record<string, number> = Object.fromEntries(Object.entries(declared).map(([k, p]) => [k, p.default]));
  const seen = new Set<string>();
  for (const part of q < 0 ? [] : body.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const p = declared[key];
    if (!p) {
      throw new AutotuneError('usage', `${BUILTIN_PREFIX}${name} has no option "${key}": valid options are ${Object.keys(declared).join(', ')}`);
    }
    if (seen.has(key)) throw new AutotuneError('usage', `${BUILTIN_PREFIX}${name} option ${key} is given twice in "${spec}"`);
    seen.add(key);
    const text = eq < 0 ? '' : part.slice(eq + 1);
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(value >= p.min && value <= p.max)) {
      throw new AutotuneError('usage', `${BUILTIN_PREFIX}${name} option ${key}="${text}" must be an integer from ${p.min} to ${p.max}`);
    }
    params[key] = value;
  }
  const problem = model.check?.(params);
  if (problem) throw new AutotuneError('usage', `${BUILTIN_PREFIX}${name}: ${problem}`);
  const changed = Object.keys(declared).filter((k) => params[k] !== declared[k]!.default);
  const canonical = `${BUILTIN_PREFIX}${name}${changed.length ? `?${changed.map((k) => `${k}=${params[k]}`).join('&')}` : ''}`;
  return { model, params, canonical };
}

/** The ONNX bytes of a built-in model; the same spec always gives the same bytes. */
export function generateBuiltin(spec: BuiltinSpec): Uint8Array {
  const g = new GraphBuilder(createRng(spec.params.seed!), spec.canonical);
  const { inputs, outputs } = spec.model.build(spec.params, g);
  return encodeModel({
    irVersion: 8,
    opset: 17,
    producer: `autotune builtin v${GENERATOR_VERSION}`,
    graph: g.build(spec.canonical, inputs, outputs),
  });
}
