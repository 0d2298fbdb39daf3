import { AXIS_NAMES, type AxisName } from '../domain/axes.js';
import type { TrialConfig } from '../domain/config.js';
import { memoOrder, nextInOrder } from './passes.js';
import type { Strategy } from './strategy.js';


/**
 * Bisection depth of every position in a sorted axis of n values: both ends 0, the middle 1, the
 * quarter points 2, ... A grid ordered by these depths sweeps the corners and centre of the space
 * first and fills in between afterwards, so the first trials already span the space.
 */
export function bisectionLevels(n: number): number[] {
  const levels = new Array<number>(n).fill(0);
  const queue: Array<[number, number, number]> = n > 2 ? [[0, n - 1, 1]] : [];
  while (queue.length > 0) {
    const [lo, hi, level] = queue.shift()!;
    if (hi - lo < 2) continue;
    const mid = Math.floor((lo + hi) / 2);
    levels[mid] = level;
    queue.push([lo, mid, level + 1], [mid, hi, level + 1]);
  }
  return levels;
}

/** The grid order: coarsest level first (max depth over the axes), then total depth, then enumeration order. */
export function gridOrder(space: readonly TrialConfig[]): TrialConfig[] {
  const depth = new Map<AxisName, Map<unknown, number>>();
  for (const axis of AXIS_NAMES) {
    const values = [...new Set(space.map((c) => c[axis]))].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : 0,
    );
    const levels = bisectionLevels(values.length);
    depth.set(axis, new Map(values.map((v, i) => [v, levels[i]!])));
  }
  const scored = space.map((config, index) => {
    const levels = AXIS_NAMES.map((axis) => depth.get(axis)!.get(config[axis])!);
    return { config, index, max: Math.max(...levels), sum: levels.reduce((a, b) => a + b, 0) };
  });
  scored.sort((a, b) => a.max - b.max || a.sum - b.sum || a.index - b.index);
  return scored.map((s) => s.config);
}

/** Every feasible configuration, coarse first; `repeats` full passes. */
export function createGridStrategy(options: { repeats?: number } = {}): Strategy {
  const repeats = options.repeats ?? 1;
  const ordered = memoOrder(gridOrder);
  return {
    name: 'grid',
    next(context) {
      const order = ordered(context.space);
      const pick = nextInOrder(order, context, repeats);
      if (!pick) return null;
      const reason = pick.pass > 0 ? `grid: repeat ${pick.pass + 1}/${repeats}` : `grid: ${pick.index + 1}/${order.length}, coarse first`;
      return { config: pick.config, reason };
    },
  };
}
