import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import test, { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { AutotuneError } from '../../src/errors.js';
import { createInputs, fixedBatch, inspectModel, planInputs } from '../../src/workload/index.js';
import type { InputOptions, ModelSignature, SampleInputs } from '../../src/workload/types.js';
import { FED_TYPES, writeFixtureModels } from '../fixtures/workload/models.js';

const fixtures = writeFixtureModels();
after(() => rmSync(fixtures.dir, { recursive: true, force: true }));
const sampleFile = fileURLToPath(new URL('../../../test/fixtures/workload/sample.json', import.meta.url));

const options = (o: Partial<InputOptions> = {}): InputOptions => ({ shapes: {}, values: {}, sampleFile: null, ...o });

function usageError(pattern: RegExp, kind = 'usage'): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof AutotuneError, String(e));
    assert.equal(e.kind, kind);
    assert.match(e.message, pattern);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  };
}

/** Runs the plan through the Identity fixture and returns what came back, per input. */
async function echo(path: string, plan: ReturnType<typeof planInputs>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(path);
  const feeds = createInputs(JSON.parse(JSON.stringify(plan)));
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k.replace(/_out$/, ''), v]));
}

test('every dtype onnxruntime-node feeds is synthesized, fed and echoed back with the planned shape', async () => {
  const plan = planInputs(await inspectModel(fixtures.dtypes), options(), 4);
  assert.equal(plan.effectiveBatch, 4);
  assert.equal(plan.batchFixed, false);
  const out = await echo(fixtures.dtypes, plan);
  for (const t of FED_TYPES) {
    const tensor = out[`in_${t}`]!;
    assert.equal(tensor.type, t);
    assert.deepEqual(tensor.dims, [4, 3]);
    assert.equal(plan.inputs.find((i) => i.name === `in_${t}`)!.batchAxis, 0);
  }
  const floats = out.in_float32!.data as Float32Array;
  assert.ok(floats.every((v) => v >= -1 && v < 1) && new Set(floats).size > 1, 'random floats in [-1, 1)');
  assert.ok([...(out.in_int64!.data as BigInt64Array)].every((v) => v >= 0n && v < 10n));
  assert.ok((out.in_string!.data as string[]).every((s) => /^[a-z]{1,8}$/.test(s)));
  assert.ok((out.in_bool!.data as Uint8Array).every((v) => v === 0 || v === 1));
});

test('synthesized inputs are the same in every worker', () => {
  const signature: ModelSignature = { inputs: [{ name: 'x', kind: 'tensor', elementType: 'float32', dims: ['batch', 5] }], outputs: [] };
  const plan = planInputs(signature, options(), 3);
  assert.deepEqual(createInputs(plan).x!.data, createInputs(plan).x!.data);
});

test('a fixed-batch model runs at its batch, a scalar input takes --value, and another batch is refused', async () => {
  const signature = await inspectModel(fixtures.fixedBatch);
  assert.equal(fixedBatch(signature, options()), 2);
  const plan = planInputs(signature, options({ values: { sr: 16000 } }), 2);
  assert.equal(plan.effectiveBatch, 2);
  assert.equal(plan.batchFixed, true);
  assert.deepEqual(plan.inputs.map((i) => [i.name, i.dims, i.batchAxis]), [['x', [2, 3], null], ['sr', [], null]]);
  const out = await echo(fixtures.fixedBatch, plan);
  assert.deepEqual(out.sr!.dims, []);
  assert.deepEqual([...(out.sr!.data as BigInt64Array)], [16000n]);
  assert.throws(() => planInputs(signature, options(), 4), usageError(/^the model has a fixed batch of 2 \(input "x" is \[2,3\]\): use batch 2, not 4$/));
});

test('B on a fixed dim fixes the batch to that dim', async () => {
  const signature = await inspectModel(fixtures.fixedBatch);
  assert.equal(planInputs(signature, options({ shapes: { x: ['B', 3] } }), 2).inputs[0]!.batchAxis, 0);
  assert.throws(() => planInputs(signature, options({ shapes: { x: ['B', 3] } }), 1), usageError(/fixed batch of 2/));
});

test('dims shared by name take the value given for another input', async () => {
  const signature = await inspectModel(fixtures.textual);
  const plan = planInputs(signature, options({ shapes: { ids: ['B', 16] } }), 3);
  assert.deepEqual(plan.inputs.map((i) => [i.name, i.dims, i.batchAxis]), [['ids', [3, 16], 0], ['mask', [3, 16], 0]]);
  assert.equal(fixedBatch(signature, options({ shapes: { ids: ['B', 16] } })), null);
  assert.throws(
    () => planInputs(signature, options({ shapes: { ids: ['B', 16], mask: ['B', 8] } }), 1),
    usageError(/dimension "seq" of input "mask" gets 8 from --shape mask=B,8, but 16 elsewhere/),
  );
});

test('open dims beyond the batch name the input and the flag that fills them', async () => {
  const signature = await inspectModel(fixtures.textual);
  assert.throws(() => planInputs(signature, options(), 1), usageError(/^input "ids" \[batch,seq\] has dims with no value: give them with --shape ids=B,<seq> \(B marks the batch dimension\)$/));
  const noShape = await inspectModel(fixtures.noShape);
  assert.throws(() => planInputs(noShape, options(), 1), usageError(/input "x" declares no shape: give it with --shape x=B,\.\.\./));
  const plan = planInputs(noShape, options({ shapes: { x: ['B', 2, 2] } }), 5);
  assert.deepEqual(plan.inputs[0]!.dims, [5, 2, 2]);
});

