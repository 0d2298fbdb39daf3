import test from 'node:test';
import assert from 'node:assert/strict';
import { coefficientOfVariation } from 'simple-statistics';
import { noiseReasons, workerDisagreement, WORKER_TPS_CV_LIMIT } from '../../src/measure/noise.js';

test('worker disagreement is the coefficient of variation of their TPS', () => {
  assert.equal(workerDisagreement([500]), 0);
  assert.equal(workerDisagreement([]), 0);
  assert.equal(workerDisagreement([0, 0]), 0);
  assert.equal(workerDisagreement([400, 400, 400]), 0);
  assert.equal(workerDisagreement([100, 120, 90]), coefficientOfVariation([100, 120, 90]));
});

test('noise reasons name the disagreement and the unstable window', () => {
  assert.deepEqual(noiseReasons({ perWorkerTps: [1000, 1040], stable: true, stabilityReason: 'p99 stable' }), []);
  const reasons = noiseReasons({
    perWorkerTps: [1000, 600],
    stable: false,
    stabilityReason: 'p99 did not stabilise within 30 s (95% CI of p99 ±8.1%, bound ±5%)',
  });
  assert.deepEqual(reasons, ['workers disagree: TPS CV 35% > 10%', 'p99 did not stabilise within 30 s (95% CI of p99 ±8.1%, bound ±5%)']);
  assert.equal(WORKER_TPS_CV_LIMIT, 0.1);
  // Just past the limit is flagged, just below is not.
  assert.equal(noiseReasons({ perWorkerTps: [100, 115.8], stable: true, stabilityReason: '' }).length, 1);
  assert.equal(noiseReasons({ perWorkerTps: [100, 115], stable: true, stabilityReason: '' }).length, 0);
});
