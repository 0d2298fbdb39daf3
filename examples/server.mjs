#!/usr/bin/env node
/**
 * An inference server that runs as autotune measured it: one onnxruntime session per process
 * built by autotune/runtime from the AUTOTUNE_* variables, requests gathered into batches of up to
 * the tuned batch size, a partial batch waiting at most the tuned queue delay.
 *
 *   autotune launch --pick slo -- node examples/server.mjs --port {port}
 *
 * POST /infer  one sample of the model's (single, float32) input: a JSON body {"input": [numbers]}
 *              or the raw little-endian float32 bytes (Content-Type: application/octet-stream).
 *              Answers {"output": [numbers]}, the first output's row for that sample.
 * GET /health  {"status": "ok", ...}: the instance, its model, the sample size, batch and delay.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { tunedRuntime } from 'autotune/runtime';

function fail(message) {
  process.stderr.write(`server: ${message}\n`);
  process.exit(2);
}

const { values: flags } = parseArgs({
  options: { port: { type: 'string' }, model: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } },
});

let tuned;
try {
  tuned = tunedRuntime();
} catch (e) {
  fail(e.message);
}
const port = Number(flags.port ?? tuned.settings.port ?? NaN);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail('give the port: --port N (autotune launch replaces {port}), or set AUTOTUNE_PORT');
const modelPath = flags.model ?? tuned.settings.model;
if (modelPath === undefined || modelPath === null) fail('give the model: --model FILE.onnx, or set AUTOTUNE_MODEL (autotune launch sets it to the model the trial loaded)');

let session;
try {
  session = await ort.InferenceSession.create(modelPath, tuned.sessionOptions);
} catch (e) {
  fail(`cannot load ${modelPath}: ${String(e.message).split('\n')[0]}`);
}
const input = session.inputMetadata[0];
if (session.inputMetadata.length !== 1 || !input.isTensor || input.type !== 'float32') {
  fail(`${modelPath}: this example serves models with one float32 input; this one has ${session.inputMetadata.map((m) => `${m.name} (${m.isTensor ? m.type : 'not a tensor'})`).join(', ')}`);
}
const [batchDim, ...sampleDims] = input.shape;
if (batchDim === undefined || sampleDims.some((d) => typeof d !== 'number')) {
  fail(`${modelPath}: input ${input.name} has shape [${input.shape.join(', ')}]; this example needs a leading batch dimension and fixed sizes after it`);
}
/** A model built for one batch size takes only full batches: partial ones are padded with zeros. */
const fixedBatch = typeof batchDim === 'number' ? batchDim : null;
const sampleSize = sampleDims.reduce((a, b) => a * b, 1);
const outputName = session.outputNames[0];
const maxBatch = fixedBatch ?? tuned.batch;

/** Requests waiting for a batch: { data: Float32Array, arrived: ms, resolve, reject }. */
const queue = [];
let running = false;
let timer = null;

function schedule() {
  if (running || queue.length === 0) return;
  clearTimeout(timer);
  timer = null;
  const waited = performance.now() - queue[0].arrived;
  if (queue.length >= maxBatch || waited >= tuned.maxQueueDelayMs) {
    void runBatch();
  } else {
    timer = setTimeout(schedule, tuned.maxQueueDelayMs - waited);
  }
}

async function runBatch() {
  running = true;
  const batch = queue.splice(0, maxBatch);
  const rows = fixedBatch ?? batch.length;
  const data = new Float32Array(rows * sampleSize);
  batch.forEach((r, i) => data.set(r.data, i * sampleSize));
  try {
    const out = (await session.run({ [input.name]: new ort.Tensor('float32', data, [rows, ...sampleDims]) }))[outputName];
    const width = out.data.length / out.dims[0];
    batch.forEach((r, i) => r.resolve(Array.from(out.data.subarray(i * width, (i + 1) * width))));
  } catch (e) {
    for (const r of batch) r.reject(e);
  } finally {
    running = false;
    schedule();
  }
}

function infer(data) {
  return new Promise((resolve, reject) => {
    queue.push({ data, arrived: performance.now(), resolve, reject });
    schedule();
  });
}

function parseSample(req, body) {
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
    const values = JSON.parse(body.toString('utf8'))?.input;
    if (!Array.isArray(values) || values.length !== sampleSize || values.some((v) => typeof v !== 'number')) {
      throw new Error(`expected {"input": [${sampleSize} numbers]} (input ${input.name}, one sample of shape [${sampleDims.join(', ')}])`);
    }
    return Float32Array.from(values);
  }
  if (body.length !== sampleSize * 4) throw new Error(`expected ${sampleSize * 4} bytes of float32 (one sample of ${input.name}), got ${body.length}`);
  // Copied: the body's buffer may not be 4-byte aligned.
  return new Float32Array(new Uint8Array(body).buffer);
}

function reply(res, status, doc) {
  const text = JSON.stringify(doc);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const health = {
  status: 'ok',
  instance: tuned.settings.instance,
  pid: process.pid,
  model: modelPath,
  input: { name: input.name, type: input.type, sampleShape: sampleDims, sampleSize },
  batch: maxBatch,
  maxQueueDelayMs: tuned.maxQueueDelayMs,
  intraOpThreads: tuned.settings.intraOpThreads,
};

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return reply(res, 200, health);
  if (req.method !== 'POST' || req.url !== '/infer') return reply(res, 404, { error: 'POST /infer or GET /health' });
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    // A JSON number takes at most ~25 characters; anything far beyond that is not one sample.
    if (size > sampleSize * 32 + 1024) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => {
    let sample;
    try {
      sample = parseSample(req, Buffer.concat(chunks));
    } catch (e) {
      return reply(res, 400, { error: e.message });
    }
    infer(sample).then(
      (output) => reply(res, 200, { output }),
      (e) => reply(res, 500, { error: String(e.message).split('\n')[0] }),
    );
  });
});
server.keepAliveTimeout = 30_000;

const stop = () => server.close(() => void session.release().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.listen(port, flags.host, () => {
  process.stderr.write(`server: instance ${health.instance ?? '-'} pid ${process.pid} serving ${modelPath} on http://${flags.host}:${port} (batch ${maxBatch}, max queue delay ${tuned.maxQueueDelayMs} ms)\n`);
});
