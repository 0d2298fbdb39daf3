import { paretoFront, type Objectives } from './pareto.js';

/**
 * Hypervolume of a set of points in the raw objective space (TPS up, p99 in ms down): the area of
 * every (tps, p99) that some point dominates, clipped to the box between the reference point and
 * better, i.e. tps > ref.tps and p99 < ref.p99Ms. Points that are not strictly better than the
 * reference on both objectives count for nothing.
 *
 * With ref = { tps: 0, p99Ms: SLO } it reads as "the best throughput available under a p99 budget
 * x, integrated over every budget x up to the SLO" (samples/s x ms): only SLO-feasible points
 * count, and a point with low latency adds the throughput it offers at the tight budgets. Raw
 * rather than log space so the figure keeps that meaning and needs no arbitrary lower TPS bound.
 */
export function hypervolume2d(points: readonly Objectives[], ref: Objectives): number {
  const inside = points.filter((p) => p.tps > ref.tps && p.p99Ms < ref.p99Ms);
  const front = paretoFront(inside);
  let area = 0;
  // Front is sorted by p99 ascending and TPS ascending: each point owns the strip from its own p99
  // up to the next point's p99 (or the reference), at its own TPS above the reference.
  for (let i = 0; i < front.length; i++) {
    const p = front[i]!;
    const nextP99 = front[i + 1]?.p99Ms ?? ref.p99Ms;
    area += (p.tps - ref.tps) * (nextP99 - p.p99Ms);
  }
  return area;
}
