import { AutotuneError } from '../../errors.js';
import type { Rng } from '../prng.js';
import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from '../onnx-writer.js';

/** Protobuf messages cannot exceed 2 GiB; stay well below so a typo in a size fails early. */
const MAX_WEIGHT_BYTES = 1 << 30;

/** Collects nodes and initializers of one generated graph, naming intermediate values. */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private weightBytes = 0;
  private counter = 0;

  /** `spec` only names the model in the too-large error. */
  constructor(
    private readonly rng: Rng,
    private readonly spec: string,
  ) {}

  /** A float32 weight, uniform in [-scale, scale). */
  weight(dims: number[], scale: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.weightBytes += n * 4;
    if (this.weightBytes > MAX_WEIGHT_BYTES) {
      throw new AutotuneError('usage', `${this.spec} would need over ${MAX_WEIGHT_BYTES >> 20} MiB of weights: choose smaller options`);
    }
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (this.rng.next() * 2 - 1) * scale;
    return this.constant('float32', dims, data);
  }

  /** A float32 constant filled with one value (LayerNorm scale 1, bias 0). */
  filled(dims: number[], value: number): string {
    return this.constant('float32', dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value));
  }

  scalar(value: number): string {
    return this.constant('float32', [], Float32Array.of(value));
  }

  int64s(values: number[]): string {
    return this.constant('int64', [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  node(op: string, inputs: string[], attributes?: Record<string, OnnxAttribute>): string {
    const out = this.name(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], name: `${op}_${this.counter}`, ...(attributes && { attributes }) });
    return out;
  }

  /** Renames the last node's output, so the graph output gets a stable name. */
  output(value: string, name: string): void {
    const last = this.nodes.at(-1);
    if (last?.outputs[0] !== value) throw new Error(`output ${value} is not the last node's output`);
    last.outputs[0] = name;
  }

  build(name: string, inputs: OnnxValueInfo[], outputs: OnnxValueInfo[]): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs };
  }

  private constant(elementType: OnnxTensor['elementType'], dims: number[], data: Float32Array | BigInt64Array): string {
    const name = this.name('c');
    // The typed array's bytes are little-endian on every platform onnxruntime-node ships for.
    this.initializers.push({ name, elementType, dims, raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  private name(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }
}
