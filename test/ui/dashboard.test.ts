import test from 'node:test';
import assert from 'node:assert/strict';
import { startDashboard } from '../../src/ui/index.js';
import { plain, recorded } from './events.js';
import { asStdin, asStdout, FakeInput, FakeTerminal } from './terminal.js';

test('startDashboard draws a whole recorded study in a couple of frames and ends on the finished study', async () => {
  const terminal = new FakeTerminal(60, 40);
  let quits = 0;
  const dashboard = startDashboard({ stdout: asStdout(terminal), stdin: asStdin(new FakeInput()), onQuit: () => quits++ });
  const events = recorded('failures');
  for (const event of events) dashboard.listener(event);
  await dashboard.done();
  const frames = terminal.frames();
  // One burst of events is one redraw: the first frame of the app and the final one.
  assert.ok(frames.length >= 1 && frames.length <= 2, `${frames.length} frames for ${events.length} events`);
  const last = plain(frames.at(-1));
  assert.match(last, /study finished \(budget\)/);
  for (const line of last.split('\n')) assert.ok(line.length <= 60, `"${line}"`);
  assert.equal(quits, 0);
});

test('done() before any event unmounts cleanly', async () => {
  const terminal = new FakeTerminal(80, 24);
  const dashboard = startDashboard({ stdout: asStdout(terminal), stdin: asStdin(new FakeInput()), onQuit: () => undefined });
  await dashboard.done();
  assert.match(plain(terminal.frames().at(-1)), /opening the study/);
});
