import type { TrialConfig } from '../domain/config.js';
import { encodedDistance, type Encoding } from './encoding.js';
import type { Rng } from './rng.js';
import { configKey } from '../domain/config.js';

/**
 * Latin hypercube in the unit cube: each dimension is cut into n equal strata and every stratum
 * gets exactly one point, so even a handful of points covers every axis's range.
 */
export function latinHypercube(n: number, dims: number, rng: Rng): number[][] {
  const points = Array.from({ length: n }, () => new Array<number>(dims).fill(0));
  for (let d = 0; d < dims; d++) {
    const strata = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [strata[i], strata[j]] = [strata[j]!, strata[i]!];
    }
    for (let i = 0; i < n; i++) points[i]![d] = (strata[i]! + rng.uniform()) / n;
  }
  return points;
}

/**
 * A space-filling set of distinct configurations from the space: a Latin hypercube over the
 * encoding (a categorical coordinate u picks level floor(u x levels)), each point replaced by the
 * nearest configuration not taken yet. Because only feasible configurations exist in the space,
 * points in the infeasible corner (P x T above the cores) land on its boundary.
 */
export function spaceFillingDesign(space: readonly TrialConfig[], encoding: Encoding, n: number, rng: Rng): TrialConfig[] {
  const count = Math.min(n, space.length);
  const encoded = space.map((c) => encoding.encode(c));
  const taken = new Set<string>();
  const design: TrialConfig[] = [];
  for (const unit of latinHypercube(count, encoding.kinds.length, rng)) {
    const target = unit.map((u, d) => (encoding.kinds[d] === 'categorical' ? Math.floor(u * encoding.levels[d]!) : u));
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let i = 0; i < space.length; i++) {
      if (taken.has(configKey(space[i]!))) continue;
      const d = encodedDistance(encoded[i]!, target, encoding.kinds);
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    const chosen = space[best]!;
    taken.add(configKey(chosen));
    design.push(chosen);
  }
  return design;
}
