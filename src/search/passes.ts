import type { TrialConfig } from '../domain/config.js';
import { type SearchContext } from './strategy.js';
import { configKey } from '../domain/config.js';

/**
 * What grid and random share: walk a fixed order of the space and propose the first configuration
 * that has been measured fewer times than the current pass asks for, skipping failed ones.
 * Pass r (0-based) measures every configuration an (r+1)-th time, so repeats come after the whole
 * space has been seen once.
 */
export function nextInOrder(
  order: readonly TrialConfig[],
  context: SearchContext,
  repeats: number,
): { config: TrialConfig; pass: number; index: number } | null {
  const measured = new Map<string, number>();
  for (const observation of context.history) {
    const key = configKey(observation.config);
    measured.set(key, (measured.get(key) ?? 0) + 1);
  }
  const failed = new Set(context.failed.map(configKey));
  for (let pass = 0; pass < repeats; pass++) {
    for (let index = 0; index < order.length; index++) {
      const config = order[index]!;
      const key = configKey(config);
      if (!failed.has(key) && (measured.get(key) ?? 0) <= pass) return { config, pass, index };
    }
  }
  return null;
}

/** Memoises an ordering of the space per space array (the loop passes the same array each time). */
export function memoOrder(order: (space: readonly TrialConfig[]) => TrialConfig[]): (space: readonly TrialConfig[]) => TrialConfig[] {
  const cache = new WeakMap<readonly TrialConfig[], TrialConfig[]>();
  return (space) => {
    let ordered = cache.get(space);
    if (!ordered) {
      ordered = order(space);
      cache.set(space, ordered);
    }
    return ordered;
  };
}
