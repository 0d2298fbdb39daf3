import { AutotuneError } from '../errors.js';
import { loadSampleInputs } from './sample-file.js';
import {
  INPUT_ELEMENT_TYPES,
  type InputElementType,
  type InputFill,
  type InputOptions,
  type InputPlan,
  type ModelDim,
  type ModelSignature,
  type PlannedInput,
  type SampleInputs,
  type SampleValue,
  type ShapeDim,
  type ValueSignature,
} from './types.js';

/** Guards against a typo'd --shape allocating gigabytes in every worker. */
const MAX_ELEMENTS = 1 << 28;

/**
 * Turns a model's signature and the user's input options into the plan every worker synthesizes
 * its inputs from. Rules, in order:
 * - `--shape` dims bind the model's symbolic dims (the same symbol in another input gets the
 *   same value); `B` marks the batch axis.
 * - a sample file gives an input's non-batch dims (axes 1..n) and its data.
 * - an input left with exactly one open dim, on axis 0, has it as its batch axis; any other open
 *   dim is an error naming the input and the flag that fills it.
 * - a model with no open batch axis runs only at its fixed batch (axis 0 of its first non-scalar
 *   input); asking for another batch is an error.
 * Pure when `sample` is passed; by default it reads `options.sampleFile`.
 */
export function planInputs(
  signature: ModelSignature,
  options: InputOptions,
  batch: number,
  sample: SampleInputs | null = options.sampleFile === null ? null : loadSampleInputs(options.sampleFile),
): InputPlan {
  if (!Number.isInteger(batch) || batch < 1) throw new AutotuneError('usage', `batch ${batch} must be a positive integer`);
  const resolved = resolveShapes(signature, options, sample);
  if (resolved.fixedBatch !== null && batch !== resolved.fixedBatch) {
    const first = resolved.inputs.find((r) => r.dims.length > 0);
    const where = first ? ` (input "${first.input.name}" is [${first.dims.join(',')}])` : '';
    throw new AutotuneError('usage', `the model has a fixed batch of ${resolved.fixedBatch}${where}: use batch ${resolved.fixedBatch}, not ${batch}`);
  }
  const effectiveBatch = resolved.fixedBatch ?? batch;
  return {
    effectiveBatch,
    batchFixed: resolved.fixedBatch !== null,
    inputs: resolved.inputs.map((r, index): PlannedInput => {
      const { name } = r.input;
      const dims = r.dims.map((d) => (d === 'B' ? effectiveBatch : d));
      const count = dims.reduce((a, b) => a * b, 1);
      if (count > MAX_ELEMENTS) {
        throw new AutotuneError('usage', `input "${name}" would be [${dims.join(',')}] = ${count} elements, over the ${MAX_ELEMENTS} autotune allows: choose smaller dims or batch`);
      }
      const batchAxis = r.dims.indexOf('B');
      return {
        name,
        elementType: r.elementType,
        dims,
        batchAxis: batchAxis < 0 ? null : batchAxis,
        fill: fillFor(r, dims, batchAxis, options, sample, index),
      };
    }),
  };
}

/** The batch the model is fixed to, or null when any batch can run (for sizing a search space). */
export function fixedBatch(
  signature: ModelSignature,
  options: InputOptions,
  sample: SampleInputs | null = options.sampleFile === null ? null : loadSampleInputs(options.sampleFile),
): number | null {
  return resolveShapes(signature, options, sample).fixedBatch;
}

interface ResolvedInput {
  input: ValueSignature;
  elementType: InputElementType;
  /** Every dim a number, except the batch axis ('B'). */
  dims: (number | 'B')[];
}

