import type { MeasureSettings } from '../domain/results.js';
import { minSamplesForInterval } from './quantile-interval.js';
import type { LatencySummary } from '../domain/latency.js';

/** The fewest inferences whose p99 has a 95% CI at all (368). */
const P99_CI_MIN_SAMPLES = minSamplesForInterval(0.99, 0.95);

export interface StabilityVerdict {
  /** Close the measured window now. */
  done: boolean;
  /** The p99 met its confidence bound with enough inferences (false while not done). */
  stable: boolean;
  /** One line: why the window closed, or what it still waits for. */
  reason: string;
}

/**
 * How far the 95% CI of p99 reaches from p99, as a fraction of p99: the farther end counts, so
 * "within ±5%" holds for both ends. Latency tails make the interval lopsided (the upper end lies
 * farther out), and the half-width would let the upper end stray past the bound. Null while the
 * window is too small to have an interval.
 */
export function p99CiSpread(summary: LatencySummary): number | null {
  if (summary.p99Ci === null) return null;
  const [low, high] = summary.p99Ci;
  const reach = Math.max(summary.p99 - low, high - summary.p99);
  if (summary.p99 > 0) return reach / summary.p99;
  return reach > 0 ? Infinity : 0;
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

const percent = (fraction: number): string => (Number.isFinite(fraction) ? `±${Number((fraction * 100).toFixed(1))}%` : '±∞');

/**
 * The adaptive window rule. Done when the window has run minMs, holds minSamples inferences and
 * p99 has a CI within ±p99CiBound; or, whatever else, once maxMs has passed (the maximum wins over
 * minSamples, so a slow model cannot hold a trial forever). At maxMs the window counts as stable
 * only if the CI and the sample minimum are both met: a window too small for a CI is not stable.
 */
export function isStable(summary: LatencySummary, settings: MeasureSettings, elapsedMs: number): StabilityVerdict {
  const spread = p99CiSpread(summary);
  const ciMet = summary.count > 0 && spread !== null && spread <= settings.p99CiBound;
  const samplesMet = summary.count >= settings.minSamples;
  const ci = spread === null
    ? `too few samples for a 95% CI of p99 (needs ${P99_CI_MIN_SAMPLES} inferences)`
    : `95% CI of p99 ${percent(spread)}, bound ${percent(settings.p99CiBound)}`;

  if (ciMet && samplesMet && (elapsedMs >= settings.minMs || elapsedMs >= settings.maxMs)) {
    return { done: true, stable: true, reason: `p99 stable after ${summary.count} inferences in ${formatSeconds(elapsedMs)} (${ci})` };
  }
  if (elapsedMs >= settings.maxMs) {
    const why = samplesMet ? ci : `only ${summary.count} of ${settings.minSamples} inferences; ${ci}`;
    return { done: true, stable: false, reason: `p99 did not stabilise within ${formatSeconds(settings.maxMs)} (${why})` };
  }
  const waiting: string[] = [];
  if (elapsedMs < settings.minMs) waiting.push(`${formatSeconds(elapsedMs)} of at least ${formatSeconds(settings.minMs)}`);
  if (!samplesMet) waiting.push(`${summary.count} of ${settings.minSamples} inferences`);
  if (!ciMet) waiting.push(ci);
  return { done: false, stable: false, reason: `measuring: ${waiting.join('; ')}` };
}
