import { AutotuneError } from '../errors.js';
import { studentTQuantile } from './distributions.js';
import { minSamplesForInterval, quantileRanks } from './quantile-interval.js';

/**
 * The gain of a configuration over the baseline from interleaved runs (A B A B ...): each pair's
 * ratio A_i / B_i cancels the machine's drift between pairs, and the gain is the median ratio.
 *
 * The interval depends on how many pairs there are:
 *   - from 3 pairs, a Student t-interval on the log ratios, mapped back by exp. It covers the
 *     geometric mean ratio, which is the median when the log ratios are symmetric about it, as they
 *     are whenever A and B carry the same kind of noise (the log of a ratio of two like noises is a
 *     difference of like terms). It is the only honest interval this small: a distribution-free
 *     one needs more pairs.
 *   - from as many pairs as the sign test needs (6 at 95%: 0.5^6 <= 0.025), the distribution-free
 *     sign-test interval for the median: order statistics of the ratios at exact binomial ranks,
 *     as for latency quantiles. It holds its confidence for any continuous noise, skewed included,
 *     where the t-interval narrows around the geometric mean, which then is not the median.
 * Fewer than 3 pairs give no interval: with one degree of freedom the t-interval spans 12.7
 * standard deviations and says nothing; confirmation runs take at least 3 pairs.
 *
 * Simulated coverage at 95% (test/measure/paired.test.ts), 3/5/10/30 pairs: log-normal noise
 * 0.95/0.95/0.98/0.96, heavy-tailed t(3) 0.96/0.95/0.98/0.96, skewed one-sided interference
 * 0.97/0.96/0.98/0.96. Strongly skewed (exponential) log ratios break the t-interval's assumption:
 * 0.926 at 3 pairs, which is why its method text names the assumption and the pairs that lift it.
 * A t-interval at 30 pairs would cover that median only 68% of the time, hence the sign test.
 */

export interface PairedRatio {
  n: number;
  /** Median of the ratios (the middle pair's, or the mean of the middle two). */
  median: number;
  /** Interval for the median ratio at the stated confidence; null with too few pairs. */
  ci: [number, number] | null;
  /** How the interval was made, with its assumption: one short phrase for reports. */
  method: string;
}

export const MIN_PAIRS = 3;

export function pairedRatio(ratios: readonly number[], confidence = 0.95): PairedRatio {
  if (!(confidence > 0 && confidence < 1)) {
    throw new AutotuneError('usage', `a confidence must be a fraction strictly between 0 and 1 (0.95 for 95%), got ${confidence}`);
  }
  if (ratios.length === 0) throw new AutotuneError('input', 'no paired ratios to summarise: run at least one configuration/baseline pair');
  ratios.forEach((r, i) => {
    if (!(r > 0 && r < Infinity)) {
      throw new AutotuneError('input', `paired ratio ${i + 1} is ${r}: a ratio must be a finite number > 0; re-run the pair (a run that measured nothing cannot be paired)`);
    }
  });
  const n = ratios.length;
  const sorted = [...ratios].sort((a, b) => a - b);
  const middle = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const percent = `${Number((confidence * 100).toPrecision(6))}%`;

  if (n < MIN_PAIRS) return { n, median, ci: null, method: `too few pairs for an interval (needs ${MIN_PAIRS})` };
  const signTestPairs = minSamplesForInterval(0.5, confidence);
  if (n >= signTestPairs) {
    const [l, u] = quantileRanks(n, 0.5, confidence)!;
    return { n, median, ci: [sorted[l - 1]!, sorted[u - 1]!], method: `${percent} sign-test interval of the median (distribution-free)` };
  }

  const logs = ratios.map(Math.log);
  const mean = logs.reduce((sum, x) => sum + x, 0) / n;
  const sd = Math.sqrt(logs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * sd / Math.sqrt(n);
  return { n, median, ci: [Math.exp(mean - half), Math.exp(mean + half)], method: `${percent} t-interval on log ratios (assumes symmetric noise; distribution-free from ${signTestPairs} pairs)` };
}
