import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { after } from 'node:test';
import * as ort from 'onnxruntime-node';
import { AutotuneError } from '../../src/errors.js';
import { generateBuiltin, parseBuiltinSpec } from '../../src/workload/builtin-models.js';
import { createInputs, inspectModel, planInputs, resolveModel } from '../../src/workload/index.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'autotune-builtins-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

const noOptions = { shapes: {}, values: {}, sampleFile: null };

const small: [string, (batch: number) => number[]][] = [
  ['builtin:mlp?in=8&hidden=16&layers=2&out=5', (b) => [b, 5]],
  ['builtin:cnn?channels=4&blocks=2&image=16&classes=7', (b) => [b, 7]],
  ['builtin:transformer?seq=6&d_model=16&heads=2&ff=32&layers=2', (b) => [b, 6, 16]],
];

for (const [spec, outDims] of small) {
  test(`${spec} loads in onnxruntime and runs at batch 1 and 4 with the right output shape`, async () => {
    const model = await resolveModel(spec, { cacheDir });
    assert.equal(model.name, spec);
    const session = await ort.InferenceSession.create(model.path, { intraOpNumThreads: 1 });
    const signature = await inspectModel(model.path);
    for (const batch of [1, 4]) {
      const out = await session.run(createInputs(planInputs(signature, noOptions, batch)));
      const y = out.y!;
      assert.deepEqual(y.dims, outDims(batch));
      assert.ok((y.data as Float32Array).every(Number.isFinite), 'outputs are finite');
    }
    await session.release();
  });
}

test('the same spec gives byte-identical files; another seed gives another file', async () => {
  const spec = 'builtin:mlp?in=8&hidden=16&layers=2&out=5';
  const other = mkdtempSync(join(tmpdir(), 'autotune-builtins-'));
  try {
    const a = await resolveModel(spec, { cacheDir });
    const b = await resolveModel(spec, { cacheDir: other });
    assert.equal(a.sha256, b.sha256);
    assert.match(a.sha256, /^[0-9a-f]{64}$/);
    const reseeded = await resolveModel(`${spec}&seed=2`, { cacheDir: other });
    assert.notEqual(reseeded.sha256, a.sha256);
    assert.notEqual(reseeded.path, b.path);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('a cached file is reused, not rewritten, and no temporary file is left behind', async () => {
  const spec = 'builtin:cnn?channels=4&blocks=1&image=8';
  const first = await resolveModel(spec, { cacheDir });
  const mtime = statSync(first.path).mtimeMs;
  const again = await resolveModel(spec, { cacheDir });
  assert.equal(again.path, first.path);
  assert.equal(statSync(again.path).mtimeMs, mtime);
  assert.match(first.path, /cnn-[0-9a-f]{16}\.onnx$/);
  assert.deepEqual(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp')), []);
});

test('parallel resolutions of one spec all get the complete file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-builtins-'));
  try {
    const spec = 'builtin:transformer?seq=4&d_model=8&heads=2&ff=8';
    const expected = generateBuiltin(parseBuiltinSpec(spec));
    const infos = await Promise.all(Array.from({ length: 6 }, () => resolveModel(spec, { cacheDir: dir })));
    assert.equal(new Set(infos.map((i) => i.sha256)).size, 1);
    assert.equal(statSync(infos[0]!.path).size, expected.length);
    assert.deepEqual(readdirSync(dir), [infos[0]!.path.split('/').at(-1)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the canonical name lists only options that differ from the defaults', () => {
  assert.equal(parseBuiltinSpec('builtin:mlp').canonical, 'builtin:mlp');
  assert.equal(parseBuiltinSpec('builtin:mlp?layers=2&in=512').canonical, 'builtin:mlp?layers=2');
  assert.equal(parseBuiltinSpec('builtin:transformer?heads=8&seq=16').canonical, 'builtin:transformer?seq=16&heads=8');
});

const badSpecs: [string, RegExp][] = [
  ['builtin:resnet', /unknown built-in model "builtin:resnet": use one of builtin:mlp, builtin:cnn, builtin:transformer/],
  ['builtin:mlp?hiden=3', /builtin:mlp has no option "hiden": valid options are in, hidden, layers, out, seed/],
  ['builtin:mlp?hidden=abc', /option hidden="abc" must be an integer from 1 to 65536/],
  ['builtin:mlp?hidden=0', /option hidden="0" must be an integer from 1 to 65536/],
  ['builtin:mlp?hidden', /option hidden="" must be an integer/],
  ['builtin:mlp?layers=2&layers=3', /option layers is given twice/],
  ['builtin:transformer?d_model=100&heads=3', /d_model=100 must be a multiple of heads=3/],
  ['builtin:cnn?blocks=5&image=16', /image must be at least 32/],
  ['builtin:mlp?in=65536&hidden=65536', /would need over 1024 MiB of weights/],
];
for (const [spec, message] of badSpecs) {
  test(`bad spec ${spec} is a one-line usage error`, async () => {
    await assert.rejects(resolveModel(spec, { cacheDir }), (e: unknown) => {
      assert.ok(e instanceof AutotuneError);
      assert.equal(e.kind, 'usage');
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });
}
