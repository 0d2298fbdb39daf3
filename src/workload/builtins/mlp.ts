import { heBound, type BuiltinModel } from './builtin-model.js';

/** x [batch, in] -> `layers` x (Gemm + Relu) of width `hidden` -> Gemm -> y [batch, out]. */
export const mlp: BuiltinModel = {
  name: 'mlp',
  params: {
    in: { default: 512, min: 1, max: 65536 },
    hidden: { default: 1024, min: 1, max: 65536 },
    layers: { default: 4, min: 1, max: 256 },
    out: { default: 16, min: 1, max: 65536 },
  },
  build(p, g) {
    let h = 'x';
    let width = p.in!;
    for (let i = 0; i < p.layers!; i++) {
      h = g.node('Gemm', [h, g.weight([width, p.hidden!], heBound(width)), g.weight([p.hidden!], 0.1)]);
      h = g.node('Relu', [h]);
      width = p.hidden!;
    }
    g.output(g.node('Gemm', [h, g.weight([width, p.out!], heBound(width)), g.weight([p.out!], 0.1)]), 'y');
    return {
      inputs: [{ name: 'x', elementType: 'float32', dims: ['batch', p.in!] }],
      outputs: [{ name: 'y', elementType: 'float32', dims: ['batch', p.out!] }],
    };
  },
};
