import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { allocatorOfLibrary } from '../domain/axes.js';
import { sessionOptions } from '../domain/config.js';
import { LatencyHistogram } from '../measure/histogram.js';
import { getMemPolicy, setThreadAffinity } from '../native/index.js';
import { SharedCounters, setTimerSlack } from '../native/shared-memory.js';
import { createInputs } from '../workload/inputs.js';
import { planForBatch } from '../workload/plan-inputs.js';
import type { InputPlan } from '../workload/types.js';
import { ScheduleCursor } from './arrivals.js';
import { ClosedLoop } from './loadgen.js';
import { SHARED_COUNTERS_FD, type InitMessage, type ParentMessage, type ServeMessage, type WorkerMessage, type WindowReport } from './messages.js';
import { ServingRecords, serveWindow, type RequestQueue } from './open-loop.js';
import { readMappedFiles, readPagesPerNode, readRssBytes, readSchedCounters, readThreads, type SchedCounters } from './procfs.js';
import { realServingClock } from './serving-clock.js';
import { QUEUE_CLOSED } from './shared-layout.js';

/**
 * Entry of one worker process (dist/src/runner/worker.js), started by the runner through the
 * launcher so its CPU set and memory policy hold from the first instruction. It only talks to the
 * runner over IPC (and, in open-loop windows, the shared counters); the runner decides when to
 * warm up, measure, serve and finish.
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

/** The queue of an open-loop window in the shared counters; a slot past QUEUE_CLOSED is closed. */
function sharedQueue(counters: SharedCounters, slot: number): RequestQueue {
  return {
    take: () => {
      const index = counters.add(slot, 1);
      return index >= QUEUE_CLOSED ? null : index;
    },
    peek: () => {
      const index = counters.load(slot);
      return index >= QUEUE_CLOSED ? null : index;
    },
    takeIf: (index) => counters.compareExchange(slot, index, index + 1),
  };
}

