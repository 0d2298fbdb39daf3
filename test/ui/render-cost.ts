/**
 * How much the dashboard costs the tuner: replays a recorded study with every trial's measuring
 * phase flooded with progress events (1000 a second, far more than the runner sends) into
 * startDashboard on a 120x40 stand-in terminal, and prints the redraws and the CPU time used.
 * `node dist/test/ui/render-cost.js [seconds] [none]` (README, Terminal UI, quotes its output); with
 * `none` the same replay feeds no dashboard, which gives the cost of the replay itself.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { StudyEvent } from '../../src/study/events.js';
import { REDRAW_INTERVAL_MS, startDashboard } from '../../src/ui/index.js';
import { recorded } from './events.js';
import { asStdin, asStdout, FakeInput, FakeTerminal } from './terminal.js';

const seconds = Number(process.argv[2] ?? 5);
const withUi = process.argv[3] !== 'none';
const EVENTS_PER_TICK = 10;
const TICK_MS = 10;

const study = recorded('failures');
const terminal = new FakeTerminal(120, 40);
const dashboard = withUi
  ? startDashboard({ stdout: asStdout(terminal), stdin: asStdin(new FakeInput()), onQuit: () => undefined })
  : { listener: (_: StudyEvent): void => undefined, done: async (): Promise<void> => undefined };

const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
let events = 0;
const push = (event: StudyEvent): void => {
  events++;
  dashboard.listener(event);
};
const measuring = study.findIndex((e) => e.type === 'trialPhase' && e.phase === 'measuring');
for (const event of study.slice(0, measuring + 1)) push(event);
const trialId = (study[measuring] as Extract<StudyEvent, { type: 'trialPhase' }>).trialId;
const end = performance.now() + seconds * 1000;
for (let i = 0; performance.now() < end; i++) {
  for (let j = 0; j < EVENTS_PER_TICK; j++) {
    const n = i * EVENTS_PER_TICK + j;
    push({ type: 'trialProgress', time: new Date().toISOString(), trialId, progress: { elapsedMs: n, inferences: n, tps: 1000 + (n % 97), p99Ms: 5 + (n % 13) / 10 } });
  }
  await delay(TICK_MS);
}
for (const event of study.slice(measuring + 1)) push(event);
await dashboard.done();
const wallMs = performance.now() - wallBefore;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
const frames = terminal.frames().length;
console.log(
  `${withUi ? 'dashboard' : 'no dashboard'}: ${events} events in ${(wallMs / 1000).toFixed(1)} s, ${frames} frames ` +
    `(${(frames / (wallMs / 1000)).toFixed(1)}/s, limit ${1000 / REDRAW_INTERVAL_MS}/s), CPU ${cpuMs.toFixed(0)} ms (${((cpuMs / wallMs) * 100).toFixed(1)}% of one core)`,
);
