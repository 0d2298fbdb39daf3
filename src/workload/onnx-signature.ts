import { ProtoDecodeError, readFields, toSignedNumber } from './protobuf.js';
import {
  ONNX_ELEMENT_TYPES,
  type ModelDim,
  type ModelSignature,
  type OnnxElementType,
  type ValueKind,
  type ValueSignature,
} from './types.js';

/**
 * Reads the graph inputs and outputs straight from the ModelProto bytes. We do not take them from
 * onnxruntime's session.inputMetadata because onnxruntime-node refuses to create a session at all
 * when one input has a type it cannot map (bfloat16, complex...), which would leave us unable to
 * say which input and which type; the file itself always can.
 *
 * Throws ProtoDecodeError when the bytes are not a ModelProto with a graph.
 */
export function readSignature(bytes: Uint8Array): ModelSignature {
  let graph: Uint8Array | undefined;
  let irVersion: number | undefined;
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wire === 'varint') irVersion = toSignedNumber(f.value);
    else if (f.field === 7 && f.wire === 'bytes') graph = f.value;
  }
  if (irVersion === undefined || graph === undefined) {
    throw new ProtoDecodeError('no ir_version or no graph in the ModelProto');
  }
  const inputs: ValueSignature[] = [];
  const outputs: ValueSignature[] = [];
  const initialized = new Set<string>();
  for (const f of readFields(graph)) {
    if (f.wire !== 'bytes') continue;
    if (f.field === 11) inputs.push(readValueInfo(f.value));
    else if (f.field === 12) outputs.push(readValueInfo(f.value));
    else if (f.field === 5) initialized.add(readTensorName(f.value));
    // SparseTensorProto: values=1 is a TensorProto that carries the name.
    else if (f.field === 15) for (const s of readFields(f.value)) if (s.field === 1 && s.wire === 'bytes') initialized.add(readTensorName(s.value));
  }
  // Before IR 4 every initializer was also listed as an input; those are weights, not feeds.
  return { inputs: inputs.filter((i) => !initialized.has(i.name)), outputs };
}

function readTensorName(tensor: Uint8Array): string {
  for (const f of readFields(tensor)) if (f.field === 8 && f.wire === 'bytes') return utf8(f.value);
  return '';
}

const TYPE_KINDS: Record<number, ValueKind> = { 1: 'tensor', 4: 'sequence', 5: 'map', 8: 'sparse_tensor', 9: 'optional' };

function readValueInfo(bytes: Uint8Array): ValueSignature {
  let name = '';
  let kind: ValueKind = 'unknown';
  let elementType: OnnxElementType = 'undefined';
  let dims: ModelDim[] | null = null;
  for (const f of readFields(bytes)) {
    if (f.wire !== 'bytes') continue;
    if (f.field === 1) name = utf8(f.value);
    else if (f.field === 2) {
      for (const t of readFields(f.value)) {
        if (t.wire !== 'bytes') continue;
        const k = TYPE_KINDS[t.field];
        if (k === undefined) continue;
        kind = k;
        if (k === 'tensor' || k === 'sparse_tensor') ({ elementType, dims } = readTensorType(t.value));
      }
    }
  }
  return { name, kind, elementType, dims };
}

function readTensorType(bytes: Uint8Array): { elementType: OnnxElementType; dims: ModelDim[] | null } {
  let elementType: OnnxElementType = 'undefined';
  let dims: ModelDim[] | null = null;
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wire === 'varint') {
      elementType = ONNX_ELEMENT_TYPES[toSignedNumber(f.value)] ?? 'undefined';
    } else if (f.field === 2 && f.wire === 'bytes') {
      dims = [];
      for (const d of readFields(f.value)) if (d.field === 1 && d.wire === 'bytes') dims.push(readDim(d.value));
    }
  }
  return { elementType, dims };
}

function readDim(bytes: Uint8Array): ModelDim {
  for (const f of readFields(bytes)) {
    // Some exporters write -1 or an empty dim_param for "unknown"; both mean an open dim.
    if (f.field === 1 && f.wire === 'varint') return toSignedNumber(f.value) >= 0 ? toSignedNumber(f.value) : null;
    if (f.field === 2 && f.wire === 'bytes') return f.value.length > 0 ? utf8(f.value) : null;
  }
  return null;
}

function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
