/**
 * Pareto front of measured configurations for the two objectives of every study: throughput (TPS,
 * maximised) and p99 latency (minimised).
 */
export interface Objectives {
  tps: number;
  p99Ms: number;
}

/** True when `a` is at least as good as `b` on both objectives and strictly better on one. */
export function dominates(a: Objectives, b: Objectives): boolean {
  return a.tps >= b.tps && a.p99Ms <= b.p99Ms && (a.tps > b.tps || a.p99Ms < b.p99Ms);
}

/**
 * The non-dominated points, sorted by p99 ascending (so TPS ascends too).
 *
 * - Duplicates (equal TPS and equal p99) do not dominate each other, so all of them are kept, in
 *   input order: they are different configurations that measured the same, and a report should
 *   show each.
 * - A point that ties another on one objective and is worse on the other is dominated.
 * - Points with a non-finite objective (a failed or empty measurement) are never on the front.
 */
export function paretoFront<T extends Objectives>(points: readonly T[]): T[] {
  const finite = points
    .map((point, index) => ({ point, index }))
    .filter(({ point }) => Number.isFinite(point.tps) && Number.isFinite(point.p99Ms));
  // p99 ascending, then TPS descending, then input order: a sweep then keeps each point whose TPS
  // beats everything of lower-or-equal p99 seen so far.
  finite.sort(
    (x, y) => x.point.p99Ms - y.point.p99Ms || y.point.tps - x.point.tps || x.index - y.index,
  );
  const front: T[] = [];
  for (const { point } of finite) {
    const last = front[front.length - 1];
    if (last === undefined || point.tps > last.tps) front.push(point);
    else if (point.tps === last.tps && point.p99Ms === last.p99Ms) front.push(point);
  }
  return front;
}
