import { heBound, type BuiltinModel } from './builtin-model.js';
import type { GraphBuilder } from './graph-builder.js';

/**
 * `layers` post-norm encoder blocks on x [batch, seq, d_model]: multi-head self-attention with a
 * residual Add and LayerNormalization (opset 17), then a ReLU feed-forward of width `ff` with the
 * same. Written as plain MatMul/Reshape/Transpose/Softmax so onnxruntime's own fusions apply as
 * they would to an exported model.
 */
export const transformer: BuiltinModel = {
  name: 'transformer',
  params: {
    seq: { default: 64, min: 1, max: 16384 },
    d_model: { default: 128, min: 1, max: 16384 },
    heads: { default: 4, min: 1, max: 256 },
    ff: { default: 512, min: 1, max: 65536 },
    layers: { default: 1, min: 1, max: 64 },
  },
  check(p) {
    return p.d_model! % p.heads! === 0 ? null : `d_model=${p.d_model} must be a multiple of heads=${p.heads}`;
  },
  build(p, g) {
    const d = p.d_model!;
    let h = 'x';
    for (let i = 0; i < p.layers!; i++) {
      h = layerNorm(g, g.node('Add', [h, attention(g, h, d, p.heads!)]), d);
      const up = g.node('Relu', [linear(g, h, d, p.ff!)]);
      h = layerNorm(g, g.node('Add', [h, linear(g, up, p.ff!, d)]), d);
    }
    g.output(h, 'y');
    const dims = ['batch', p.seq!, d];
    return {
      inputs: [{ name: 'x', elementType: 'float32', dims }],
      outputs: [{ name: 'y', elementType: 'float32', dims: [...dims] }],
    };
  },
};

function linear(g: GraphBuilder, x: string, inDim: number, outDim: number): string {
  return g.node('Add', [g.node('MatMul', [x, g.weight([inDim, outDim], heBound(inDim))]), g.weight([outDim], 0.1)]);
}

function layerNorm(g: GraphBuilder, x: string, d: number): string {
  return g.node('LayerNormalization', [x, g.filled([d], 1), g.filled([d], 0)], { axis: { int: -1 }, epsilon: { float: 1e-5 } });
}

function attention(g: GraphBuilder, x: string, d: number, heads: number): string {
  const dh = d / heads;
  // Reshape's 0 copies the input's dim, which keeps batch and seq dynamic.
  const split = g.int64s([0, 0, heads, dh]);
  const project = (perm: number[]): string =>
    g.node('Transpose', [g.node('Reshape', [linear(g, x, d, d), split])], { perm: { ints: perm } });
  const q = project([0, 2, 1, 3]); // [b, h, s, dh]
  const kT = project([0, 2, 3, 1]); // [b, h, dh, s]
  const v = project([0, 2, 1, 3]);
  const scores = g.node('Mul', [g.node('MatMul', [q, kT]), g.scalar(1 / Math.sqrt(dh))]);
  const ctx = g.node('MatMul', [g.node('Softmax', [scores], { axis: { int: -1 } }), v]);
  const merged = g.node('Reshape', [g.node('Transpose', [ctx], { perm: { ints: [0, 2, 1, 3] } }), g.int64s([0, 0, d])]);
  return linear(g, merged, d, d);
}
