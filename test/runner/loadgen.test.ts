import assert from 'node:assert/strict';
import test from 'node:test';
import { ClosedLoop } from '../../src/runner/loadgen.js';

/** An inference that takes one event-loop turn, like onnxruntime-node's run(). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('the closed loop records only while a sink is set, and stop ends it', async () => {
  let calls = 0;
  const loop = new ClosedLoop(async () => {
    calls++;
    await turn();
  });
  const recorded: number[] = [];
  const done = loop.start();
  while (calls < 20) await turn();
  assert.equal(recorded.length, 0);
  loop.recordInto({ record: (us) => recorded.push(us) });
  const from = calls;
  while (calls < from + 50) await turn();
  loop.recordInto(null);
  const inWindow = recorded.length;
  assert.ok(inWindow >= 49 && inWindow <= 51, `recorded ${inWindow}`);
  for (const us of recorded) assert.ok(us >= 0 && us < 1e6);
  await loop.stop();
  await done;
  const atStop = calls;
  await turn();
  assert.equal(calls, atStop);
  assert.equal(recorded.length, inWindow);
});

test('an inference that throws rejects the loop', async () => {
  const loop = new ClosedLoop(async () => {
    await turn();
    throw new Error('bad input shape');
  });
  await assert.rejects(loop.start(), /bad input shape/);
});
