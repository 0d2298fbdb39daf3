import assert from 'node:assert/strict';
import test from 'node:test';
import { runServing, runTrial } from '../../src/runner/index.js';
import type { LoadSettings, RunnerEvent, ServingStep } from '../../src/runner/types.js';
import { assertNothingLeft, config, request } from './helpers.js';

const LOAD: LoadSettings = { arrivals: 'poisson', dispatch: 'shared', maxQueueDelayMs: 2, seed: 3 };
/** Windows long enough for a few thousand requests of the tiny model, short enough for the suite. */
const WINDOW = { warmupMs: 300, minMs: 1500, maxMs: 2000, minSamples: 100, p99CiBound: 0.05 };

test('open loop on a built-in model: half the closed-loop throughput is served as offered, one and a half is overloaded, and no worker is left', async () => {
  const base = await request({ config: config({ processes: 2 }), measure: WINDOW });
  const closed = await runTrial(base);
  const pids: number[] = [];
  const onEvent = (e: RunnerEvent): void => {
    if (e.type === 'phase' && e.pids) pids.splice(0, pids.length, ...e.pids);
  };
  const tag = 'serving-live';
  const result = await runServing({ ...base, load: LOAD }, { kind: 'rates', ratesRps: [0.5 * closed.tps, 1.5 * closed.tps] }, { onEvent, tag });
  assertNothingLeft(pids, tag);
  const [half, over] = result.steps as [ServingStep, ServingStep];

  // Every request scheduled in the window was served or counted as never served.
  for (const step of result.steps) assert.equal(step.latency.histogram.total, step.scheduled);
  // Served as offered: the achieved rate is the schedule's, within 2%.
  const offeredInWindow = half.scheduled / (half.windowMs / 1000);
  assert.ok(Math.abs(half.achievedRps / offeredInWindow - 1) < 0.02, `served ${half.achievedRps} of ${offeredInWindow} req/s`);
  assert.equal(half.overloaded, false, half.overloadReason);
  assert.equal(half.censored, 0);
  assert.ok(half.latency.summary !== null && half.service.summary !== null);
  assert.ok(half.latency.summary.p50 >= half.service.summary.p50 * 0.999, 'latency from schedule includes the service time');

  assert.equal(over.overloaded, true, over.overloadReason);
  assert.match(over.overloadReason, /kept growing/);
  assert.ok(over.achievedRps < 0.9 * over.offeredRps, `served ${over.achievedRps} of ${over.offeredRps} offered`);
  assert.ok(over.backlog.end > over.backlog.start);
  assert.equal(result.verification.verified, true, result.verification.mismatches.join('; '));
});
