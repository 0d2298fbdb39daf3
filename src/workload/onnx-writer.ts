import { ProtoWriter } from './protobuf.js';
import { ONNX_ELEMENT_TYPES, type ModelDim, type OnnxElementType } from './types.js';

/** The subset of ONNX's ModelProto that our generated models use (field numbers from onnx.proto). */
export interface OnnxModel {
  irVersion: number;
  /** Version of the default ('ai.onnx') operator set. */
  opset: number;
  producer: string;
  graph: OnnxGraph;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: Record<string, OnnxAttribute>;
}

export type OnnxAttribute =
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { string: string };

/** An initializer; `raw` holds the little-endian element bytes (TensorProto.raw_data). */
export interface OnnxTensor {
  name: string;
  elementType: OnnxElementType;
  dims: number[];
  raw: Uint8Array;
}

/** A tensor-typed graph input or output; `dims` null declares no shape. */
export interface OnnxValueInfo {
  name: string;
  elementType: OnnxElementType;
  dims: ModelDim[] | null;
}

export function encodeModel(model: OnnxModel): Uint8Array {
  return new ProtoWriter()
    .int(1, model.irVersion)
    .string(2, model.producer)
    .message(7, encodeGraph(model.graph))
    .message(8, new ProtoWriter().string(1, '').int(2, model.opset))
    .finish();
}

function encodeGraph(graph: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.message(1, encodeNode(node));
  w.string(2, graph.name);
  for (const t of graph.initializers) w.message(5, encodeTensor(t));
  for (const v of graph.inputs) w.message(11, encodeValueInfo(v));
  for (const v of graph.outputs) w.message(12, encodeValueInfo(v));
  return w;
}

function encodeNode(node: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  w.string(3, node.name).string(4, node.op);
  for (const [name, attr] of Object.entries(node.attributes ?? {})) w.message(5, encodeAttribute(name, attr));
  return w;
}

// AttributeProto: name=1 f=2 i=3 s=4 ints=8 type=20; AttributeType FLOAT=1 INT=2 STRING=3 INTS=7.
function encodeAttribute(name: string, attr: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ('int' in attr) return w.int(3, attr.int).int(20, 2);
  if ('ints' in attr) return w.packedInts(8, attr.ints).int(20, 7);
  if ('float' in attr) return w.float(2, attr.float).int(20, 1);
  return w.string(4, attr.string).int(20, 3);
}

// TensorProto: dims=1 data_type=2 name=8 raw_data=9.
function encodeTensor(t: OnnxTensor): ProtoWriter {
  return new ProtoWriter()
    .packedInts(1, t.dims)
    .int(2, elementTypeCode(t.elementType))
    .string(8, t.name)
    .bytes(9, t.raw);
}

// ValueInfoProto{name=1 type=2} > TypeProto{tensor_type=1} > Tensor{elem_type=1 shape=2}
// > TensorShapeProto{dim=1} > Dimension{dim_value=1 | dim_param=2}.
function encodeValueInfo(v: OnnxValueInfo): ProtoWriter {
  const tensor = new ProtoWriter().int(1, elementTypeCode(v.elementType));
  if (v.dims !== null) {
    const shape = new ProtoWriter();
    for (const d of v.dims) {
      const dim = new ProtoWriter();
      if (typeof d === 'number') dim.int(1, d);
      else if (typeof d === 'string') dim.string(2, d);
      shape.message(1, dim);
    }
    tensor.message(2, shape);
  }
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensor));
}

function elementTypeCode(t: OnnxElementType): number {
  return ONNX_ELEMENT_TYPES.indexOf(t);
}
