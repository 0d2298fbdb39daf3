import { createBayesStrategy } from '../search/bayes.js';
import { createGridStrategy } from '../search/grid.js';
import { createRandomStrategy } from '../search/random.js';
import type { Strategy } from '../search/strategy.js';
import type { StudyDefinition } from './schema.js';

/**
 * The study's strategy. 'auto' is grid when the whole space fits the trial budget (every
 * configuration gets measured anyway, coarse first), and Bayesian search when it does not.
 */
export function chooseStrategy(definition: Pick<StudyDefinition, 'strategy' | 'repeats' | 'budget'>, spaceSize: number): Strategy {
  const { repeats } = definition;
  switch (resolveStrategyName(definition, spaceSize)) {
    case 'grid':
      return createGridStrategy({ repeats });
    case 'random':
      return createRandomStrategy({ repeats });
    case 'bayes':
      // Bayes decides itself which points deserve a re-measurement; repeats raises its cap.
      return createBayesStrategy({ maxMeasurements: Math.max(2, repeats) });
  }
}

export function resolveStrategyName(
  definition: Pick<StudyDefinition, 'strategy' | 'repeats' | 'budget'>,
  spaceSize: number,
): 'grid' | 'random' | 'bayes' {
  if (definition.strategy !== 'auto') return definition.strategy;
  const trials = definition.budget.trials;
  // +1: the baseline is measured on top of the space.
  return trials !== null && trials < spaceSize * definition.repeats + 1 ? 'bayes' : 'grid';
}
