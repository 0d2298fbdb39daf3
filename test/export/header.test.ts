import assert from 'node:assert/strict';
import test from 'node:test';
import { provenance } from '../../src/export/header.js';
import { config, trialResult } from '../store/fixtures.js';

const measured = trialResult(config(), 1);

test("an export's provenance line gives the p99 CI, or says there were too few samples for one", () => {
  const chosen = { studyName: 'night', trialId: 3, trialNumber: 3, reason: 'picked by trial id' };
  assert.match(provenance({ ...chosen, result: measured })[1]!, /p99 [\d.]+ ms \(95% CI: [\d.]+-[\d.]+\), /);
  assert.match(provenance({ ...chosen, result: { ...measured, latency: { ...measured.latency, p99Ci: null } } })[1]!, /p99 [\d.]+ ms \(95% CI: too few samples\), /);
});
