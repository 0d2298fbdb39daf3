import type { TrialConfig } from '../domain/config.js';
import { nextInOrder } from './passes.js';
import { createRng } from './rng.js';
import type { Strategy } from './strategy.js';

/** A seeded Fisher-Yates shuffle of the space: the same seed gives the same order on every resume. */
export function randomOrder(space: readonly TrialConfig[], seed: number): TrialConfig[] {
  const rng = createRng(seed);
  const order = [...space];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Uniform sampling without replacement, deterministic per seed; `repeats` full passes. */
export function createRandomStrategy(options: { repeats?: number } = {}): Strategy {
  const repeats = options.repeats ?? 1;
  const cache = new WeakMap<readonly TrialConfig[], { seed: number; order: TrialConfig[] }>();
  const ordered = (space: readonly TrialConfig[], seed: number): TrialConfig[] => {
    let entry = cache.get(space);
    if (entry?.seed !== seed) {
      entry = { seed, order: randomOrder(space, seed) };
      cache.set(space, entry);
    }
    return entry.order;
  };
  return {
    name: 'random',
    next(context) {
      const pick = nextInOrder(ordered(context.space, context.seed), context, repeats);
      if (!pick) return null;
      return { config: pick.config, reason: pick.pass > 0 ? `random: repeat ${pick.pass + 1}/${repeats}` : `random: seed ${context.seed}` };
    },
  };
}
