import test, { mock } from 'node:test';
import assert from 'node:assert/strict';
import { createFeed } from '../../src/ui/feed.js';
import { recorded } from './events.js';

test('a burst of events is published once per interval, with every event reduced', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let clock = 0;
  const feed = createFeed({ intervalMs: 250, now: () => clock });
  let publishes = 0;
  feed.subscribe(() => publishes++);
  const events = recorded('normal');
  for (const event of events) feed.push(event);
  assert.equal(publishes, 0, 'nothing is drawn inside the burst');
  mock.timers.tick(0);
  assert.equal(publishes, 1);
  assert.equal(feed.getSnapshot().trials.length, events.filter((e) => e.type === 'trialFinished').length);

  // Events within the next interval wait for it to end.
  for (const event of events.slice(0, 10)) feed.push(event);
  clock = 100;
  mock.timers.tick(100);
  assert.equal(publishes, 1);
  clock = 250;
  mock.timers.tick(150);
  assert.equal(publishes, 2);
  feed.close();
});

test('flush publishes at once and cancels the pending timer; no change, no publish', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const feed = createFeed({ intervalMs: 250, now: () => 0 });
  let publishes = 0;
  feed.subscribe(() => publishes++);
  const started = recorded('normal')[0]!;
  assert.equal(started.type, 'studyStarted');
  feed.push(started);
  feed.flush();
  assert.equal(publishes, 1);
  assert.equal(feed.getSnapshot().study?.name, started.type === 'studyStarted' ? started.study.name : null);
  mock.timers.tick(1000);
  feed.flush();
  assert.equal(publishes, 1);
  feed.close();
});
