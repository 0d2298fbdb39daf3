import type { OnnxValueInfo } from '../onnx-writer.js';
import type { GraphBuilder } from './graph-builder.js';

export interface BuiltinParam {
  default: number;
  min: number;
  max: number;
}

/** One generator of a built-in model; sizes are integer options of the `builtin:NAME?k=v` spec. */
export interface BuiltinModel {
  name: string;
  params: Record<string, BuiltinParam>;
  /** A relation between options that ranges cannot express; returns what is wrong, or null. */
  check?(p: Record<string, number>): string | null;
  build(p: Record<string, number>, g: GraphBuilder): { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] };
}

/** He-uniform bound: keeps the activations of a ReLU stack from growing or vanishing. */
export function heBound(fanIn: number): number {
  return Math.sqrt(6 / fanIn);
}
