import type { InputOptions, ShapeDim } from '../domain/results.js';

export type { InputOptions, ShapeDim };

/**
 * ONNX TensorProto.DataType names, indexed by their enum value (onnx.proto). Names follow
 * onnxruntime's Tensor.Type where it has one.
 */
export const ONNX_ELEMENT_TYPES = [
  'undefined', 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool',
  'float16', 'float64', 'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16',
  'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'uint4', 'int4',
  'float4e2m1', 'float8e8m0', 'uint2', 'int2',
] as const;

export type OnnxElementType = (typeof ONNX_ELEMENT_TYPES)[number];

/**
 * The element types onnxruntime-node 1.30 can feed. Its JS layer knows int4/uint4 too, but the
 * native binding rejects them at run ("Tensor.type is not supported: int4").
 */
export const INPUT_ELEMENT_TYPES = [
  'float32', 'float64', 'float16', 'int8', 'int16', 'int32', 'int64',
  'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'string',
] as const;

export type InputElementType = (typeof INPUT_ELEMENT_TYPES)[number];

/** A declared dimension: a size, a symbolic name (`batch`), or null when the model leaves it open. */
export type ModelDim = number | string | null;

/** What kind of value a graph input or output is; only tensors can be fed. */
export type ValueKind = 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse_tensor' | 'unknown';

export interface ValueSignature {
  name: string;
  kind: ValueKind;
  /** The tensor element type; 'undefined' for non-tensors. */
  elementType: OnnxElementType;
  /** null when the model declares no shape (rank unknown). */
  dims: ModelDim[] | null;
}

/** A model's graph inputs (initializers excluded) and outputs, as the file declares them. */
export interface ModelSignature {
  inputs: ValueSignature[];
  outputs: ValueSignature[];
}

/**
 * A sample-input file, JSON: `{ "x": { "dims": [1, 3], "data": [0.5, 1, 2] } }`. `data` is the
 * tensor flattened row-major; int64/uint64 values may be decimal strings, bools true/false or
 * 0/1, strings strings. Along the batch axis the sample's rows are repeated to fill the batch.
 */
export type SampleInputs = Record<string, { dims: number[]; data: SampleValue[] }>;

export type SampleValue = number | string | boolean;

/** How one input's values are made inside the worker. */
export type InputFill =
  | { kind: 'random'; seed: number }
  | { kind: 'constant'; value: number }
  | { kind: 'sample'; dims: number[]; data: SampleValue[] };

export interface PlannedInput {
  name: string;
  elementType: InputElementType;
  /** Every dimension resolved, batch included. */
  dims: number[];
  /** The axis that carries the batch, or null for inputs without one. */
  batchAxis: number | null;
  fill: InputFill;
}

/** Plain JSON (it crosses the IPC channel to workers); createInputs turns it into tensors. */
export interface InputPlan {
  /** The batch each inference really runs with. */
  effectiveBatch: number;
  /** True when the model fixes the batch, so no other batch size can run. */
  batchFixed: boolean;
  inputs: PlannedInput[];
}
