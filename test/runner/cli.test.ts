import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { promisify } from 'node:util';
import type { TrialResult } from '../../src/domain/results.js';
import { encodeModel } from '../../src/workload/onnx-writer.js';
import { modelCache, REPO_ROOT, TINY_MLP } from './helpers.js';

const BIN = join(REPO_ROOT, 'bin', 'autotune.js');
const SHORT_FLAGS = ['--warmup', '0.3', '--min-time', '1', '--max-time', '1.5', '--min-samples', '100'];

async function autotune(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, AUTOTUNE_CACHE: modelCache },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('autotune trial --json prints one JSON object with the plan, read-back and figures', async () => {
  const { code, stdout, stderr } = await autotune(['trial', '--model', TINY_MLP, '--processes', '2', '--threads', '1', '--json', ...SHORT_FLAGS]);
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim().split('\n').length, 1);
  const result = JSON.parse(stdout) as TrialResult;
  assert.deepEqual(
    { processes: result.config.processes, threads: result.config.threads, numa: result.config.numa, batch: result.config.batch },
    { processes: 2, threads: 1, numa: 'none', batch: 1 },
  );
  assert.equal(result.model.name, TINY_MLP);
  assert.match(result.model.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(result.plan.workers.map((w) => w.cpus), [[0], [1]]);
  assert.equal(result.verification.verified, true);
  assert.equal(result.readBack.length, 2);
  assert.ok(result.tps > 0 && result.ips > 0);
  assert.ok(result.latency.count >= 100);
  assert.ok(result.latency.p99 > 0 && result.latency.p99Ci?.length === 2);
  assert.equal(result.histogram.total, result.latency.count);
  assert.equal(result.workers.length, 2);
  assert.equal(typeof result.noisy, 'boolean');
});

test('autotune trial without --model measures builtin:mlp, as tune does', async () => {
  const { code, stdout, stderr } = await autotune(['trial', '--processes', '2', '--threads', '1', '--json', ...SHORT_FLAGS]);
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout) as TrialResult;
  assert.equal(result.model.name, 'builtin:mlp');
  assert.ok(result.tps > 0);
});

test('autotune trial prints a readable summary', async () => {
  const { code, stdout, stderr } = await autotune(['trial', '--model', TINY_MLP, '--threads', '2', '--numa', 'local', ...SHORT_FLAGS]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^config {6}processes=1 threads=2 numa=local batch=1 smt=cores spinning=on threadPlacement=compact graphOptimization=all cpuArena=on allocator=glibc$/m);
  assert.match(stdout, /^ {2}worker 0 {2}CPUs 0-1 main 0 pool 1 {2}memory bind 0$/m);
  assert.match(stdout, /^read-back {3}verified yes$/m);
  assert.match(stdout, /^latency {5}p50 [\d.]+ ms {2}p90 [\d.]+ ms {2}p99 [\d.]+ ms \(95% CI [\d.]+ ms - [\d.]+ ms\) {2}p99\.9 [\d.]+ ms$/m);
  assert.match(stdout, /^throughput {2}\d+ samples\/s {2}\d+ inferences\/s$/m);
  assert.match(stdout, /^noisy {7}(no|YES: .+)$/m);
});

test('autotune trial --allocator jemalloc shows the library each worker has mapped; an unknown allocator is one usage line', async () => {
  const { code, stdout, stderr } = await autotune(['trial', '--model', TINY_MLP, '--threads', '1', '--allocator', 'jemalloc', ...SHORT_FLAGS]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^config {6}.* allocator=jemalloc$/m);
  assert.match(stdout, /^read-back {3}verified yes$/m);
  assert.match(stdout, /^ {2}worker 0 pid \d+: .*; allocator \/\S+\/libjemalloc\.so\.2$/m);
  const bad = await autotune(['trial', '--model', TINY_MLP, '--allocator', 'mimalloc']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^autotune: --allocator "mimalloc": [^\n]*expected a memory allocator: glibc, jemalloc, tcmalloc[^\n]*\n$/);
});

function notOnnx(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'autotune-cli-')), 'notes.onnx');
  writeFileSync(path, 'this is not a model\n');
  return path;
}

/** A model onnxruntime loads whose only input is bfloat16, which onnxruntime-node cannot feed. */
function bfloat16Model(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'autotune-cli-')), 'bf16.onnx');
  const graph = {
    name: 'bf16',
    nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['y'], name: 'cast', attributes: { to: { int: 1 } } }],
    initializers: [],
    inputs: [{ name: 'x', elementType: 'bfloat16' as const, dims: ['batch', 4] }],
    outputs: [{ name: 'y', elementType: 'float32' as const, dims: ['batch', 4] }],
  };
  writeFileSync(path, encodeModel({ irVersion: 8, opset: 17, producer: 'autotune-test', graph }));
  return path;
}

const badInputs: Array<[string, () => string[], RegExp]> = [
  ['a missing model file', () => ['--model', '/nonexistent/m.onnx'], /m\.onnx.*not found/],
  ['a file that is not ONNX', () => ['--model', notOnnx()], /notes\.onnx/],
  ['an unsupported input dtype', () => ['--model', bfloat16Model()], /bf16\.onnx.*(bfloat16|data type: 16)/],
  ['a shape that does not fit the model', () => ['--model', TINY_MLP, '--shape', 'x=B,3,224,224'], /x/],
  ['P x T above the usable CPUs', () => ['--model', TINY_MLP, '--processes', '2', '--threads', '2'], /--oversubscribe/],
  ['zero processes', () => ['--model', TINY_MLP, '--processes', '0'], /--processes "0": expected a positive integer/],
  ['an unknown NUMA policy', () => ['--model', TINY_MLP, '--numa', 'nearest'], /--numa "nearest": expected a NUMA policy: none, local, interleave, spread/],
  ['a CI bound out of range', () => ['--model', TINY_MLP, '--ci', '5'], /--ci must be a fraction/],
  ['a window whose minimum exceeds its maximum', () => ['--model', TINY_MLP, '--min-time', '5', '--max-time', '1'], /--min-time/],
];

for (const [what, args, message] of badInputs) {
  test(`autotune trial with ${what}: one line and a non-zero exit`, async () => {
    const { code, stdout, stderr } = await autotune(['trial', ...args(), ...SHORT_FLAGS.slice(0, 2)]);
    assert.notEqual(code, 0);
    assert.equal(stdout, '');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
    assert.match(lines[0]!, /^autotune: /);
    assert.match(lines[0]!, message);
    assert.doesNotMatch(lines[0]!, /internal error|\bat .+:\d+:\d+/);
  });
}
