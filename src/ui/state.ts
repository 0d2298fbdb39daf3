import type { TrialConfig } from '../domain/config.js';
import type { TrialPhase, TrialProgress, TrialResult } from '../runner/types.js';
import { stepVerdict } from '../report/serving-text.js';
import { paretoFront } from '../search/pareto.js';
import type { TrialKind } from '../store/types.js';
import type { FrontPoint, StudyEvent, StudyInfo, StudySummary } from '../study/events.js';

/**
 * The dashboard's view state and the pure reducer that builds it from the core's events. Nothing
 * here renders or keeps time: the components derive what they show from this and a clock.
 */

export interface TrialRow {
  trialId: number;
  number: number;
  config: TrialConfig;
  tps: number;
  p99Ms: number;
  /** Cores kept busy by the workers over the measured window (CPU time / wall time). */
  cpuCores: number;
  noisy: boolean;
  verified: boolean;
  /** Measured before a baseline re-run that showed the machine had changed speed. */
  drift: boolean;
  durationMs: number;
}

export interface FailureRow {
  trialId: number;
  number: number;
  config: TrialConfig;
  error: string;
}

export interface CurrentTrial {
  trialId: number;
  number: number;
  config: TrialConfig;
  reason: string;
  kind: TrialKind;
  /** In a capacity trial: the window open now and the verdicts of those that ended. */
  serving: { offeredRps: number; window: number; ended: string[] } | null;
  /** null between trialStarted and the runner's first phase. */
  phase: TrialPhase | null;
  /** Live figures; only while measuring. */
  progress: TrialProgress | null;
}

export interface DashboardState {
  study: StudyInfo | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  finish: { reason: 'budget' | 'exhausted' | 'interrupted' | 'time'; summary: StudySummary } | null;
  current: CurrentTrial | null;
  /** Trials finished in this run, in order. */
  trials: TrialRow[];
  failures: FailureRow[];
  /** Trials of this run that count against the plan (drift re-runs of the baseline do not). */
  counted: number;
  /** Durations of every trial that ended in this run, for the ETA. */
  durationsMs: number[];
  warnings: string[];
  /** Capacity trials of this run that completed: configuration and capacity (null: none met the SLO). */
  capacities: Array<{ trialId: number; config: TrialConfig; capacityRps: number | null; sloMs: number }>;
}

export const initialState: DashboardState = {
  study: null,
  startedAtMs: null,
  finishedAtMs: null,
  finish: null,
  current: null,
  trials: [],
  failures: [],
  counted: 0,
  durationsMs: [],
  warnings: [],
  capacities: [],
};

/** Only the latest few are shown; older ones are in the plain log and the database. */
const KEPT_WARNINGS = 3;

export function reduce(state: DashboardState, event: StudyEvent): DashboardState {
  switch (event.type) {
    case 'studyStarted':
      return { ...initialState, study: event.study, startedAtMs: Date.parse(event.time) };
    case 'trialStarted':
      return {
        ...state,
        current: { trialId: event.trialId, number: event.number, config: event.config, reason: event.reason, kind: event.kind, serving: null, phase: null, progress: null },
      };
    case 'servingStep': {
      if (state.current?.trialId !== event.trialId) return state;
      const previous = state.current.serving ?? { offeredRps: event.offeredRps, window: event.index, ended: [] };
      const serving =
        event.step === null
          ? { ...previous, offeredRps: event.offeredRps, window: event.index }
          : { ...previous, ended: [...previous.ended, `${Math.round(event.offeredRps)}/s ${stepVerdict(event.step)}`] };
      return { ...state, current: { ...state.current, serving, progress: event.step === null ? null : state.current.progress } };
    }
    case 'capacityFinished': {
      const capacity = event.result.capacity;
      const row = { trialId: event.trialId, config: event.result.config, capacityRps: capacity?.capacityRps ?? null, sloMs: capacity?.sloMs ?? 0 };
      return { ...ended(state, event.trialId, event.result.config, event.durationMs, false), capacities: [...state.capacities, row] };
    }
    case 'trialPhase':
      if (state.current?.trialId !== event.trialId) return state;
      return { ...state, current: { ...state.current, phase: event.phase, progress: event.phase === 'measuring' ? state.current.progress : null } };
    case 'trialProgress':
      if (state.current?.trialId !== event.trialId) return state;
      return { ...state, current: { ...state.current, progress: event.progress } };
    case 'trialFinished':
      return {
        ...ended(state, event.trialId, event.result.config, event.durationMs, state.current?.trialId === event.trialId ? countsOf(state.current.kind) : true),
        trials: [...state.trials, row(event.trialId, event.number, event.result, event.durationMs)],
      };
    case 'trialFailed':
      return {
        ...ended(state, event.trialId, event.config, event.durationMs, state.current?.trialId === event.trialId ? countsOf(state.current.kind) : true),
        failures: [...state.failures, { trialId: event.trialId, number: event.number, config: event.config, error: event.error }],
      };
    case 'baselineDrift': {
      const flagged = new Set(event.flaggedTrials);
      const change = ((event.measuredTps - event.referenceTps) / event.referenceTps) * 100;
      return {
        ...state,
        trials: state.trials.map((t) => (flagged.has(t.trialId) ? { ...t, drift: true } : t)),
        warnings: keep(state.warnings, `baseline drifted ${change >= 0 ? '+' : ''}${change.toFixed(0)}%: ${flagged.size} trial(s) flagged`),
      };
    }
    case 'warning':
      return { ...state, warnings: keep(state.warnings, event.message) };
    case 'studyFinished':
      return { ...state, current: null, finishedAtMs: Date.parse(event.time), finish: { reason: event.reason, summary: event.summary } };
  }
}

