import assert from 'node:assert/strict';
import test from 'node:test';

import { driveHttpLoad, type HttpLoadOptions } from '../../src/runner/http-load.js';

/** 2000 req/s over two targets for 0.4 s after 0.1 s of warm-up: about 800 recorded arrivals. */
const BASE: Omit<HttpLoadOptions, 'send'> = { targets: 2, arrivals: 'constant', ratePerS: 2000, seed: 7, warmupMs: 100, durationMs: 400, drainMs: 200, intervalMs: 100 };

test('each target gets its own stream at rate / N, and every answered arrival is recorded once', async () => {
  const sent = [0, 0];
  const result = await driveHttpLoad({ ...BASE, send: async (t) => void sent[t]!++ });
  assert.equal(result.failed, 0);
  assert.equal(result.censored, 0);
  assert.equal(result.completed, result.scheduled);
  assert.equal(result.latency.total, result.completed);
  // Constant arrivals at 2000/s: 800 in the recorded 0.4 s, 200 in the warm-up (sent, not recorded).
  assert.ok(Math.abs(result.scheduled - 800) <= 2, String(result.scheduled));
  assert.ok(Math.abs(sent[0]! - sent[1]!) <= 1, `split evenly: ${sent.join(' ')}`);
  assert.ok(Math.abs(sent[0]! + sent[1]! - 1000) <= 2);
  assert.equal(result.intervals.length, 4);
  assert.ok(result.intervals.every((i) => i.expected === 200));
});

test('requests still unanswered at the end of the drain are censored with their latency so far; failures are counted', async () => {
  const started = performance.now();
  const hung = await driveHttpLoad({ ...BASE, send: (t) => (t === 0 ? Promise.resolve() : new Promise<void>(() => undefined)) });
  assert.ok(Math.abs(hung.censored - hung.scheduled / 2) <= 1, `${hung.censored} of ${hung.scheduled}`);
  assert.equal(hung.completed + hung.censored, hung.scheduled);
  assert.equal(hung.latency.total, hung.scheduled, 'censored requests are in the latency histogram');
  // The oldest hung request waited from its arrival to the end of the drain: at least drainMs.
  assert.ok(hung.latency.maxUs >= BASE.drainMs * 1000, String(hung.latency.maxUs));
  assert.ok(performance.now() - started >= BASE.warmupMs + BASE.durationMs + BASE.drainMs - 5);

  const refused = await driveHttpLoad({ ...BASE, send: () => Promise.reject(new Error('ECONNREFUSED')) });
  assert.equal(refused.failed, refused.scheduled);
  assert.equal(refused.completed, 0);
  assert.equal(refused.firstFailure, 'ECONNREFUSED');
  assert.ok(refused.intervals.every((i) => i.completed === 0));
});