test('shapes that do not fit the model are refused', async () => {
  const textual = await inspectModel(fixtures.textual);
  const fixed = await inspectModel(fixtures.fixedBatch);
  assert.throws(() => planInputs(textual, options({ shapes: { ids: ['B', 3, 4] } }), 1), usageError(/--shape ids=B,3,4 has 3 dims, but input "ids" has rank 2 \(\[batch,seq\]\)/));
  assert.throws(() => planInputs(fixed, options({ shapes: { x: [2, 4] } }), 2), usageError(/--shape x=2,4 gives 4 for axis 1, but the model fixes it at 3/));
  assert.throws(() => planInputs(textual, options({ shapes: { ids: ['B', 'B'] } }), 1), usageError(/marks more than one dim as B/));
  assert.throws(() => planInputs(textual, options({ shapes: { input_ids: ['B', 3] } }), 1), usageError(/--shape names input "input_ids", but the model's inputs are ids, mask/));
  assert.throws(() => planInputs(fixed, options({ values: { rate: 1 } }), 2), usageError(/--value names input "rate"/));
  assert.throws(() => planInputs(textual, options({ shapes: { ids: ['B', 100000] } }), 4096), usageError(/would be \[4096,100000\] = 409600000 elements/));
  assert.throws(() => planInputs(textual, options(), 0), usageError(/batch 0 must be a positive integer/));
});

test('a --value that does not fit the input type is refused', async () => {
  const fixed = await inspectModel(fixtures.fixedBatch);
  assert.throws(() => planInputs(fixed, options({ values: { sr: 1.5 } }), 2), usageError(/--value sr=1.5: input "sr" is int64, so give an integer/));
  const dtypes = await inspectModel(fixtures.dtypes);
  assert.throws(() => planInputs(dtypes, options({ values: { in_uint8: 300 } }), 1), usageError(/in_uint8" is uint8, so give an integer from 0 to 255/));
  assert.throws(() => planInputs(dtypes, options({ values: { in_bool: 2 } }), 1), usageError(/is bool, so give true\/false or 0\/1/));
});

test('element types onnxruntime-node cannot feed are named with the input', async () => {
  const bfloat16 = await inspectModel(fixtures.bfloat16);
  assert.throws(() => planInputs(bfloat16, options(), 1), usageError(/^input "h" has element type bfloat16, which onnxruntime-node cannot feed \(it takes float32, /, 'input'));
  for (const elementType of ['complex64', 'int4', 'float8e4m3fn'] as const) {
    const signature: ModelSignature = { inputs: [{ name: 'z', kind: 'tensor', elementType, dims: [1] }], outputs: [] };
    assert.throws(() => planInputs(signature, options(), 1), usageError(new RegExp(`input "z" has element type ${elementType}, which`), 'input'));
  }
  const sequence: ModelSignature = { inputs: [{ name: 's', kind: 'sequence', elementType: 'undefined', dims: null }], outputs: [] };
  assert.throws(() => planInputs(sequence, options(), 1), usageError(/input "s" is a sequence, not a tensor/, 'input'));
});

test('a sample file gives dims and data; its rows repeat to fill the batch', async () => {
  const signature = await inspectModel(fixtures.textual);
  const plan = planInputs(signature, options({ sampleFile }), 3);
  assert.deepEqual(plan.inputs.map((i) => i.dims), [[3, 4], [3, 4]]);
  const out = await echo(fixtures.textual, plan);
  assert.deepEqual([...(out.ids!.data as BigInt64Array)].map(Number), [101, 7, 8, 102, 101, 9, 10, 102, 101, 7, 8, 102]);
  assert.deepEqual([...(out.mask!.data as BigInt64Array)].map(Number), new Array(12).fill(1));
  // A smaller batch takes the first rows.
  assert.deepEqual(createInputs(planInputs(signature, options({ sampleFile }), 1)).ids!.dims, [1, 4]);
});

test('a sample that does not fit the model is refused', async () => {
  const textual = await inspectModel(fixtures.textual);
  const bad = (sample: SampleInputs, shapes: InputOptions['shapes'] = {}) => () => planInputs(textual, options({ shapes, sampleFile: 'x.json' }), 2, sample);
  assert.throws(bad({ ids: { dims: [1, 2, 2], data: [1, 2, 3, 4] } }), usageError(/gives input "ids" dims \[1,2,2\], but it has rank 2/));
  assert.throws(bad({ ids: { dims: [1, 2], data: [1, 2] } }, { ids: ['B', 3] }), usageError(/gives input "ids" dims \[1,2\], but it runs as \[2,3\] \(any size >= 1 on the batch axis 0\)/));
  assert.throws(bad({ ids: { dims: [1, 2], data: [1, 'x'] } }), usageError(/data\[1\] = "x" for input "ids" does not fit: it is int64, so give an integer/));
  assert.throws(bad({ nope: { dims: [1], data: [1] } }), usageError(/the sample-input file names input "nope"/));
  assert.throws(bad({ ids: { dims: [1, 2], data: [1, 2] }, mask: { dims: [1, 3], data: [1, 1, 1] } }), usageError(/dimension "seq" of input "mask" gets 3 from the sample-input file, but 2 elsewhere/));
  assert.throws(
    () => planInputs(textual, options({ values: { ids: 1 } }), 1, { ids: { dims: [1, 1], data: [1] } }),
    usageError(/input "ids" has both a --value and data in the sample-input file/),
  );
});