class Worker {
  private loop: ClosedLoop | null = null;
  private session: ort.InferenceSession | null = null;
  private plan: InputPlan | null = null;
  /** Feeds per batch size: an open-loop batch runs with the requests that have arrived. */
  private readonly feeds = new Map<number, Record<string, ort.Tensor>>();
  private counters: SharedCounters | null = null;
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
      case 'close':
        return this.close();
      case 'serve':
        return this.serve(message);
      case 'finish':
        return this.finish();
    }
  }

  private async load(init: InitMessage): Promise<void> {
    this.init = init;
    if (init.mainCpu !== null) setThreadAffinity([init.mainCpu]);
    send({ type: 'pinned' });
    if (init.sharedSlots !== null) {
      this.counters = SharedCounters.map(SHARED_COUNTERS_FD, init.sharedSlots);
      // Waking for an arrival must not wait on the default 50 µs of timer slack.
      setTimerSlack(1);
    }
    const session = await ort.InferenceSession.create(init.modelPath, sessionOptions(init.config, init.poolAffinities));
    this.session = session;
    this.plan = init.inputPlan;
    const feeds = this.feedsFor(init.inputPlan.effectiveBatch);
    // One inference before 'ready' so a shape the model rejects fails the loading phase.
    await session.run(feeds);
    this.loop = new ClosedLoop(() => session.run(feeds));
    send({ type: 'ready', onnxruntimeVersion: ort.env.versions.node ?? 'unknown' });
  }

  private feedsFor(k: number): Record<string, ort.Tensor> {
    const plan = planForBatch(this.require(this.plan), k);
    let feeds = this.feeds.get(plan.effectiveBatch);
    if (!feeds) {
      feeds = createInputs(plan);
      this.feeds.set(plan.effectiveBatch, feeds);
    }
    return feeds;
  }

  private warmup(durationMs: number): void {
    this.require(this.loop).start().catch(fail);
    setTimeout(() => send({ type: 'warmed' }), durationMs);
  }

  private startWindow(progress: () => LatencyHistogram, intervalMs = this.init?.progressIntervalMs ?? 250): void {
    this.cpuStart = process.cpuUsage();
    this.windowStart = performance.now();
    this.progressTimer = setInterval(() => {
      send({ type: 'progress', histogram: progress().snapshot(), elapsedMs: performance.now() - this.windowStart });
    }, intervalMs);
  }

  private endWindow(): { windowMs: number; cpuTimeMs: number } {
    const windowMs = performance.now() - this.windowStart;
    const cpu = process.cpuUsage(this.cpuStart);
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.progressTimer = null;
    return { windowMs, cpuTimeMs: (cpu.user + cpu.system) / 1000 };
  }

  private measure(): void {
    const loop = this.require(this.loop);
    this.histogram = new LatencyHistogram();
    this.schedStart = readSchedCounters(process.pid);
    this.startWindow(() => this.histogram);
    loop.recordInto(this.histogram);
  }

  private async close(): Promise<void> {
    const loop = this.require(this.loop);
    // The inference in flight when the window closes belongs outside it.
    loop.recordInto(null);
    const { windowMs, cpuTimeMs } = this.endWindow();
    await loop.stop();
    const sched = readSchedCounters(process.pid);
    const start = this.schedStart ?? sched;
    const report: WindowReport = {
      histogram: this.histogram.snapshot(),
      windowMs,
      cpuTimeMs,
      voluntaryCtxSwitches: sched.voluntaryCtxSwitches - start.voluntaryCtxSwitches,
      involuntaryCtxSwitches: sched.involuntaryCtxSwitches - start.involuntaryCtxSwitches,
      migrations: sched.migrations === null || start.migrations === null ? null : sched.migrations - start.migrations,
    };
    send({ type: 'measured', report });
  }

  private async serve(message: ServeMessage): Promise<void> {
    const counters = this.require(this.counters);
    const session = this.require(this.session);
    // The warm-up's closed loop ends before the first arrival (the runner leaves a margin).
    await this.require(this.loop).stop();
    const { layout } = message;
    const records = new ServingRecords();
    this.startWindow(() => records.latency, message.progressIntervalMs);
    await serveWindow(
      {
        clock: realServingClock(BigInt(message.t0Ns)),
        queue: sharedQueue(counters, layout.queueSlot),
        control: {
          cutoffUs: () => counters.load(layout.cutoffSlot),
          abandoned: () => counters.load(layout.abandonSlot) !== 0,
          onCompleted: (served, recorded, exceeding) => {
            counters.add(layout.completedSlot, served);
            if (recorded > 0) counters.add(layout.recordedSlot, recorded);
            if (exceeding > 0) counters.add(layout.exceedingSlot, exceeding);
          },
        },
        infer: async (k) => {
          await session.run(this.feedsFor(k));
        },
      },
      new ScheduleCursor(message.stream),
      message.settings,
      records,
    );
    const { cpuTimeMs } = this.endWindow();
    send({
      type: 'served',
      report: {
        window: message.window,
        latency: records.latency.snapshot(),
        queueWait: records.queueWait.snapshot(),
        service: records.service.snapshot(),
        wakeLateness: records.wakeLateness.snapshot(),
        recorded: records.recorded,
        exceeding: records.exceeding,
        censored: records.censored,
        inferences: records.inferences,
        dispatchUs: records.dispatchUs,
        cpuTimeMs,
      },
    });
  }

  private async finish(): Promise<void> {
    await this.loop?.stop();
    send(
      {
        type: 'result',
        report: {
          rssBytes: readRssBytes(process.pid),
          readBack: {
            pid: process.pid,
            threads: readThreads(process.pid),
            pagesPerNode: readPagesPerNode(process.pid),
            memPolicy: this.init?.readMemPolicy ? getMemPolicy() : null,
            allocators: readMappedFiles(process.pid).filter((path) => allocatorOfLibrary(path) !== null),
          },
        },
      },
      () => process.disconnect?.(),
    );
  }

  private require<T>(value: T | null): T {
    if (value === null) throw new Error('the runner asked for load before the session was loaded');
    return value;
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
