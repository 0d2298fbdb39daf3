import type { CapacityOutcome, LoadSettings, ServingStep } from '../domain/results.js';
import type { ReportCapacity } from './types.js';
import { ciText, fmt } from './recommend.js';

/** `open loop, Poisson arrivals, shared dispatch`: what a serving figure was measured under. */
export function loadLabel(load: Pick<LoadSettings, 'arrivals' | 'dispatch'>): string {
  return `open loop, ${load.arrivals === 'poisson' ? 'Poisson' : 'constant-rate'} arrivals, ${load.dispatch} dispatch`;
}

/** One line per step's outcome: the overload verdict, or p99 against the SLO. */
export function stepVerdict(step: ServingStep): string {
  if (step.overloaded) return `overloaded at ${fmt(step.offeredRps)} req/s`;
  if (step.slo === null) return 'sustained';
  const how = step.slo.verdict === 'undecided' ? ' (undecided: point estimate)' : step.slo.early ? ' (95% certain)' : '';
  const met = step.slo.verdict === 'meets' || (step.slo.verdict === 'undecided' && step.latency.summary !== null && step.latency.summary.p99 <= step.slo.sloMs);
  return `${met ? 'meets' : 'misses'} the ${fmt(step.slo.sloMs)} ms SLO${how}`;
}

export const STEP_HEADER = ['OFFERED/S', 'ACHIEVED/S', 'REQUESTS', 'P50 MS', 'P90 MS', 'P99 MS', 'P99 95% CI', 'P99.9 MS', 'QUEUE SHARE', 'VERDICT'];

export function stepRow(step: ServingStep): string[] {
  const l = step.latency.summary;
  const share = step.queueShare === null ? '-' : `${Math.round(step.queueShare * 100)}%`;
  // An overloaded window's percentiles measure only how long it ran: they are not shown as figures.
  const figure = (v: number | undefined): string => (l === null || v === undefined ? '-' : step.overloaded ? `>${fmt(v)}` : fmt(v));
  return [
    fmt(step.offeredRps),
    fmt(step.achievedRps),
    String(step.scheduled),
    figure(l?.p50),
    figure(l?.p90),
    figure(l?.p99),
    l === null || step.overloaded ? '-' : ciText(l.p99Ci),
    figure(l?.p999),
    share,
    stepVerdict(step),
  ];
}

/** `sustains 55.0 req/s at p99 <= 100 ms (open loop, Poisson arrivals, shared dispatch)`. */
export function capacityText(capacity: Pick<CapacityOutcome, 'sloMs' | 'capacityRps' | 'bracket' | 'uncertain'>, load: Pick<LoadSettings, 'arrivals' | 'dispatch'>): string {
  const under = `${fmt(capacity.sloMs)} ms`;
  if (capacity.capacityRps === null) {
    return `meets p99 <= ${under} at no rate tried (the lowest, ${fmt(capacity.bracket[1])} req/s, missed it; ${loadLabel(load)})`;
  }
  const uncertain = capacity.uncertain ? '; a deciding window was undecided at its maximum time or disturbed by other processes' : '';
  return `sustains ${fmt(capacity.capacityRps)} req/s at p99 <= ${under} (${loadLabel(load)}; capacity in ${fmt(capacity.bracket[0])}-${fmt(capacity.bracket[1])} req/s${uncertain})`;
}

export const CAPACITY_HEADER = ['CONFIG', 'CAPACITY REQ/S', 'BRACKET', 'P99 MS THERE', 'P99 95% CI', 'QUEUE SHARE', 'VS BASELINE', 'WINDOWS'];

/** One row of the capacity table: what the configuration sustains under the SLO, and its gain. */
export function capacityRow(c: ReportCapacity): string[] {
  const at = c.atCapacity;
  const gain = c.gain?.total ?? c.gain?.placement ?? null;
  const vs = c.config.baseline ? 'baseline' : gain === null ? '-' : `${gain.ratio.toFixed(2)}x (b${gain.baselineBatch}; ${gain.bounds[0].toFixed(2)}-${gain.bounds[1].toFixed(2)})`;
  return [
    c.label,
    c.capacityRps === null ? 'none' : `${fmt(c.capacityRps)}${c.uncertain ? '?' : ''}`,
    `${fmt(c.bracket[0])}-${fmt(c.bracket[1])}`,
    at === null ? '-' : fmt(at.p99Ms),
    at === null ? '-' : ciText(at.p99Ci),
    at?.queueShare == null ? '-' : `${Math.round(at.queueShare * 100)}%`,
    vs,
    String(c.steps.length),
  ];
}

/** The lines under the capacity table: what its figures are. */
export function capacityNotes(capacities: readonly ReportCapacity[]): string[] {
  const first = capacities[0];
  if (first === undefined) return [];
  return [
    `Latency counted from each request's scheduled arrival (${loadLabel(first.load)}): queue wait plus service, as a deployment at that rate sees it.`,
    'Capacity: the highest offered rate whose p99 met the SLO at 95% confidence (binomial test on the requests over it); "?" where a deciding window was undecided at its maximum time, or disturbed by other processes.',
    'VS BASELINE: capacity over the baseline\'s at the batch named; the range is what the two searches\' brackets allow, not a confidence interval.',
  ];
}