/** Confirmation and capacity trials come on top of the plan. */
function countsOf(kind: TrialKind): boolean {
  return kind !== 'confirm' && kind !== 'capacity';
}

function ended(state: DashboardState, trialId: number, config: TrialConfig, durationMs: number, ofThePlan: boolean): DashboardState {
  // The first baseline counts against the budget; later ones are drift and confirmation runs, which do not.
  const baselineSeen = (state.study?.completedTrials ?? 0) > 0 || state.trials.some((t) => t.config.baseline) || state.failures.some((f) => f.config.baseline);
  const counts = ofThePlan && (!config.baseline || !baselineSeen);
  return {
    ...state,
    current: state.current?.trialId === trialId ? null : state.current,
    counted: state.counted + (counts ? 1 : 0),
    durationsMs: [...state.durationsMs, durationMs],
  };
}

function row(trialId: number, number: number, result: TrialResult, durationMs: number): TrialRow {
  const cpuMs = result.workers.reduce((sum, w) => sum + w.cpuTimeMs, 0);
  return {
    trialId,
    number,
    config: result.config,
    tps: result.tps,
    p99Ms: result.latency.p99,
    cpuCores: result.window.measuredMs > 0 ? cpuMs / result.window.measuredMs : 0,
    noisy: result.noisy,
    verified: result.verification.verified,
    drift: false,
    durationMs,
  };
}

function keep(list: readonly string[], item: string): string[] {
  return [...list, item].slice(-KEPT_WARNINGS);
}

/* Derived figures. */

export interface Progress {
  done: number;
  planned: number | null;
  /** null until a trial has ended, once the study has finished, and when it is only time-bound. */
  etaMs: number | null;
}

export function progressOf(state: DashboardState): Progress {
  const done = (state.study?.completedTrials ?? 0) + state.counted;
  const planned = state.study?.plannedTrials ?? null;
  if (planned === null || state.durationsMs.length === 0 || state.finish) return { done, planned, etaMs: null };
  const meanMs = state.durationsMs.reduce((a, b) => a + b, 0) / state.durationsMs.length;
  return { done, planned, etaMs: Math.max(0, planned - done) * meanMs };
}

export interface Standing {
  baseline: FrontPoint | null;
  /** Highest TPS whose p99 meets the SLO (highest TPS when there is none). */
  best: FrontPoint | null;
  gain: { tps: number; p99: number } | null;
  /** Once measured: the pick's capacity under the SLO and the baseline's (requests/s). */
  capacity: { rps: number | null; baselineRps: number | null } | null;
}

/**
 * Best and gain: the study's own summary once it has finished (it covers earlier runs and averages
 * repeats); until then, from the trials of this run.
 */
export function standingOf(state: DashboardState): Standing {
  if (state.finish) {
    const { baseline, best, gain, capacity, baselineCapacity } = state.finish.summary;
    const g = gain?.total ?? gain?.placement ?? null;
    return {
      baseline,
      best,
      gain: g === null ? null : { tps: g.tps.ratio, p99: g.p99.ratio },
      capacity: capacity === null ? null : { rps: capacity.capacityRps, baselineRps: baselineCapacity?.capacityRps ?? null },
    };
  }
  const points = state.trials.map(pointOf);
  const slo = state.study?.sloMs ?? null;
  const baseline = points.find((p) => p.config.baseline) ?? null;
  const best = points
    .filter((p) => slo === null || p.p99Ms <= slo)
    .reduce<FrontPoint | null>((top, p) => (top === null || p.tps > top.tps ? p : top), null);
  const served = state.capacities.filter((c) => !c.config.baseline && c.capacityRps !== null).sort((a, b) => b.capacityRps! - a.capacityRps!)[0];
  const baseCapacity = state.capacities.find((c) => c.config.baseline) ?? null;
  return {
    baseline,
    best,
    gain: best && baseline ? { tps: best.tps / baseline.tps, p99: best.p99Ms / baseline.p99Ms } : null,
    capacity: served === undefined ? null : { rps: served.capacityRps, baselineRps: baseCapacity?.capacityRps ?? null },
  };
}

export interface PlotPoint extends FrontPoint {
  onFront: boolean;
}

/**
 * Every trial of this run and, once the study has finished, the front points of earlier runs of a
 * resumed study (the events of those runs are not replayed); the front marks come from paretoFront.
 */
export function plotPointsOf(state: DashboardState): PlotPoint[] {
  const points = state.trials.map(pointOf);
  const seen = new Set(points.map((p) => p.trialId));
  for (const p of state.finish?.summary.front ?? []) if (!seen.has(p.trialId)) points.push(p);
  const front = new Set(paretoFront(points));
  return points.map((p) => ({ ...p, onFront: front.has(p) }));
}

function pointOf(t: TrialRow): FrontPoint {
  return { trialId: t.trialId, config: t.config, tps: t.tps, p99Ms: t.p99Ms };
}
