import assert from 'node:assert/strict';
import test from 'node:test';
import { provenance } from '../../src/export/header.js';
import type { ReportCapacity } from '../../src/report/types.js';
import { config, trialResult } from '../store/fixtures.js';

const measured = trialResult(config(), 1);

test("an export's provenance line gives the p99 CI, or says there were too few samples for one", () => {
  const chosen = { studyName: 'night', trialId: 3, trialNumber: 3, reason: 'picked by trial id', capacity: null };
  assert.match(provenance({ ...chosen, result: measured })[1]!, /p99 [\d.]+ ms \(95% CI: [\d.]+-[\d.]+\), /);
  assert.match(provenance({ ...chosen, result: { ...measured, latency: { ...measured.latency, p99Ci: null } } })[1]!, /p99 [\d.]+ ms \(95% CI: too few samples\), /);
});

test('an export of a configuration whose capacity was measured says what it sustains, open loop', () => {
  const capacity: ReportCapacity = {
    trialId: 9, config: measured.config, label: 'p1 t1 none b1 spin', sloMs: 100, capacityRps: 55, bracket: [55, 60.2], ceilingRps: 70,
    uncertain: false, load: { arrivals: 'poisson', dispatch: 'shared', maxQueueDelayMs: 2, seed: 1 },
    atCapacity: { p99Ms: 91, p99Ci: [88, 96], queueShare: 0.4, achievedRps: 54.8 }, steps: [], gain: null,
  };
  const lines = provenance({ studyName: 'night', trialId: 3, trialNumber: 3, reason: 'slo pick', result: measured, capacity });
  assert.match(lines[1]!, /\(closed loop: throughput at saturation, p99 of service time\)$/);
  assert.equal(lines[2], 'Serving: sustains 55.0 req/s at p99 <= 100 ms (open loop, Poisson arrivals, shared dispatch; capacity in 55.0-60.2 req/s)');
  assert.equal(lines[3], 'Why: slo pick');
});
