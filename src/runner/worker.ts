import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { LatencyHistogram } from '../measure/histogram.js';
import { getMemPolicy, setThreadAffinity } from '../native/index.js';
import { createInputs } from '../workload/inputs.js';
import { ClosedLoop } from './loadgen.js';
import type { InitMessage, ParentMessage, WorkerMessage, WorkerReport } from './messages.js';
import { readPagesPerNode, readRssBytes, readSchedCounters, readThreads, type SchedCounters } from './procfs.js';

/**
 * Entry of one worker process (dist/src/runner/worker.js), started by the runner through the
 * launcher so its CPU set and memory policy hold from the first instruction. It only talks to the
 * runner over IPC; the runner decides when to warm up, measure and stop.
 */

function send(message: WorkerMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, then);
}

let failing = false;
function fail(error: unknown): void {
  if (failing) return;
  failing = true;
  const text = error instanceof Error ? error.message : String(error);
  // Exit once the message is written: the runner reads the exit as the end of this worker.
  send({ type: 'error', message: text.split('\n', 1)[0] ?? text }, () => process.exit(1));
}

function sessionOptions(init: InitMessage): ort.InferenceSession.SessionOptions {
  const base: ort.InferenceSession.SessionOptions = {
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  if (init.threads === null) return base;
  const session: Record<string, unknown> = { intra_op: { allow_spinning: init.spinning ? '1' : '0' } };
  if (init.poolAffinities !== '') session['intra_op_thread_affinities'] = init.poolAffinities;
  // Left unset, onnxruntime starts one pinned thread per physical core and ignores cgroup limits.
  return { ...base, intraOpNumThreads: init.threads, interOpNumThreads: 1, extra: { session } };
}

class Worker {
  private loop: ClosedLoop | null = null;
  private histogram = new LatencyHistogram();
  private windowStart = 0;
  private cpuStart: NodeJS.CpuUsage = process.cpuUsage();
  private schedStart: SchedCounters | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private init: InitMessage | null = null;

  async handle(message: ParentMessage): Promise<void> {
    switch (message.type) {
      case 'init':
        return this.load(message);
      case 'warmup':
        return this.warmup(message.durationMs);
      case 'measure':
        return this.measure();
      case 'stop':
        return this.stop();
    }
  }

  private async load(init: InitMessage): Promise<void> {
    this.init = init;
    if (init.mainCpu !== null) setThreadAffinity([init.mainCpu]);
    send({ type: 'pinned' });
    const session = await ort.InferenceSession.create(init.modelPath, sessionOptions(init));
    const feeds = createInputs(init.inputPlan);
    // One inference before 'ready' so a shape the model rejects fails the loading phase.
    await session.run(feeds);
    this.loop = new ClosedLoop(() => session.run(feeds));
    send({ type: 'ready', onnxruntimeVersion: ort.env.versions.node ?? 'unknown' });
  }

  private warmup(durationMs: number): void {
    this.requireLoop().start().catch(fail);
    setTimeout(() => send({ type: 'warmed' }), durationMs);
  }

  private measure(): void {
    const loop = this.requireLoop();
    this.histogram = new LatencyHistogram();
    this.schedStart = readSchedCounters(process.pid);
    this.cpuStart = process.cpuUsage();
    this.windowStart = performance.now();
    loop.recordInto(this.histogram);
    this.progressTimer = setInterval(() => {
      send({ type: 'progress', histogram: this.histogram.snapshot(), elapsedMs: performance.now() - this.windowStart });
    }, this.init?.progressIntervalMs ?? 250);
  }

  private async stop(): Promise<void> {
    const loop = this.requireLoop();
    // The inference in flight when the window closes belongs outside it.
    loop.recordInto(null);
    const windowMs = performance.now() - this.windowStart;
    const cpu = process.cpuUsage(this.cpuStart);
    if (this.progressTimer) clearInterval(this.progressTimer);
    await loop.stop();
    const sched = readSchedCounters(process.pid);
    const start = this.schedStart ?? sched;
    const report: WorkerReport = {
      histogram: this.histogram.snapshot(),
      windowMs,
      cpuTimeMs: (cpu.user + cpu.system) / 1000,
      voluntaryCtxSwitches: sched.voluntaryCtxSwitches - start.voluntaryCtxSwitches,
      involuntaryCtxSwitches: sched.involuntaryCtxSwitches - start.involuntaryCtxSwitches,
      migrations: sched.migrations === null || start.migrations === null ? null : sched.migrations - start.migrations,
      rssBytes: readRssBytes(process.pid),
      readBack: {
        pid: process.pid,
        threads: readThreads(process.pid),
        pagesPerNode: readPagesPerNode(process.pid),
        memPolicy: this.init?.readMemPolicy ? getMemPolicy() : null,
      },
    };
    send({ type: 'result', report }, () => process.disconnect?.());
  }

  private requireLoop(): ClosedLoop {
    if (!this.loop) throw new Error('the runner asked for load before the session was loaded');
    return this.loop;
  }
}

if (!process.send) {
  process.stderr.write('autotune worker: start me through the runner (no IPC channel)\n');
  process.exit(2);
}
// The tuner owns Ctrl-C: it stops the trial and kills its workers itself.
process.on('SIGINT', () => undefined);
// Losing the tuner means nobody will read the results: do not linger.
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

const worker = new Worker();
process.on('message', (message: ParentMessage) => {
  worker.handle(message).catch(fail);
});
