import assert from 'node:assert/strict';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import { parseShapeFlag, parseValueFlag } from '../../src/workload/index.js';
import { toFloat16Bits } from '../../src/workload/float16.js';

test('parseShapeFlag reads NAME=dims with B for the batch', () => {
  assert.deepEqual(parseShapeFlag('x=B,3,224,224'), { name: 'x', dims: ['B', 3, 224, 224] });
  assert.deepEqual(parseShapeFlag('input:0=b, 8'), { name: 'input:0', dims: ['B', 8] });
  assert.deepEqual(parseShapeFlag('a=b=4'), { name: 'a=b', dims: [4] });
});

test('parseValueFlag reads NAME=number', () => {
  assert.deepEqual(parseValueFlag('sr=16000'), { name: 'sr', value: 16000 });
  assert.deepEqual(parseValueFlag('t=-0.5'), { name: 't', value: -0.5 });
});

const bad: [() => unknown, RegExp][] = [
  [() => parseShapeFlag('x=B,3,a'), /^--shape "x=B,3,a": "a" is not a positive integer or B/],
  [() => parseShapeFlag('x=B,0'), /"0" is not a positive integer/],
  [() => parseShapeFlag('x=B,,3'), /"" is not a positive integer/],
  [() => parseShapeFlag('B,3'), /^--shape "B,3" is not NAME=VALUE: write it like --shape x=B,3,224,224$/],
  [() => parseShapeFlag('x='), /is not NAME=VALUE/],
  [() => parseValueFlag('sr=fast'), /^--value "sr=fast": "fast" is not a number$/],
  [() => parseValueFlag('=3'), /^--value "=3" is not NAME=VALUE/],
];
for (const [call, message] of bad) {
  test(`bad flag: ${message.source}`, () => {
    assert.throws(call, (e: unknown) => e instanceof AutotuneError && e.kind === 'usage' && message.test(e.message));
  });
}

test('float16 bits round to nearest even, saturate to infinity and keep subnormals', () => {
  const cases: [number, number][] = [
    [0, 0x0000], [1, 0x3c00], [-2, 0xc000], [0.1, 0x2e66], [65504, 0x7bff], [65520, 0x7c00],
    [2 ** -24, 0x0001], [2 ** -26, 0x0000], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02],
    [Infinity, 0x7c00], [-Infinity, 0xfc00],
  ];
  for (const [value, bits] of cases) assert.equal(toFloat16Bits(value), bits, `${value}`);
  assert.equal(toFloat16Bits(NaN) & 0x7c00, 0x7c00);
  assert.notEqual(toFloat16Bits(NaN) & 0x3ff, 0);
});
