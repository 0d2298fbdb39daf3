import * as ort from 'onnxruntime-node';
import { toFloat16Bits } from './float16.js';
import { createRng, type Rng } from './prng.js';
import type { InputElementType, InputPlan, PlannedInput, SampleValue } from './types.js';

/**
 * Builds the feeds of one worker from its plan (runs inside the worker, so no tensor crosses a
 * process boundary). The plan was validated by planInputs; values here are known to fit.
 */
export function createInputs(plan: InputPlan): Record<string, ort.Tensor> {
  return Object.fromEntries(plan.inputs.map((input) => [input.name, createTensor(input)]));
}

function createTensor(input: PlannedInput): ort.Tensor {
  const count = input.dims.reduce((a, b) => a * b, 1);
  const values = elementValues(input, count);
  return new ort.Tensor(input.elementType, toTypedData(input.elementType, values), input.dims);
}

/** The tensor's elements in row-major order, before conversion to the element type. */
function elementValues(input: PlannedInput, count: number): SampleValue[] {
  const { fill } = input;
  switch (fill.kind) {
    case 'constant':
      return new Array<SampleValue>(count).fill(fill.value);
    case 'random': {
      const rng = createRng(fill.seed);
      return Array.from({ length: count }, () => randomValue(input.elementType, rng));
    }
    case 'sample':
      return tileRows(fill.data, fill.dims, input.dims, input.batchAxis);
  }
}

/** Repeats (or truncates) the sample's rows along the batch axis to the planned batch. */
function tileRows(data: SampleValue[], from: number[], to: number[], batchAxis: number | null): SampleValue[] {
  if (batchAxis === null) return data;
  const outer = to.slice(0, batchAxis).reduce((a, b) => a * b, 1);
  const inner = to.slice(batchAxis + 1).reduce((a, b) => a * b, 1);
  const rowsIn = from[batchAxis]!;
  const rowsOut = to[batchAxis]!;
  const out: SampleValue[] = [];
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < rowsOut; r++) {
      const start = (o * rowsIn + (r % rowsIn)) * inner;
      for (let i = 0; i < inner; i++) out.push(data[start + i]!);
    }
  }
  return out;
}

const WORD_CHARS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Floats uniform in [-1, 1); integers 0-9, small enough to be valid indices into most embedding
 * or class tables; bools and short lowercase words at random.
 */
function randomValue(type: InputElementType, rng: Rng): SampleValue {
  switch (type) {
    case 'float32':
    case 'float64':
    case 'float16':
      return rng.next() * 2 - 1;
    case 'bool':
      return rng.next() < 0.5;
    case 'string':
      return Array.from({ length: 1 + Math.floor(rng.next() * 8) }, () => WORD_CHARS[Math.floor(rng.next() * 26)]).join('');
    default:
      return Math.floor(rng.next() * 10);
  }
}

type TensorData = ort.Tensor.DataTypeMap[ort.Tensor.Type];

function toTypedData(type: InputElementType, values: SampleValue[]): TensorData {
  const num = (v: SampleValue): number => Number(v);
  const big = (v: SampleValue): bigint => BigInt(typeof v === 'boolean' ? Number(v) : v);
  switch (type) {
    case 'float32': return Float32Array.from(values, num);
    case 'float64': return Float64Array.from(values, num);
    case 'float16': return Uint16Array.from(values, (v) => toFloat16Bits(num(v)));
    case 'int8': return Int8Array.from(values, num);
    case 'int16': return Int16Array.from(values, num);
    case 'int32': return Int32Array.from(values, num);
    case 'int64': return BigInt64Array.from(values, big);
    case 'uint8': return Uint8Array.from(values, num);
    case 'uint16': return Uint16Array.from(values, num);
    case 'uint32': return Uint32Array.from(values, num);
    case 'uint64': return BigUint64Array.from(values, big);
    case 'bool': return Uint8Array.from(values, (v) => (v === true || v === 1 ? 1 : 0));
    case 'string': return values.map(String);
  }
}
