import { AutotuneError } from '../errors.js';
import { binomialAtLeast, binomialCdf } from './distributions.js';

/**
 * Whether a latency quantile is within an SLO, from the count of requests over it, as MLPerf
 * LoadGen's early stopping decides: with p the chance that a request exceeds the SLO, the q-quantile
 * is within the SLO exactly when p < 1 - q, and the count over it among n requests is Binomial(n, p)
 * whatever the latency distribution. 'meets' is claimed when P(Binomial(n, 1 - q) <= exceeding) is
 * at most the look's alpha (so few exceed that p >= 1 - q is implausible), 'misses' when
 * P(Binomial(n, 1 - q) >= exceeding) is; exact binomial tails, no normal approximation.
 *
 * Sequential looks. The open-loop capacity search calls update() every few hundred ms as a rate
 * step grows, and stops the step at the first verdict; testing every call at alpha would claim
 * falsely far more often than alpha. So:
 *   - a look happens only when the request count first reaches a checkpoint of a geometric ladder,
 *     N(j) = ceil(N1 * 1.5^(j-1)), where N1 = minRequestsToMeet (the first count at which 'meets'
 *     is possible at all), and once more at the window's end (final()); more calls between
 *     checkpoints see nothing new, so the number of looks grows with the log of the step's size;
 *   - the k-th look made tests each claim at alpha / (k (k + 1)), a series that sums to alpha, so by
 *     Bonferroni the chance that a step ever claims 'meets' while p >= 1 - q is at most
 *     alpha = 1 - confidence, and likewise for 'misses' while p <= 1 - q. Looks are strongly
 *     correlated (each one's data contains the last one's), so the true error is lower.
 * Alpha spending over a ladder keeps exact binomial tails at every look and needs no alternative
 * hypothesis to be chosen (as an SPRT would). The alpha/(k(k+1)) series puts half of alpha on the
 * first look, so a step at a comfortable rate is confirmed as early as a one-look test at
 * alpha/2 would, and decays slowly: the 8th look, at 20 times the first count, tests at alpha/72.
 * A verdict, once given, stands for the rest of the step.
 *
 * The counts must not depend on which requests are fast. Count the requests scheduled at least one
 * SLO ago: each is known to be within (completed in time) or over (completed late, or still
 * outstanding, which it will be). Counting younger requests that happen to have completed, while
 * their slow siblings are still in flight, would lean towards 'meets'.
 */

import type { SloVerdict } from '../domain/results.js';

export type { SloVerdict };

export interface SloTestOptions {
  /** The latency quantile the SLO binds (0.99: p99 must be within the SLO). */
  quantile?: number;
  /** Confidence of either claim, all looks together (0.95). */
  confidence?: number;
}

export interface SloFinalVerdict {
  verdict: SloVerdict;
  requests: number;
  exceeding: number;
  /** Looks made in this step, the final one included. */
  looks: number;
  /** One line: the counts and what they show, at what confidence. */
  reason: string;
}

export interface SloTest {
  /** Cumulative counts so far in this step; a verdict other than 'undecided' is final. */
  update(requests: number, exceeding: number): SloVerdict;
  /** The verdict at the end of the step's window: one last look with the counts so far. Closes the test: one per step. */
  final(requests: number, exceeding: number): SloFinalVerdict;
}

/** Growth of the checkpoint ladder: fewer looks than every call, without delaying a verdict by more than half the requests already seen. */
const LADDER_RATIO = 1.5;

function settings(quantile: number, confidence: number): { exceedance: number; alpha: number } {
  if (!(quantile > 0 && quantile < 1)) throw new AutotuneError('usage', `an SLO quantile must be a fraction strictly between 0 and 1 (0.99 for p99), got ${quantile}`);
  if (!(confidence > 0 && confidence < 1)) {
    throw new AutotuneError('usage', `an SLO confidence must be a fraction strictly between 0 and 1 (0.95 for 95%), got ${confidence}`);
  }
  return { exceedance: 1 - quantile, alpha: 1 - confidence };
}

const lookAlpha = (alpha: number, look: number): number => alpha / (look * (look + 1));

/**
 * The fewest requests, none over the SLO, that can yield 'meets': the first look tests at alpha/2,
 * and with no request over the SLO its tail is q^n, so n is the least with q^n <= (1 - confidence)/2
 * (368 for a p99 at 95%). The ladder starts there, since a look before it could only spend alpha.
 */
export function minRequestsToMeet(quantile = 0.99, confidence = 0.95): number {
  const { exceedance, alpha } = settings(quantile, confidence);
  const first = lookAlpha(alpha, 1);
  // The logarithms give n to within rounding; the loop settles it with the test the looks apply.
  let n = Math.max(1, Math.ceil(Math.log(first) / Math.log(quantile)) - 2);
  while (binomialCdf(0, n, exceedance) > first) n++;
  return n;
}

const label = (quantile: number): string => `p${Number((quantile * 100).toPrecision(6))}`;

export function createSloTest(options: SloTestOptions = {}): SloTest {
  const quantile = options.quantile ?? 0.99;
  const confidence = options.confidence ?? 0.95;
  const { exceedance, alpha } = settings(quantile, confidence);
  const first = minRequestsToMeet(quantile, confidence);
  const confidenceText = `${Number((confidence * 100).toPrecision(6))}% confidence`;

  let checkpoint = first;
  let checkpoints = 1;
  let looks = 0;
  let verdict: SloVerdict = 'undecided';
  let last = { requests: 0, exceeding: 0 };
  let finished: SloFinalVerdict | null = null;

  const check = (requests: number, exceeding: number): void => {
    if (finished !== null) throw new AutotuneError('usage', 'the SLO test of this step has already given its final verdict; create a new one for the next step');
    if (!(Number.isInteger(requests) && Number.isInteger(exceeding) && exceeding >= 0 && exceeding <= requests)) {
      throw new AutotuneError('usage', `SLO test counts must be whole numbers with 0 <= exceeding <= requests, got ${exceeding} of ${requests}`);
    }
    if (requests < last.requests || exceeding < last.exceeding) {
      throw new AutotuneError('usage', `SLO test counts are cumulative and cannot fall: got ${exceeding} of ${requests} after ${last.exceeding} of ${last.requests}`);
    }
    last = { requests, exceeding };
  };

  const look = (requests: number, exceeding: number): void => {
    looks++;
    const level = lookAlpha(alpha, looks);
    if (binomialCdf(exceeding, requests, exceedance) <= level) verdict = 'meets';
    else if (binomialAtLeast(exceeding, requests, exceedance) <= level) verdict = 'misses';
  };

  return {
    update(requests, exceeding) {
      check(requests, exceeding);
      if (verdict !== 'undecided' || requests < checkpoint) return verdict;
      look(requests, exceeding);
      while (checkpoint <= requests) checkpoint = Math.ceil(first * LADDER_RATIO ** checkpoints++);
      return verdict;
    },
    final(requests, exceeding) {
      check(requests, exceeding);
      if (verdict === 'undecided' && requests > 0) look(requests, exceeding);
      const counts = `${exceeding} of ${requests} requests over the SLO`;
      const reason =
        verdict === 'meets' ? `${counts}: ${label(quantile)} within the SLO at ${confidenceText}`
        : verdict === 'misses' ? `${counts}: ${label(quantile)} above the SLO at ${confidenceText}`
        : requests < first ? `${counts}: too few requests to claim ${label(quantile)} within the SLO (needs ${first})`
        : `${counts}: ${label(quantile)} too close to the SLO to tell at ${confidenceText}`;
      finished = { verdict, requests, exceeding, looks, reason };
      return finished;
    },
  };
}
