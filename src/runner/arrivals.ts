import { AutotuneError } from '../errors.js';
import { createRng } from '../workload/prng.js';

import { ARRIVAL_PROCESSES, type ArrivalProcess } from '../domain/results.js';

export { ARRIVAL_PROCESSES, type ArrivalProcess };

/**
 * One arrival stream of an open-loop window: every scheduled arrival time (µs from the window's
 * start) is a pure function of (process, rate, seed), so the tuner and each worker process compute
 * the same schedule without sending it anywhere.
 */
export interface StreamSpec {
  process: ArrivalProcess;
  /** Arrivals per second of this stream. */
  ratePerS: number;
  seed: number;
  /** µs added to every arrival: staggers the streams of split dispatch under constant arrivals. */
  offsetUs: number;
}

/**
 * The streams of a window: shared dispatch has one stream at the whole rate that every worker
 * takes from; split dispatch gives each of the P workers its own stream at rate / P (seeded apart;
 * constant streams staggered so that together they are evenly spaced at the whole rate).
 */
export function windowStreams(process: ArrivalProcess, ratePerS: number, seed: number, dispatch: 'shared' | 'split', workers: number): StreamSpec[] {
  if (!(ratePerS > 0 && Number.isFinite(ratePerS))) throw new AutotuneError('usage', `the offered rate must be a positive number of requests per second, got ${ratePerS}`);
  if (dispatch === 'shared') return [{ process, ratePerS, seed, offsetUs: 0 }];
  return Array.from({ length: workers }, (_, w) => ({
    process,
    ratePerS: ratePerS / workers,
    seed: (Math.imul(seed, 0x9e3779b1) + w * 0x85ebca6b) >>> 0,
    offsetUs: process === 'constant' ? (w * 1e6) / ratePerS : 0,
  }));
}

/**
 * Walks one stream forward: `at(i)` is the arrival time of request i (0-based) and `countBefore(t)`
 * the number of arrivals before t. Both only move forward (indices and times must not decrease),
 * so a cursor costs one generator step per arrival whatever it is asked.
 */
export class ScheduleCursor {
  private readonly next: () => number;
  private index = 0;
  private time: number;

  constructor(spec: StreamSpec) {
    const gapUs = 1e6 / spec.ratePerS;
    if (spec.process === 'constant') {
      this.next = () => gapUs;
      this.time = spec.offsetUs;
    } else {
      const rng = createRng(spec.seed);
      // 1 - u is in (0, 1], so the logarithm is finite.
      this.next = () => -Math.log(1 - rng.next()) * gapUs;
      this.time = spec.offsetUs + this.next();
    }
  }

  /** Arrival time (µs) of request `i`. */
  at(i: number): number {
    if (i < this.index) throw new AutotuneError('trial', `schedule cursor asked for request ${i} after ${this.index}: it only moves forward`);
    while (this.index < i) {
      this.time += this.next();
      this.index++;
    }
    return this.time;
  }

  /** How many arrivals are scheduled before `us`. */
  countBefore(us: number): number {
    while (this.time < us) {
      this.time += this.next();
      this.index++;
    }
    return this.index;
  }
}
