import { errorFunction } from 'simple-statistics';
import type { Objectives } from './pareto.js';

/**
 * Acquisition pieces for two objectives (TPS up, p99 down) in the raw space of hypervolume2d,
 * while the surrogates model log TPS and log p99 as Gaussians.
 */

/**
 * Hypervolume a single point would add to a front. `front` must be non-dominated, sorted by p99
 * ascending, and inside the reference box (as paretoFront of the points better than ref gives).
 * The front's best TPS under a p99 budget x is a staircase F(x); the gain is the integral of
 * max(0, tps - F(x)) for x from the point's p99 to the reference p99.
 */
export function hypervolumeImprovement(point: Objectives, front: readonly Objectives[], ref: Objectives): number {
  if (point.p99Ms >= ref.p99Ms || point.tps <= ref.tps) return 0;
  let level = ref.tps;
  let i = 0;
  while (i < front.length && front[i]!.p99Ms <= point.p99Ms) level = front[i++]!.tps;
  let x = point.p99Ms;
  let gain = 0;
  for (; i < front.length && level < point.tps; i++) {
    gain += (point.tps - level) * (front[i]!.p99Ms - x);
    x = front[i]!.p99Ms;
    level = front[i]!.tps;
  }
  if (level < point.tps) gain += (point.tps - level) * (ref.p99Ms - x);
  return gain;
}

/** Posterior of one candidate: independent Gaussians on log TPS and log p99 (natural logs). */
export interface LogNormalPrediction {
  logTpsMean: number;
  logTpsSd: number;
  logP99Mean: number;
  logP99Sd: number;
}

/**
 * Expected hypervolume improvement by Monte Carlo over a fixed set of standard-normal pairs, the
 * same for every candidate (common random numbers), so candidates are ranked on one sample and the
 * result is deterministic for a given seed.
 */
export function expectedHypervolumeImprovement(
  prediction: LogNormalPrediction,
  front: readonly Objectives[],
  ref: Objectives,
  normals: readonly (readonly [number, number])[],
): number {
  let total = 0;
  for (const [zt, zl] of normals) {
    const tps = Math.exp(prediction.logTpsMean + prediction.logTpsSd * zt);
    const p99Ms = Math.exp(prediction.logP99Mean + prediction.logP99Sd * zl);
    total += hypervolumeImprovement({ tps, p99Ms }, front, ref);
  }
  return total / normals.length;
}

/**
 * Standard score of meeting the SLO under the log-p99 Gaussian: P(p99 <= slo) = Phi(z). Ranking by z
 * rather than by Phi keeps candidates apart deep in the tail, where Phi rounds to 0 for all.
 */
export function feasibilityScore(prediction: LogNormalPrediction, sloMs: number): number {
  return (Math.log(sloMs) - prediction.logP99Mean) / Math.max(prediction.logP99Sd, 1e-12);
}

/** Phi(z), for showing a feasibility score as a probability. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}
