import assert from 'node:assert/strict';
import test from 'node:test';

import { runTrial } from '../../src/runner/index.js';
import { config, request } from './helpers.js';

// A real onnxruntime session built with the later session axes away from their defaults: a level
// or option onnxruntime-node did not take would fail the session's creation, and so the trial.
test('a trial runs with basic graph optimization and the CPU arena off, pinned and verified', async () => {
  const result = await runTrial(await request({ config: config({ graphOptimization: 'basic', cpuArena: false }) }));
  assert.equal(result.config.graphOptimization, 'basic');
  assert.equal(result.config.cpuArena, false);
  assert.ok(result.tps > 0);
  assert.ok(result.latency.count >= 100);
  assert.deepEqual(result.verification, { verified: true, mismatches: [] });
});

test('numa preferred: the launcher sets the policy and the worker reads it back from the kernel', async () => {
  const result = await runTrial(await request({ config: config({ numa: 'preferred' }) }));
  assert.deepEqual(result.plan.workers.map((w) => [w.memPolicy, w.mems]), [['preferred', [0]]]);
  assert.deepEqual(result.readBack[0]!.memPolicy, { mode: 'preferred', nodes: [0] });
  assert.deepEqual(result.verification, { verified: true, mismatches: [] });
});
