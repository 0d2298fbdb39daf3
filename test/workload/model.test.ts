import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import test, { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { AutotuneError } from '../../src/errors.js';
import { inspectModel, resolveModel } from '../../src/workload/index.js';
import { writeFixtureModels } from '../fixtures/workload/models.js';

const fixtures = writeFixtureModels();
after(() => rmSync(fixtures.dir, { recursive: true, force: true }));
const cacheDir = join(fixtures.dir, 'cache');
// The fixture sits in the source tree; tests run from dist/, so point back at it.
const textFile = fileURLToPath(new URL('../../../test/fixtures/workload/not-a-model.onnx', import.meta.url));

function inputError(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof AutotuneError, String(e));
    assert.equal(e.kind, 'input');
    assert.match(e.message, pattern);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  };
}

test('a model file resolves to its absolute path, base name and sha256', async () => {
  const info = await resolveModel(fixtures.textual, { cacheDir });
  assert.equal(info.path, fixtures.textual);
  assert.equal(info.name, basename(fixtures.textual));
  assert.equal(info.sha256, createHash('sha256').update(readFileSync(fixtures.textual)).digest('hex'));
});

test('a missing model file says so and names the built-ins', async () => {
  await assert.rejects(resolveModel('m.onnx', { cacheDir }), inputError(/^model file m\.onnx not found: .*builtin:mlp/));
  await assert.rejects(inspectModel(join(fixtures.dir, 'm.onnx')), inputError(/m\.onnx not found/));
});

test('a directory is not a model', async () => {
  await assert.rejects(resolveModel(fixtures.dir, { cacheDir }), inputError(/is not a file/));
});

test('a text file is not a loadable ONNX model (one line from onnxruntime)', async () => {
  await assert.rejects(resolveModel(textFile, { cacheDir }), inputError(/is not a loadable ONNX model: Protobuf parsing failed/));
  await assert.rejects(inspectModel(textFile), inputError(/is not an ONNX model/));
});

test('a truncated model is rejected by both resolveModel and inspectModel', async () => {
  const whole = readFileSync(fixtures.dtypes);
  const truncated = join(fixtures.dir, 'truncated.onnx');
  writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
  await assert.rejects(resolveModel(truncated, { cacheDir }), inputError(/truncated\.onnx is not a loadable ONNX model: /));
  await assert.rejects(inspectModel(truncated), inputError(/truncated\.onnx is not an ONNX model: .*runs past the end/));
});

test('inspectModel reads symbolic, fixed, scalar and undeclared dims', async () => {
  assert.deepEqual((await inspectModel(fixtures.fixedBatch)).inputs, [
    { name: 'x', kind: 'tensor', elementType: 'float32', dims: [2, 3] },
    { name: 'sr', kind: 'tensor', elementType: 'int64', dims: [] },
  ]);
  assert.deepEqual((await inspectModel(fixtures.textual)).outputs.map((o) => o.dims), [['batch', 'seq'], ['batch', 'seq']]);
  // onnxruntime reports [] for both a scalar and an undeclared shape; the file tells them apart.
  assert.equal((await inspectModel(fixtures.noShape)).inputs[0]!.dims, null);
});

test('inspectModel agrees with onnxruntime inputMetadata on every model onnxruntime can load', async () => {
  for (const path of [fixtures.dtypes, fixtures.fixedBatch, fixtures.textual]) {
    const session = await ort.InferenceSession.create(path);
    const ours = (await inspectModel(path)).inputs;
    const theirs = session.inputMetadata.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : m));
    assert.deepEqual(ours.map((i) => ({ name: i.name, type: i.elementType, shape: i.dims })), theirs);
    await session.release();
  }
});

test('inspectModel names a bfloat16 input that onnxruntime cannot even load', async () => {
  await assert.rejects(ort.InferenceSession.create(fixtures.bfloat16), /Unsupported data type: 16/);
  const { inputs } = await inspectModel(fixtures.bfloat16);
  assert.deepEqual(inputs.map((i) => [i.name, i.elementType]), [['x', 'float32'], ['h', 'bfloat16']]);
});
