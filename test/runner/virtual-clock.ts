import type { RequestQueue, ServingClock } from '../../src/runner/open-loop.js';

/**
 * A clock that only moves when every worker is waiting: the earliest wait is released, its
 * microtasks run to completion, and so on. Open-loop workers driven by it are deterministic, so
 * their latencies can be checked against values worked out by hand.
 */
export class VirtualClock implements ServingClock {
  private now = 0;
  private seq = 0;
  private readonly waiting: Array<{ at: number; seq: number; resolve: () => void }> = [];

  nowUs(): number {
    return this.now;
  }

  waitUntil(us: number): Promise<void> {
    if (us <= this.now) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ at: us, seq: this.seq++, resolve }));
  }

  /** A service of known duration on this clock. */
  busy(us: number): Promise<void> {
    return this.waitUntil(this.now + us);
  }

  /** Runs until nothing waits any more. */
  async run(): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.waiting.length === 0) return;
      this.waiting.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.waiting.shift()!;
      this.now = next.at;
      next.resolve();
    }
  }
}

/** A queue in plain memory (one process): what the shared counters are across processes. */
export function memoryQueue(): RequestQueue {
  let next = 0;
  return {
    take: () => next++,
    peek: () => next,
    takeIf: (index) => {
      if (index !== next) return false;
      next++;
      return true;
    },
  };
}
