import test from 'node:test';
import assert from 'node:assert/strict';
import { paretoFront } from '../../src/search/pareto.js';
import type { StudyEvent } from '../../src/study/events.js';
import { initialState, plotPointsOf, progressOf, reduce, standingOf, type DashboardState } from '../../src/ui/state.js';
import { recorded } from './events.js';

const replay = (events: readonly StudyEvent[]): DashboardState => events.reduce(reduce, initialState);
const of = <T extends StudyEvent['type']>(events: readonly StudyEvent[], type: T) =>
  events.filter((e): e is Extract<StudyEvent, { type: T }> => e.type === type);

test('a normal study: every finished trial is a row, progress reaches the plan, no trial left current', () => {
  const events = recorded('normal');
  const state = replay(events);
  const finished = of(events, 'trialFinished');
  assert.deepEqual(state.trials.map((t) => t.trialId), finished.map((e) => e.trialId));
  assert.equal(state.current, null);
  const started = of(events, 'studyStarted')[0]!.study;
  assert.deepEqual(progressOf(state), { done: finished.length, planned: started.plannedTrials, etaMs: null });
  assert.equal(state.finish?.reason, of(events, 'studyFinished')[0]!.reason);
  const first = finished[0]!.result;
  const cpuMs = first.workers.reduce((s, w) => s + w.cpuTimeMs, 0);
  assert.equal(state.trials[0]!.cpuCores, cpuMs / first.window.measuredMs);
  assert.equal(state.trials[0]!.verified, first.verification.verified);
});

test('the current trial follows its phases and keeps live figures only while measuring', () => {
  const events = recorded('normal');
  const firstProgress = events.findIndex((e) => e.type === 'trialProgress');
  const measuring = replay(events.slice(0, firstProgress + 1));
  const progress = events[firstProgress] as Extract<StudyEvent, { type: 'trialProgress' }>;
  assert.equal(measuring.current?.phase, 'measuring');
  assert.deepEqual(measuring.current?.progress, progress.progress);
  const cooldown = events.findIndex((e, i) => i > firstProgress && e.type === 'trialPhase' && e.phase === 'cooldown');
  const after = replay(events.slice(0, cooldown + 1));
  assert.equal(after.current?.phase, 'cooldown');
  assert.equal(after.current?.progress, null);
});

test('ETA is the mean measured trial duration times the trials left', () => {
  const events = recorded('normal');
  const second = events.findIndex((e, i) => e.type === 'trialFinished' && i > events.findIndex((f) => f.type === 'trialFinished'));
  const state = replay(events.slice(0, second + 1));
  const durations = of(events.slice(0, second + 1), 'trialFinished').map((e) => e.durationMs);
  const planned = of(events, 'studyStarted')[0]!.study.plannedTrials!;
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  assert.deepEqual(progressOf(state), { done: 2, planned, etaMs: (planned - 2) * mean });
});

test('a failed trial is kept with its reason and counts toward progress', () => {
  const events = recorded('failures');
  const state = replay(events);
  const failed = of(events, 'trialFailed');
  assert.ok(failed.length > 0);
  assert.deepEqual(state.failures.map((f) => f.error), failed.map((e) => e.error));
  assert.equal(progressOf(state).done, of(events, 'trialFinished').length + failed.length);
});

test('a resumed study counts the trials done before and, once finished, plots the earlier front', () => {
  const events = recorded('resumed');
  const info = of(events, 'studyStarted')[0]!.study;
  assert.equal(info.resumed, true);
  const running = replay(events.slice(0, -1));
  assert.equal(progressOf(running).done, info.completedTrials + of(events, 'trialFinished').length);
  const state = replay(events);
  const summary = of(events, 'studyFinished')[0]!.summary;
  const total = summary.gain!.total!;
  assert.deepEqual(standingOf(state), { baseline: summary.baseline, best: summary.best, gain: { tps: total.tps.ratio, p99: total.p99.ratio }, capacity: null });
  const points = plotPointsOf(state);
  const ids = new Set(points.map((p) => p.trialId));
  for (const p of summary.front) assert.ok(ids.has(p.trialId), `front trial ${p.trialId} plotted`);
  assert.deepEqual(
    points.filter((p) => p.onFront).map((p) => p.trialId),
    paretoFront(points).map((p) => p.trialId).sort((a, b) => points.findIndex((q) => q.trialId === a) - points.findIndex((q) => q.trialId === b)),
  );
});

test('live standing: best is the highest TPS under the SLO, gain against the baseline', () => {
  const events = recorded('failures');
  const state = replay(events.slice(0, -1));
  const slo = of(events, 'studyStarted')[0]!.study.sloMs!;
  const rows = of(events, 'trialFinished').map((e) => e.result);
  const under = rows.filter((r) => r.latency.p99 <= slo).sort((a, b) => b.tps - a.tps)[0]!;
  const baseline = rows.find((r) => r.config.baseline)!;
  const standing = standingOf(state);
  assert.equal(standing.best?.tps, under.tps);
  assert.equal(standing.gain?.tps, under.tps / baseline.tps);
});

test('a drift check flags the trials it names and does not count against the plan', () => {
  const events = recorded('normal');
  const base = replay(events.slice(0, -1));
  const flagged = base.trials.slice(1, 3).map((t) => t.trialId);
  const baselineRun = of(events, 'trialFinished').find((e) => e.result.config.baseline)!;
  const time = baselineRun.time;
  const rerun: StudyEvent[] = [
    { ...baselineRun, trialId: 99, number: 99 },
    { type: 'baselineDrift', time, trialId: 99, referenceTps: 100, measuredTps: 80, referenceP99Ms: 2, measuredP99Ms: 2.1, reason: 'baseline moved: TPS -20%', flaggedTrials: flagged },
  ];
  const state = rerun.reduce(reduce, base);
  assert.deepEqual(state.trials.filter((t) => t.drift).map((t) => t.trialId), flagged);
  assert.equal(progressOf(state).done, progressOf(base).done);
  assert.match(state.warnings.at(-1)!, /drifted -20%: 2 trial\(s\) flagged/);
});
