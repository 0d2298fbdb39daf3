import assert from 'node:assert/strict';
import test from 'node:test';
import { configurationPoints } from '../../src/report/points.js';
import { recommend } from '../../src/report/recommend.js';
import { pointRow } from '../../src/report/render-text.js';
import { trialRecord } from '../fixtures/report/trial-record.js';

test('a configuration measured once with too few samples for a p99 CI shows none, in every text', () => {
  const short = trialRecord({ processes: 2 }, 300, 4, { p99CiLow: null, p99CiHigh: null });
  const measured = [trialRecord({ threads: 2 }, 200, 5, { p99CiLow: 4.8, p99CiHigh: 5.3 }), trialRecord({ threads: 2 }, 220, 5.2, { p99CiLow: 5, p99CiHigh: 5.6 })];
  const points = configurationPoints([short, ...measured]);
  const [none, envelope] = points;
  assert.equal(none!.p99Ci, null);
  assert.deepEqual(envelope!.p99Ci, [4.8, 5.6], 'the envelope of both measurements');
  assert.equal(pointRow(none!)[3], 'too few samples');
  assert.equal(pointRow(envelope!)[3], '4.80-5.60');
  const latency = recommend({ front: [none!], points, trials: [short, ...measured], sloMs: null, userBatch: 1, capacities: [] }).find((r) => r.pick === 'latency');
  assert.match(latency!.reason, /^lowest p99 measured: 4\.00 ms \(95% CI: too few samples\) at 300 samples\/s$/);
});

test('one measurement without a CI leaves its configuration without an envelope', () => {
  const [point] = configurationPoints([trialRecord({}, 100, 3, { p99CiLow: 2.9, p99CiHigh: 3.2 }), trialRecord({}, 110, 3.1, { p99CiLow: null, p99CiHigh: null })]);
  assert.equal(point!.p99Ci, null);
});
