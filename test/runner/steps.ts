import type { SloVerdict } from '../../src/measure/index.js';
import type { LatencyRecord, ServingStep } from '../../src/domain/results.js';

/**
 * A ServingStep with the figures a test sets and the rest empty, for code that judges steps
 * (capacity search, study loop, reports) without running a window.
 */
export function servingStep(offeredRps: number, over: { sloMs?: number; verdict?: SloVerdict; latency?: LatencyRecord; scheduled?: number; exceeding?: number } = {}): ServingStep {
  const empty: LatencyRecord = { summary: null, histogram: { unit: 'us', subBuckets: 128, counts: [], total: 0, minUs: 0, maxUs: 0, sumUs: 0, sumSquaresUs: 0 } };
  const scheduled = over.scheduled ?? over.latency?.histogram.total ?? 0;
  return {
    offeredRps,
    scheduled,
    achievedRps: offeredRps,
    windowMs: 1000,
    latency: over.latency ?? empty,
    queueWait: empty,
    service: empty,
    queueShare: null,
    overloaded: false,
    overloadReason: 'not overloaded',
    backlog: { start: 0, end: 0, max: 0 },
    censored: 0,
    slo: over.sloMs === undefined ? null : { sloMs: over.sloMs, exceeding: over.exceeding ?? 0, verdict: over.verdict ?? 'undecided', early: false },
    dispatchCpuMs: 0,
    tunerCpuMs: 0,
    wakeLatenessP99Us: null,
    stable: over.verdict !== undefined && over.verdict !== 'undecided',
    disturbance: null,
    disturbed: [],
    reason: 'made by the test',
    startedAt: '',
    finishedAt: '',
  };
}
