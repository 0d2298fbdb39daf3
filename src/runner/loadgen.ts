import { performance } from 'node:perf_hooks';

/** Where the load generator puts each latency (microseconds); null while not measuring. */
export interface LatencySink {
  record(us: number): void;
}

/**
 * Closed-loop load: one inference after another, as fast as the worker can go (saturation).
 * Kept apart from the worker so an open-loop generator (target arrival rate, timed from the
 * scheduled send) can take its place. The loop allocates nothing beyond what `infer` does;
 * it yields to the event loop on every call because onnxruntime-node's run() resolves through
 * setImmediate, so IPC messages (measure, stop) are handled between inferences.
 */
export class ClosedLoop {
  private sink: LatencySink | null = null;
  private stopping = false;
  private running: Promise<void> | null = null;

  constructor(private readonly infer: () => Promise<unknown>) {}

  /** Starts the loop; the returned promise rejects if an inference throws. */
  start(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Latencies go to `sink` from the next inference on (null: run unrecorded). */
  recordInto(sink: LatencySink | null): void {
    this.sink = sink;
  }

  /** Finishes the inference in flight and resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const start = performance.now();
      await this.infer();
      const us = (performance.now() - start) * 1000;
      this.sink?.record(us);
    }
  }
}
