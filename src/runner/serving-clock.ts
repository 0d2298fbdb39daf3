import { setTimeout as sleep } from 'node:timers/promises';
import { sleepUntil } from '../native/shared-memory.js';
import type { ServingClock } from './open-loop.js';

/** Below this much time to go, the event loop's millisecond timers are too coarse to wait with. */
const COARSE_US = 2000;
/** The last stretch before an arrival is spun, so no wake-up latency lands on the request. */
const SPIN_US = 200;
/** A long wait yields to the event loop at least this often, so IPC messages are handled. */
const MAX_TIMER_MS = 20;

/**
 * The real clock of an open-loop worker: µs since t0 on CLOCK_MONOTONIC (process.hrtime, the same
 * clock in every process of the machine). A wait uses the event loop's timers while the arrival is
 * far, then a kernel hrtimer sleep, then spins the last few tens of µs: the worker is idle then,
 * and a late wake-up would be charged to the request as if the server had been slow.
 */
export function realServingClock(t0Ns: bigint): ServingClock {
  const nowUs = (): number => Number(process.hrtime.bigint() - t0Ns) / 1000;
  return {
    nowUs,
    async waitUntil(us, interrupted) {
      for (;;) {
        const remaining = us - nowUs();
        if (remaining <= 0 || interrupted()) return;
        if (remaining > COARSE_US) {
          await sleep(Math.min((remaining - COARSE_US) / 1000, MAX_TIMER_MS));
          continue;
        }
        if (remaining > SPIN_US) sleepUntil(t0Ns + BigInt(Math.round((us - SPIN_US) * 1000)));
        while (nowUs() < us);
        return;
      }
    },
  };
}
