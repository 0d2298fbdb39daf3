import { heBound, type BuiltinModel } from './builtin-model.js';

/**
 * x [batch, 3, image, image] -> `blocks` x (Conv 3x3 + Relu + MaxPool 2x2), channels doubling
 * from `channels` -> GlobalAveragePool -> Flatten -> Gemm -> y [batch, classes].
 */
export const cnn: BuiltinModel = {
  name: 'cnn',
  params: {
    channels: { default: 16, min: 1, max: 4096 },
    blocks: { default: 3, min: 1, max: 16 },
    image: { default: 96, min: 2, max: 4096 },
    classes: { default: 10, min: 1, max: 65536 },
  },
  check(p) {
    return p.image! >> p.blocks! >= 1 ? null : `image=${p.image} is too small for blocks=${p.blocks}: each block halves it, so image must be at least ${2 ** p.blocks!}`;
  },
  build(p, g) {
    let h = 'x';
    let cIn = 3;
    let c = p.channels!;
    for (let i = 0; i < p.blocks!; i++) {
      const w = g.weight([c, cIn, 3, 3], heBound(cIn * 9));
      h = g.node('Conv', [h, w, g.weight([c], 0.1)], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } });
      h = g.node('Relu', [h]);
      h = g.node('MaxPool', [h], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } });
      cIn = c;
      c *= 2;
    }
    h = g.node('GlobalAveragePool', [h]);
    h = g.node('Flatten', [h], { axis: { int: 1 } });
    g.output(g.node('Gemm', [h, g.weight([cIn, p.classes!], heBound(cIn)), g.weight([p.classes!], 0.1)]), 'y');
    return {
      inputs: [{ name: 'x', elementType: 'float32', dims: ['batch', 3, p.image!, p.image!] }],
      outputs: [{ name: 'y', elementType: 'float32', dims: ['batch', p.classes!] }],
    };
  },
};
