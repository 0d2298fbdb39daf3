import test from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import { act } from 'react';
import { paretoFront } from '../../src/search/pareto.js';
import type { StudyEvent } from '../../src/study/events.js';
import { App } from '../../src/ui/App.js';
import { createFeed } from '../../src/ui/feed.js';
import { shortConfig } from '../../src/ui/format.js';
import { MARKS } from '../../src/ui/plot.js';
import { plain, recorded } from './events.js';

// Lets act() flush React's updates so each assertion sees the frame the events produce.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

async function mount() {
  const feed = createFeed({ intervalMs: 250 });
  const calls = { quit: 0, interrupt: 0 };
  let app!: ReturnType<typeof render>;
  await act(async () => {
    app = render(<App feed={feed} onQuit={() => calls.quit++} onInterrupt={() => calls.interrupt++} />);
  });
  return {
    calls,
    app,
    frame: () => plain(app.lastFrame()),
    async show(events: readonly StudyEvent[]) {
      await act(async () => {
        for (const event of events) feed.push(event);
        feed.flush();
      });
    },
    async key(data: string) {
      await act(async () => void app.stdin.write(data));
    },
    async resize(columns: number) {
      Object.defineProperty(app.stdout, 'columns', { get: () => columns, configurable: true });
      await act(async () => void app.stdout.emit('resize'));
    },
    async close() {
      await act(async () => app.unmount());
      feed.close();
    },
  };
}

const of = <T extends StudyEvent['type']>(events: readonly StudyEvent[], type: T) =>
  events.filter((e): e is Extract<StudyEvent, { type: T }> => e.type === type);
const flat = (s: string): string => s.replace(/\s+/g, ' ');
/** The plot's grid cells: the lines between its legend and its x axis. */
function plotCells(frame: string): string {
  const lines = frame.split('\n');
  const top = lines.findIndex((l) => l.startsWith('p99 ms'));
  const axis = lines.findIndex((l) => l.includes('└'));
  return lines.slice(top + 1, axis).map((l) => l.slice(l.indexOf('│') + 1)).join('');
}

test('a normal study: header, finished progress, table, no best under the SLO, the front marked', async () => {
  const events = recorded('normal');
  const info = of(events, 'studyStarted')[0]!.study;
  const ui = await mount();
  await ui.show(events);
  const frame = ui.frame();
  assert.match(frame, new RegExp(`study ${info.name} · model ${info.model}`));
  assert.match(frame, new RegExp(`${info.machine.cores} cores · ${info.machine.threads} threads`));
  assert.match(frame, new RegExp(`SLO ${info.sloMs} ms · db ${info.dbPath.replace(/[.]/g, '\\.')}`));
  const finished = of(events, 'trialFinished');
  assert.match(frame, new RegExp(`${finished.length}/${info.plannedTrials} trials`));
  assert.match(frame, /study finished \(budget\)/);
  for (const e of finished.slice(-4)) assert.ok(frame.includes(shortConfig(e.result.config)));
  assert.match(frame, new RegExp(`best under the ${info.sloMs} ms SLO: none: no configuration met it`));
  const points = finished.map((e) => ({ tps: e.result.tps, p99Ms: e.result.latency.p99 }));
  const cells = plotCells(frame);
  assert.equal([...cells].filter((c) => c === MARKS.front).length, paretoFront(points).length);
  assert.doesNotMatch(frame, /q stop gracefully/);
  await ui.close();
});