function resolveShapes(
  signature: ModelSignature,
  options: InputOptions,
  sample: SampleInputs | null,
): { inputs: ResolvedInput[]; fixedBatch: number | null } {
  const byName = new Map(signature.inputs.map((i) => [i.name, i]));
  const known = (): string => signature.inputs.map((i) => i.name).join(', ') || '(none)';
  for (const [what, names] of [
    ['--shape', Object.keys(options.shapes)],
    ['--value', Object.keys(options.values)],
    ['the sample-input file', Object.keys(sample ?? {})],
  ] as const) {
    for (const n of names) {
      if (!byName.has(n)) throw new AutotuneError('usage', `${what} names input "${n}", but the model's inputs are ${known()}`);
    }
  }
  for (const n of Object.keys(options.values)) {
    if (sample?.[n]) throw new AutotuneError('usage', `input "${n}" has both a --value and data in the sample-input file: keep one`);
  }
  const elementTypes = signature.inputs.map(feedableType);

  const bindings = new Map<string, number | 'B'>();
  const bind = (input: string, symbol: string, value: number | 'B', source: string): void => {
    const had = bindings.get(symbol);
    if (had !== undefined && had !== value) {
      throw new AutotuneError('usage', `dimension "${symbol}" of input "${input}" gets ${value} from ${source}, but ${had} elsewhere: give every input the same value for it`);
    }
    bindings.set(symbol, value);
  };

  // Fixed model dims marked B: the batch is that size and cannot change.
  const fixedBatchDims: number[] = [];
  const explicit = new Map<string, (number | 'B')[]>();
  for (const [name, given] of Object.entries(options.shapes)) {
    const model = byName.get(name)!.dims;
    const flag = `--shape ${name}=${given.join(',')}`;
    if (model !== null && given.length !== model.length) {
      throw new AutotuneError('usage', `${flag} has ${given.length} dims, but input "${name}" has rank ${model.length} ([${formatDims(model)}])`);
    }
    if (given.filter((d) => d === 'B').length > 1) throw new AutotuneError('usage', `${flag} marks more than one dim as B: mark only the batch dimension`);
    given.forEach((g, axis) => {
      const m = model?.[axis] ?? null;
      if (typeof m === 'number') {
        if (g === 'B') fixedBatchDims.push(m);
        else if (g !== m) throw new AutotuneError('usage', `${flag} gives ${g} for axis ${axis}, but the model fixes it at ${m} ([${formatDims(model!)}])`);
      } else if (typeof m === 'string') bind(name, m, g, flag);
    });
    explicit.set(name, [...given]);
  }

  for (const [name, s] of Object.entries(sample ?? {})) {
    if (explicit.has(name)) continue;
    const model = byName.get(name)!.dims;
    if (model === null) continue;
    if (s.dims.length !== model.length) {
      throw new AutotuneError('usage', `the sample-input file gives input "${name}" dims [${s.dims.join(',')}], but it has rank ${model.length} ([${formatDims(model)}])`);
    }
    // Axis 0 of a sample is its row count, not a shape: rows are repeated to fill the batch.
    model.forEach((m, axis) => {
      if (axis > 0 && typeof m === 'string') bind(name, m, s.dims[axis]!, 'the sample-input file');
    });
  }

  const inputs = signature.inputs.map((input, i): ResolvedInput => {
    const elementType = elementTypes[i]!;
    const given = explicit.get(input.name);
    if (given) return { input, elementType, dims: given };
    const s = sample?.[input.name];
    if (input.dims === null) {
      if (s) return { input, elementType, dims: [...s.dims] };
      throw new AutotuneError('usage', `input "${input.name}" declares no shape: give it with --shape ${input.name}=B,... (B marks the batch dimension)`);
    }
    const dims = input.dims.map((m, axis): number | 'B' | null => {
      if (typeof m === 'number') return m;
      if (m !== null && bindings.has(m)) return bindings.get(m)!;
      return s && axis > 0 ? s.dims[axis]! : null;
    });
    const open = dims.flatMap((d, axis) => (d === null ? [axis] : []));
    if (open.length === 1 && open[0] === 0) {
      dims[0] = 'B';
      if (typeof input.dims[0] === 'string') bindings.set(input.dims[0], 'B');
    } else if (open.length > 0) {
      const example = dims.map((d, axis) => (d === null ? (axis === 0 ? 'B' : `<${input.dims![axis] ?? `dim${axis}`}>`) : d)).join(',');
      throw new AutotuneError('usage', `input "${input.name}" [${formatDims(input.dims)}] has dims with no value: give them with --shape ${input.name}=${example} (B marks the batch dimension)`);
    }
    return { input, elementType, dims: dims as (number | 'B')[] };
  });

  const openBatch = inputs.some((r) => r.dims.includes('B'));
  const fixed = new Set(fixedBatchDims);
  if (fixed.size > 1) throw new AutotuneError('usage', `--shape marks B on fixed dims of different sizes (${[...fixed].join(', ')}): the batch can only be one size`);
  if (fixed.size === 1) return { inputs, fixedBatch: [...fixed][0]! };
  if (openBatch) return { inputs, fixedBatch: null };
  const first = inputs.find((r) => r.dims.length > 0);
  return { inputs, fixedBatch: first ? (first.dims[0] as number) : 1 };
}

