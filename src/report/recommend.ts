import { TOO_FEW_SAMPLES } from '../measure/index.js';
import type { Objectives } from '../search/pareto.js';
import { configKey } from '../domain/config.js';
import type { TrialRecord } from '../store/types.js';
import { gainOf } from './gains.js';
import { capacityText } from './serving-text.js';
import type { Recommendation, ReportCapacity, ReportPoint } from './types.js';

/**
 * The knee of the front: after scaling TPS and p99 to [0, 1] over the front's own range, the
 * point closest (Euclidean) to the ideal corner (highest TPS, lowest p99). It is the balanced
 * choice: moving away from it along the front buys little of one objective for much of the other.
 * Ties go to the lower p99. A one-point front is its own knee.
 */
export function kneeOf(front: readonly ReportPoint[]): ReportPoint | null {
  if (front.length === 0) return null;
  const tps = front.map((p) => p.tps);
  const p99 = front.map((p) => p.p99Ms);
  const scale = (v: number, lo: number, hi: number): number => (hi > lo ? (v - lo) / (hi - lo) : 0);
  const [tLo, tHi, lLo, lHi] = [Math.min(...tps), Math.max(...tps), Math.min(...p99), Math.max(...p99)];
  let best: { point: ReportPoint; distance: number } | null = null;
  for (const point of front) {
    const distance = Math.hypot(1 - scale(point.tps, tLo, tHi), scale(point.p99Ms, lLo, lHi));
    if (best === null || distance < best.distance - 1e-12) best = { point, distance };
  }
  return best!.point;
}

/** The highest TPS whose p99 meets the SLO (the highest overall without one); the first wins a tie. */
export function fastestUnder<T extends Objectives>(points: readonly T[], sloMs: number | null): T | null {
  const feasible = sloMs === null ? points : points.filter((p) => p.p99Ms <= sloMs);
  return feasible.reduce<T | null>((top, p) => (top === null || p.tps > top.tps ? p : top), null);
}

/** What the report and the end-of-study summary both derive their picks from. */
export interface PickInputs {
  front: readonly ReportPoint[];
  points: readonly ReportPoint[];
  trials: readonly TrialRecord[];
  sloMs: number | null;
  userBatch: number | null;
  capacities: readonly ReportCapacity[];
}

/**
 * The SLO pick, the lowest p99 and the knee. With a serving phase the SLO pick is the configuration
 * with the highest capacity under the SLO (open loop, latency from the scheduled arrival);
 * without one it falls back to the closed-loop figures, whose p99 is service time with no queueing,
 * and says so. The SLO pick is missing when nothing meets the SLO.
 */
export function recommend(input: PickInputs): Recommendation[] {
  const { front, points, trials, sloMs, userBatch, capacities } = input;
  const baselines = points.filter((p) => p.config.baseline);
  const gain = (p: ReportPoint) => gainOf(p, trials, baselines, userBatch);
  const out: Recommendation[] = [];
  const served = capacities.find((c) => !c.config.baseline && c.capacityRps !== null);
  const servedPoint = served && points.find((p) => configKey(p.config) === configKey(served.config));
  // Measured open loop and none sustained any rate under the SLO: no closed-loop figure overrules that.
  const noneServed = sloMs !== null && served === undefined && capacities.some((c) => !c.config.baseline);
  if (noneServed) {
    // The SLO pick is left out; the report's 'slo' warning says why.
  } else if (served !== undefined && servedPoint !== undefined && sloMs !== null) {
    out.push({ pick: 'slo', point: servedPoint, reason: `highest capacity under the ${fmt(sloMs)} ms SLO: ${capacityText(served, served.load)}`, gain: gain(servedPoint), capacity: served });
  } else {
    const fastest = fastestUnder(points, sloMs);
    if (fastest !== null) {
      const reason =
        sloMs === null
          ? `highest throughput measured (no SLO set): ${fmt(fastest.tps)} samples/s at p99 ${fmt(fastest.p99Ms)} ms`
          : `highest throughput whose closed-loop p99 meets the ${fmt(sloMs)} ms SLO: ${fmt(fastest.tps)} samples/s at p99 ${fmt(fastest.p99Ms)} ms ` +
            `(service time at saturation, no queueing: no capacity was measured open loop)`;
      out.push({ pick: 'slo', point: fastest, reason, gain: gain(fastest), capacity: null });
    }
  }
  const quickest = front[0];
  if (quickest !== undefined) {
    out.push({
      pick: 'latency',
      point: quickest,
      reason: `lowest p99 measured: ${fmt(quickest.p99Ms)} ms (95% CI: ${ciText(quickest.p99Ci)}) at ${fmt(quickest.tps)} samples/s`,
      gain: gain(quickest),
      capacity: null,
    });
  }
  const knee = kneeOf(front);
  if (knee !== null) {
    out.push({
      pick: 'knee',
      point: knee,
      reason: `balanced: the front point nearest the ideal of highest TPS and lowest p99 (${front.length} point${front.length === 1 ? '' : 's'} on the front)`,
      gain: gain(knee),
      capacity: null,
    });
  }
  return out;
}

/** A p99 interval, `1.23-1.45`, or what is said instead of one when there were too few samples for it. */
export function ciText(ci: readonly [number, number] | null): string {
  return ci === null ? TOO_FEW_SAMPLES : `${fmt(ci[0])}-${fmt(ci[1])}`;
}

/** Figures in one-line reasons: three significant digits, no exponent. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(digits);
}
