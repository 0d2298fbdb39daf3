import { createBayesStrategy } from '../search/bayes.js';
import { createGridStrategy } from '../search/grid.js';
import { createRandomStrategy } from '../search/random.js';
import type { Strategy } from '../search/strategy.js';
import { formatDuration } from '../domain/duration.js';
import type { StudyDefinition } from '../domain/study.js';

type Choice = Pick<StudyDefinition, 'strategy' | 'repeats' | 'budget' | 'measure'>;

export interface StrategyChoice {
  name: 'grid' | 'random' | 'bayes';
  /** One line: why this strategy (for the log and the report). */
  reason: string;
}

/** Spawning, pinning and loading a trial's workers, on top of its warm-up and window. */
const TRIAL_OVERHEAD_MS = 1500;

/**
 * How long one trial takes: the median of the trials measured so far once there are a few,
 * before that the measure settings (warm-up, a window between its minimum and maximum, start-up).
 */
export function estimateTrialMs(measure: StudyDefinition['measure'], durationsMs: readonly number[]): number {
  if (durationsMs.length >= 3) {
    const sorted = [...durationsMs].sort((a, b) => a - b);
    return sorted[sorted.length >> 1]!;
  }
  return (measure.warmup + (measure.minTime + measure.maxTime) / 2) * 1000 + TRIAL_OVERHEAD_MS;
}

/**
 * 'auto' is grid when the whole space fits the budget (every configuration gets measured anyway,
 * coarse first) and Bayesian search when it does not: by the trial budget, or by the time budget
 * at the estimated duration of a trial.
 */
export function resolveStrategy(definition: Choice, spaceSize: number, trialMs: number = estimateTrialMs(definition.measure, [])): StrategyChoice {
  if (definition.strategy !== 'auto') return { name: definition.strategy, reason: `${definition.strategy}, as the study names it` };
  // +1: the baseline is measured on top of the space.
  const whole = spaceSize * definition.repeats + 1;
  const { trials, time } = definition.budget;
  if (trials !== null && trials < whole) {
    return { name: 'bayes', reason: `auto chose bayes: the ${whole} trials of the whole space do not fit the budget of ${trials}` };
  }
  if (time !== null && whole * trialMs > time * 1000) {
    return {
      name: 'bayes',
      reason: `auto chose bayes: the whole space (${whole} trials at about ${formatDuration(trialMs)} each, ${formatDuration(whole * trialMs)}) does not fit the ${formatDuration(time * 1000)} budget`,
    };
  }
  const fits = time !== null ? ` (about ${formatDuration(whole * trialMs)} of the ${formatDuration(time * 1000)} budget)` : '';
  return { name: 'grid', reason: `auto chose grid: the whole space of ${spaceSize} configurations fits the budget${fits}` };
}

export function createStrategy(definition: Pick<StudyDefinition, 'repeats'>, name: StrategyChoice['name']): Strategy {
  const { repeats } = definition;
  switch (name) {
    case 'grid':
      return createGridStrategy({ repeats });
    case 'random':
      return createRandomStrategy({ repeats });
    case 'bayes':
      // Bayes decides itself which points deserve a re-measurement; repeats raises its cap.
      return createBayesStrategy({ maxMeasurements: Math.max(2, repeats) });
  }
}