function feedableType(input: ValueSignature): InputElementType {
  if (input.kind !== 'tensor') {
    throw new AutotuneError('input', `input "${input.name}" is a ${input.kind}, not a tensor: autotune can only feed tensor inputs`);
  }
  const t = INPUT_ELEMENT_TYPES.find((s) => s === input.elementType);
  if (!t) {
    throw new AutotuneError('input', `input "${input.name}" has element type ${input.elementType}, which onnxruntime-node cannot feed (it takes ${INPUT_ELEMENT_TYPES.join(', ')})`);
  }
  return t;
}

function fillFor(
  r: ResolvedInput,
  dims: number[],
  batchAxis: number,
  options: InputOptions,
  sample: SampleInputs | null,
  index: number,
): InputFill {
  const { name } = r.input;
  const value = options.values[name];
  if (value !== undefined) {
    const problem = valueProblem(r.elementType, value);
    if (problem) throw new AutotuneError('usage', `--value ${name}=${value}: input "${name}" is ${r.elementType}, ${problem}`);
    return { kind: 'constant', value };
  }
  const s = sample?.[name];
  if (!s) return { kind: 'random', seed: index + 1 };
  const matches = s.dims.length === dims.length && s.dims.every((d, axis) => d === dims[axis] || (axis === batchAxis && d >= 1));
  if (!matches) {
    const rows = batchAxis < 0 ? '' : ` (any size >= 1 on the batch axis ${batchAxis})`;
    throw new AutotuneError('usage', `the sample-input file gives input "${name}" dims [${s.dims.join(',')}], but it runs as [${dims.join(',')}]${rows}`);
  }
  s.data.forEach((v, i) => {
    const problem = valueProblem(r.elementType, v);
    if (problem) throw new AutotuneError('usage', `the sample-input file's data[${i}] = ${JSON.stringify(v)} for input "${name}" does not fit: it is ${r.elementType}, ${problem}`);
  });
  return { kind: 'sample', dims: s.dims, data: s.data };
}

const INT_RANGES: Partial<Record<InputElementType, readonly [bigint, bigint]>> = {
  int8: [-128n, 127n],
  uint8: [0n, 255n],
  int16: [-32768n, 32767n],
  uint16: [0n, 65535n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/** Why a value cannot be an element of this type, or null when it can. */
function valueProblem(type: InputElementType, v: SampleValue): string | null {
  if (type === 'string') return null;
  if (type === 'bool') return v === true || v === false || v === 0 || v === 1 ? null : 'so give true/false or 0/1';
  const range = INT_RANGES[type];
  if (!range) return typeof v === 'number' ? null : 'so give a number';
  let big: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) big = BigInt(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) big = BigInt(v);
  else return 'so give an integer';
  return big >= range[0] && big <= range[1] ? null : `so give an integer from ${range[0]} to ${range[1]}`;
}

export function formatDims(dims: readonly (ModelDim | ShapeDim)[]): string {
  return dims.map((d) => (d === null ? '?' : d)).join(',');
}

/**
 * The plan of one inference over `k` of the batch's requests (open-loop batching runs what has
 * arrived). A model whose batch is fixed runs it whole: the missing requests are padding.
 */
export function planForBatch(plan: InputPlan, k: number): InputPlan {
  if (plan.batchFixed || k === plan.effectiveBatch) return plan;
  if (!Number.isInteger(k) || k < 1 || k > plan.effectiveBatch) {
    throw new AutotuneError('trial', `a partial batch must hold 1 to ${plan.effectiveBatch} requests, not ${k}`);
  }
  return {
    ...plan,
    effectiveBatch: k,
    inputs: plan.inputs.map((input) =>
      input.batchAxis === null ? input : { ...input, dims: input.dims.map((d, axis) => (axis === input.batchAxis ? k : d)) },
    ),
  };
}