test('while measuring: the phase and the live TPS and p99', async () => {
  const events = recorded('normal');
  const at = events.findIndex((e) => e.type === 'trialProgress');
  const progress = (events[at] as Extract<StudyEvent, { type: 'trialProgress' }>).progress;
  const ui = await mount();
  await ui.show(events.slice(0, at + 1));
  const frame = ui.frame();
  assert.match(frame, /trial #1 baseline/);
  assert.match(frame, new RegExp(`measuring · live ${progress.tps.toFixed(0)} TPS · p99 ${progress.p99Ms.toFixed(2)} ms`));
  assert.match(frame, /q stop gracefully · \? help/);
  assert.doesNotMatch(frame, /study finished/);
  await ui.close();
});

test('failures: the count and each one-line reason, and the run goes on to its best and gain', async () => {
  const events = recorded('failures');
  const ui = await mount();
  await ui.show(events);
  const frame = ui.frame();
  const failed = of(events, 'trialFailed');
  assert.match(frame, new RegExp(`${failed.length} failed:`));
  for (const f of failed) assert.ok(flat(frame).includes(`#${f.number} ${shortConfig(f.config)}: ${f.error}`), frame);
  const summary = of(events, 'studyFinished')[0]!.summary;
  assert.ok(frame.includes(`${shortConfig(summary.best!.config)} ${summary.best!.tps.toFixed(0)} TPS`));
  const gain = summary.gain!.total!;
  assert.ok(flat(frame).includes(`${gain.tps.ratio.toFixed(2)}x TPS, p99 ${gain.p99.ratio.toFixed(2)}x the baseline's`));
  await ui.close();
});

test('the header shows what the machine checks warn about', async () => {
  const events = recorded('normal').map((e) =>
    e.type === 'studyStarted' ? { ...e, study: { ...e.study, machineWarnings: ['governor: powersave on CPUs 0-1', 'cpu-quota: quota 1.50 CPUs'] } } : e,
  );
  const ui = await mount();
  await ui.show(events.slice(0, 1));
  const lines = ui.frame().split('\n');
  const db = lines.findIndex((l) => l.includes('· db '));
  assert.deepEqual(lines.slice(db + 1, db + 3).map((l) => l.trim()), ['! machine: governor: powersave on CPUs 0-1', '! machine: cpu-quota: quota 1.50 CPUs']);
  await ui.close();
});

test('a resumed study: says so, counts earlier trials, shows the warning it got', async () => {
  const events = recorded('resumed');
  const info = of(events, 'studyStarted')[0]!.study;
  const ui = await mount();
  await ui.show(events);
  const frame = ui.frame();
  assert.match(frame, new RegExp(`\\(resumed, ${info.completedTrials} done before\\)`));
  assert.match(frame, new RegExp(`${info.completedTrials + of(events, 'trialFinished').length}/${info.plannedTrials} trials`));
  for (const w of of(events, 'warning')) assert.ok(flat(frame).includes(`warning: ${w.message}`));
  await ui.close();
});

test('a 60-column terminal: nothing wider, best config, failure reason and front marker still shown', async () => {
  const events = recorded('failures');
  const ui = await mount();
  await ui.show(events);
  await ui.resize(60);
  const frame = ui.frame();
  for (const line of frame.split('\n')) assert.ok(line.length <= 60, `${line.length} columns: "${line}"`);
  const summary = of(events, 'studyFinished')[0]!.summary;
  assert.ok(frame.includes(shortConfig(summary.best!.config)));
  for (const f of of(events, 'trialFailed')) assert.ok(flat(frame).includes(f.error));
  assert.ok(plotCells(frame).includes(MARKS.front));
  // Widening again lays the plot out to the new width.
  await ui.resize(120);
  assert.ok(ui.frame().split('\n').some((l) => l.length > 100));
  await ui.close();
});

test('keys: q stops once, ? toggles help, Ctrl-C is passed on as an interrupt', async () => {
  const events = recorded('normal');
  const ui = await mount();
  await ui.show(events.slice(0, 5));
  await ui.key('?');
  assert.match(ui.frame(), /q {7}stop gracefully/);
  await ui.key('?');
  assert.doesNotMatch(ui.frame(), /q {7}stop gracefully/);
  await ui.key('q');
  await ui.key('q');
  assert.equal(ui.calls.quit, 1);
  assert.match(ui.frame(), /stopping: cleaning up the current trial/);
  await ui.key('\x03');
  assert.equal(ui.calls.interrupt, 1);
  await ui.close();
});

test('the serving phase: which configuration, which rate and the verdict so far, then the capacity against the baseline', async () => {
  const events = recorded('serving');
  // Into the second capacity trial, after one of its windows ended and the next one reported progress.
  const started = of(events, 'trialStarted').filter((e) => e.kind === 'capacity');
  assert.ok(started.length >= 2);
  const second = started[1]!;
  const from = events.indexOf(second);
  const firstWindow = events.findIndex((e, i) => i > from && e.type === 'servingStep' && e.step !== null);
  const live = events.findIndex((e, i) => i > firstWindow && e.type === 'trialProgress' && e.progress.serving !== undefined);
  assert.ok(firstWindow > 0 && live > 0, 'the recording has a window and progress after it');
  const ui = await mount();
  try {
    // Wide enough that the live line is not cut.
    await ui.resize(220);
    await ui.show(events.slice(0, live + 1));
    const progress = events[live]!;
    assert.ok(progress.type === 'trialProgress' && progress.progress.serving);
    const frame = flat(ui.frame());
    assert.ok(frame.includes(`#${second.number} ${shortConfig(second.config)}`), frame);
    assert.match(frame, new RegExp(`serving · offering ${Math.round(progress.progress.serving.offeredRps)}\\S* req/s · served \\S+/s · backlog \\d+ · p99 [\\d.]+ ms from schedule · SLO (meets|misses|undecided so far)`));
    const ended = events[firstWindow]!;
    assert.ok(ended.type === 'servingStep' && ended.step !== null);
    assert.ok(frame.includes(`capacity search: ${Math.round(ended.offeredRps)}/s `), frame);

    await ui.show(events.slice(live + 1));
    const summary = of(events, 'studyFinished')[0]!.summary;
    const finished = flat(ui.frame());
    // The SLO pick is the highest capacity; when no configuration sustained any rate under the SLO there is none.
    if (summary.capacity !== null) assert.match(finished, /capacity \S+ req\/s at the SLO/);
    else assert.match(finished, /best under the 2 ms SLO: none: no configuration met it/);
  } finally {
    await ui.close();
  }
});
