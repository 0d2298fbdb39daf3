import assert from 'node:assert/strict';
import test from 'node:test';
import { createPlainReporter } from '../../src/cli/reporters/plain.js';
import { config, trialResult } from '../store/fixtures.js';

const measured = trialResult(config(), 1);
const short = { ...measured, latency: { ...measured.latency, p99Ci: null } };

test('the plain log prints a p99 CI half-width, or says there were too few samples for one', () => {
  const lines: string[] = [];
  const plain = createPlainReporter((line) => lines.push(line));
  for (const [trialId, result] of [[1, measured], [2, short]] as const) {
    plain({ type: 'trialFinished', time: '2026-01-01T00:00:00.000Z', trialId, number: trialId, result, durationMs: 1500 });
  }
  assert.match(lines[0]!, / ms \(±\d+\.\d\d\) in /);
  assert.match(lines[1]!, / ms \(95% CI: too few samples\) in /);
});
