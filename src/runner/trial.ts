import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AutotuneError } from '../errors.js';
import { isStable, LatencyHistogram, noiseReasons, summarize, type HistogramSnapshot, type LatencySummary } from '../measure/index.js';
import { probeCapabilities, type Capabilities, type LaunchPlacement } from '../native/index.js';
import { SharedCounters } from '../native/shared-memory.js';
import { ortAffinities, planPlacement } from '../placement/index.js';
import type { Plan, WorkerPlan } from '../domain/config.js';
import { allocatorPreload } from '../topology/allocators.js';
import { inspectModel, planInputs, type InputPlan } from '../workload/index.js';
import { nextCapacityRate, capacityOf } from './capacity.js';
import { disturbanceReasons, measureDisturbance, snapshotDisturbance, trialCpus, watchDisturbance, type TrialDisturbance } from './disturbance.js';
import type { FinalReport, ParentMessage, WindowReport } from './messages.js';
import { OpenWindow } from './open-window.js';
import { pinningUnavailable } from './pinning.js';
import { sharedSlots } from './shared-layout.js';
import type {
  LoadSettings,
  RunnerEvent,
  ServingResult,
  ServingStep,
  TrialPhase,
  TrialRequest,
  TrialResult,
  WorkerReadBack,
  WorkerStats,
} from './types.js';
import { unpinnedNote } from './unpinned-note.js';
import { verifyPlacement } from './verify.js';
import { WorkerProcess, type WorkerExit, type WorkerMessageType } from './worker-process.js';

export interface RunTrialOptions {
  signal?: AbortSignal;
  onEvent?: (event: RunnerEvent) => void;
  /** Put on every worker's command line so the trial's processes can be found (default: random). */
  tag?: string;
  /** How long a worker may stay silent while the runner waits on it before the trial fails as hung. */
  hangTimeoutMs?: number;
}

/** An open-loop trial: the closed-loop request plus how the load arrives. */
export interface ServingRequest extends TrialRequest {
  load: LoadSettings;
}

/** What an open-loop trial measures: fixed rates, or the capacity under an SLO. */
export type ServingPlan =
  | { kind: 'rates'; ratesRps: readonly number[] }
  | {
      kind: 'capacity';
      sloMs: number;
      /** The closed-loop throughput to bracket below; null: measure it first in the same workers. */
      ceilingRps: number | null;
      /** The search stops when the bracket is narrower than this fraction of the ceiling. */
      resolution: number;
      /** Steps already measured (a resumed search continues from them). */
      prior: readonly ServingStep[];
    };

const DEFAULT_HANG_TIMEOUT_MS = 60_000;
/** How often workers send their window so far, and the runner checks it. */
const PROGRESS_INTERVAL_MS = 250;
/** How long finished workers get to exit by themselves before they are killed. */
const EXIT_GRACE_MS = 5_000;
/** onnxruntime logs this (and runs the thread unpinned) when a pool affinity is refused. */
const ORT_AFFINITY_FAILURE = 'pthread_setaffinity_np failed';

/**
 * Runs one configuration for real, closed loop: P pinned worker processes, warmed up together,
 * measured in one window that opens and closes together, until p99 is stable or the maximum time.
 * Whatever ends the trial (success, a worker crash or hang, the abort signal, an exception here),
 * every worker is killed and reaped before this returns or throws.
 */
export async function runTrial(request: TrialRequest, options: RunTrialOptions = {}): Promise<TrialResult> {
  return withRun(request, false, options, async (run, startedAt) => {
    await run.start();
    const closed = await run.closedWindow();
    const finals = await run.finish();
    return run.closedResult(closed, finals, startedAt);
  });
}

/**
 * Runs one configuration open loop: the same workers serve an arrival stream at each offered rate
 * in turn (or at the rates a capacity search chooses), each window's latencies counted from the
 * scheduled arrivals. Each finished window is reported as a 'stepFinished' event before the next.
 */
export async function runServing(request: ServingRequest, plan: ServingPlan, options: RunTrialOptions = {}): Promise<ServingResult> {
  return withRun(request, true, options, async (run, startedAt) => {
    await run.start();
    let closed: TrialResult | null = null;
    const steps: ServingStep[] = [];
    let capacity: ServingResult['capacity'] = null;
    if (plan.kind === 'rates') {
      for (const rate of plan.ratesRps) steps.push(await run.openWindow(steps.length, rate, request.load, null));
    } else {
      let ceiling = plan.ceilingRps;
      if (ceiling === null) {
        closed = run.closedResult(await run.closedWindow(), null, startedAt);
        ceiling = closed.tps;
      }
      const search = { sloMs: plan.sloMs, ceilingRps: ceiling, resolution: plan.resolution };
      const all = [...plan.prior];
      for (let rate = nextCapacityRate(search, all); rate !== null; rate = nextCapacityRate(search, all)) {
        const step = await run.openWindow(all.length, rate, request.load, plan.sloMs);
        steps.push(step);
        all.push(step);
      }
      capacity = capacityOf(search, all);
    }
    const finals = await run.finish();
    return run.servingResult(request.load, closed, steps, capacity, finals, startedAt);
  });
}

async function withRun<T>(request: TrialRequest, open: boolean, options: RunTrialOptions, body: (run: TrialRun, startedAt: string) => Promise<T>): Promise<T> {
  const startedAt = new Date().toISOString();
  if (options.signal?.aborted) throw interrupted();
  const capabilities = probeCapabilities();
  const plan = planPlacement(request.config, request.topology, { oversubscribe: request.oversubscribe, pinning: pinningUnavailable(capabilities) === null });
  const preload = allocatorPreload(request.config.allocator);
  const inputPlan = planInputs(await inspectModel(request.model.path), request.inputs, request.config.batch);
  const counters = open ? SharedCounters.create(sharedSlots(plan.workers.length)) : null;
  const run = new TrialRun(request, plan, preload, inputPlan, capabilities, options, counters);
  let result: T;
  try {
    result = await body(run, startedAt);
  } catch (error) {
    await run.teardown(false);
    throw error;
  } finally {
    counters?.closeFd();
  }
  await run.teardown(true);
  return result;
}

function interrupted(): AutotuneError {
  return new AutotuneError('interrupted', 'trial stopped before it finished (interrupted)');
}

interface ClosedWindow {
  reports: WindowReport[];
  warmupMs: number;
  measuredMs: number;
  disturbance: TrialDisturbance | null;
}

class TrialRun {
  private readonly emit: (event: RunnerEvent) => void;
  private readonly tag: string;
  private readonly hangTimeoutMs: number;
  private readonly workers: WorkerProcess[] = [];
  private readonly notes: string[] = [];
  private readonly latest = new Map<number, { histogram: HistogramSnapshot; elapsedMs: number }>();
  private phase: TrialPhase = 'spawning';
  private phaseStart = performance.now();
  /** Message the runner is waiting for from every worker; null when it waits on none. */
  private awaiting: WorkerMessageType | null = null;
  private phaseDeadlineMs: number;
  private finishing = false;
  private failure: AutotuneError | null = null;
  private rejectFailure: (error: AutotuneError) => void = () => undefined;
  private readonly failed: Promise<never>;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.fail(interrupted());
  /** Why this trial runs without the placement it asked for; null when pinned or the baseline. */
  private readonly unpinned: string | null;
  private warmupMs = 0;
  private onnxruntimeVersion = 'unknown';

  constructor(
    private readonly request: TrialRequest,
    private readonly plan: Plan,
    /** The allocator library every worker preloads (null: glibc's malloc). */
    private readonly preload: string | null,
    private readonly inputPlan: InputPlan,
    private readonly capabilities: Capabilities,
    options: RunTrialOptions,
    private readonly counters: SharedCounters | null,
  ) {
    const listener = options.onEvent ?? (() => undefined);
    // A throwing listener must not strand the workers: it fails the trial like any other fault.
    this.emit = (event) => {
      try {
        listener(event);
      } catch (error) {
        this.fail(new AutotuneError('trial', `trial event listener failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    };
    this.tag = options.tag ?? randomBytes(6).toString('hex');
    this.hangTimeoutMs = options.hangTimeoutMs ?? DEFAULT_HANG_TIMEOUT_MS;
    this.phaseDeadlineMs = this.hangTimeoutMs;
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailure = reject;
    });
    this.failed.catch(() => undefined);
    this.signal = options.signal;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.unpinned = plan.pinned || request.config.baseline ? null : unpinnedNote(pinningUnavailable(capabilities) ?? 'pinning was not applied');
  }

  /** Spawns, pins, loads and warms up every worker (closed loop, unrecorded). */
  async start(): Promise<void> {
    if (this.signal?.aborted) throw interrupted();
    this.timers.push(setInterval(() => this.watchdog(), Math.min(250, this.hangTimeoutMs / 4)));
    this.enter('spawning', null);
    this.spawnAll();
    this.counters?.closeFd();
    this.enter('pinning', 'pinned');
    await this.all('pinned');
    this.enter('loading', 'ready');
    const ready = await this.all('ready');
    this.onnxruntimeVersion = ready[0]?.onnxruntimeVersion ?? 'unknown';
    const warmupStart = performance.now();
    this.enter('warmup', 'warmed', this.request.measure.warmupMs + this.hangTimeoutMs);
    this.broadcast({ type: 'warmup', durationMs: this.request.measure.warmupMs });
    await this.all('warmed');
    this.warmupMs = performance.now() - warmupStart;
  }

  /** One closed-loop window, until p99 is stable or the maximum time; the closed loop ends with it. */
  async closedWindow(): Promise<ClosedWindow> {
    this.latest.clear();
    this.enter('measuring', 'progress');
    const watch = watchDisturbance(trialCpus(this.plan.workers), this.workers.map((w) => w.pid));
    const opened = snapshotDisturbance(watch);
    const windowStart = performance.now();
    this.broadcast({ type: 'measure' });
    await this.race(this.measureUntilStable(windowStart));
    const measuredMs = performance.now() - windowStart;
    const disturbance = measureDisturbance(watch, opened, snapshotDisturbance(watch));
    this.enter('cooldown', 'measured');
    this.broadcast({ type: 'close' });
    const reports = await this.all('measured');
    return { reports: reports.map((m) => m.report), warmupMs: this.warmupMs, measuredMs, disturbance };
  }

  /** One open-loop window at `rate` requests/s (against `sloMs` in a capacity search). */
  async openWindow(index: number, rate: number, load: LoadSettings, sloMs: number | null): Promise<ServingStep> {
    if (this.counters === null) throw new Error('an open-loop window needs the shared counters');
    this.latest.clear();
    this.emit({ type: 'stepStarted', index, offeredRps: rate });
    this.enter('serving', 'progress');
    const window = new OpenWindow(this.counters, {
      index,
      offeredRps: rate,
      load,
      batch: this.inputPlan.effectiveBatch,
      workers: this.workers.length,
      measure: this.request.measure,
      sloMs,
    });
    const watch = watchDisturbance(trialCpus(this.plan.workers), this.workers.map((w) => w.pid));
    const opened = snapshotDisturbance(watch);
    this.workers.forEach((w, i) => w.send(window.serveMessage(i)));
    const served = Promise.all(this.workers.map((w) => w.when('served', (m) => m.report.window === index)));
    served.catch(() => undefined);
    await this.race(this.poll(() => {
      const { close, progress } = window.tick(this.latestHistograms());
      this.emit({ type: 'progress', progress });
      return close;
    }));
    window.closeArrivals();
    const drainDeadline = performance.now() + window.drainMs;
    await this.race(this.poll(() => window.drained() || performance.now() >= drainDeadline));
    const untaken = window.abandon();
    const reports = await this.race(served);
    const disturbance = measureDisturbance(watch, opened, snapshotDisturbance(watch));
    const step = window.finish(reports.map((m) => m.report), untaken, disturbance);
    this.emit({ type: 'stepFinished', index, step });
    return step;
  }

  /** Reads back every worker's placement; the workers exit after it. */
  async finish(): Promise<FinalReport[]> {
    this.enter('cooldown', 'result');
    this.broadcast({ type: 'finish' });
    const results = await this.all('result');
    this.finishing = true;
    return results.map((m) => m.report);
  }

  /**
   * Waits until every worker is reaped: after a good trial they exit by themselves (killed if they
   * linger); otherwise they are killed at once.
   */
  async teardown(graceful: boolean): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.finishing = true;
    if (graceful) {
      const grace = setTimeout(() => void this.killAll(), EXIT_GRACE_MS);
      await Promise.all(this.workers.map((w) => w.exit ?? w.exited));
      clearTimeout(grace);
    }
    await this.killAll();
  }

  closedResult(window: ClosedWindow, finals: FinalReport[] | null, startedAt: string): TrialResult {
    const { config } = this.request;
    const batch = this.inputPlan.effectiveBatch;
    const merged = new LatencyHistogram();
    const workers: WorkerStats[] = window.reports.map((report, index) => {
      merged.merge(report.histogram);
      const seconds = report.windowMs / 1000;
      const inferences = report.histogram.total;
      if (report.migrations === null) this.note('CPU migrations unknown: this kernel has no /proc/PID/task/TID/sched');
      return {
        index,
        pid: this.workers[index]!.pid,
        inferences,
        samples: inferences * batch,
        tps: (inferences * batch) / seconds,
        p99Ms: summarize(report.histogram).p99,
        cpuTimeMs: report.cpuTimeMs,
        voluntaryCtxSwitches: report.voluntaryCtxSwitches,
        involuntaryCtxSwitches: report.involuntaryCtxSwitches,
        migrations: report.migrations ?? 0,
        rssBytes: finals?.[index]?.rssBytes ?? 0,
      };
    });
    const snapshot = merged.snapshot();
    const latency = summarize(snapshot);
    // The verdict that is stored is taken on the merged histogram of the whole window, not on the
    // workers' last progress snapshots the window was closed on.
    const stability = isStable(latency, this.request.measure, window.measuredMs);
    const placement = this.placement(finals);
    const reasons = [
      ...noiseReasons({ perWorkerTps: workers.map((w) => w.tps), stable: stability.stable, stabilityReason: stability.reason }),
      ...placement.reasons,
      ...disturbanceReasons(window.disturbance),
    ];
    return {
      config,
      plan: placement.plan,
      model: this.request.model,
      readBack: placement.readBack,
      verification: placement.verification,
      latency,
      histogram: snapshot,
      tps: workers.reduce((sum, w) => sum + w.tps, 0),
      ips: window.reports.reduce((sum, r) => sum + r.histogram.total / (r.windowMs / 1000), 0),
      workers,
      window: { warmupMs: window.warmupMs, measuredMs: window.measuredMs, stable: stability.stable },
      noisy: reasons.length > 0,
      noiseReasons: reasons,
      disturbance: window.disturbance,
      onnxruntimeVersion: this.onnxruntimeVersion,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }

  servingResult(
    load: LoadSettings,
    closed: TrialResult | null,
    steps: ServingStep[],
    capacity: ServingResult['capacity'],
    finals: FinalReport[],
    startedAt: string,
  ): ServingResult {
    const placement = this.placement(finals);
    const closedPlacement = closed === null ? null : { ...closed, plan: placement.plan, readBack: placement.readBack, verification: placement.verification };
    const disturbed = steps.flatMap((s) => s.disturbed.map((d) => `window at ${Math.round(s.offeredRps)} req/s: ${d}`));
    const reasons = [...placement.reasons, ...disturbed, ...(capacity?.uncertain ? ['a deciding capacity window was undecided at its maximum time or disturbed: the capacity is uncertain'] : [])];
    return {
      config: this.request.config,
      plan: placement.plan,
      model: this.request.model,
      readBack: placement.readBack,
      verification: placement.verification,
      load,
      closed: closedPlacement,
      steps,
      capacity,
      noisy: reasons.length > 0,
      noiseReasons: reasons,
      onnxruntimeVersion: this.onnxruntimeVersion,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }

  /** The read-back of every worker checked against the plan, and what it adds to the noise reasons. */
  private placement(finals: FinalReport[] | null): { plan: Plan; readBack: WorkerReadBack[]; verification: TrialResult['verification']; reasons: string[] } {
    const readBack = (finals ?? []).map((r, index) => ({ index, ...r.readBack }));
    const verification = finals === null ? { verified: false, mismatches: ['not read back yet'] } : verifyPlacement(this.plan, readBack, this.request.config.allocator);
    if (finals !== null) for (const mismatch of verification.mismatches) this.emit({ type: 'warning', message: `placement mismatch: ${mismatch}` });
    return {
      plan: this.unpinned === null ? this.plan : { ...this.plan, notes: [...this.plan.notes, this.unpinned] },
      readBack,
      verification,
      reasons: [...(verification.verified ? [] : [`placement not verified: ${verification.mismatches.length} mismatch(es) with the plan`]), ...this.notes],
    };
  }

  private note(reason: string): void {
    if (this.notes.includes(reason)) return;
    this.notes.push(reason);
    this.emit({ type: 'warning', message: reason });
  }

  private spawnAll(): void {
    if (this.unpinned !== null) this.emit({ type: 'warning', message: this.unpinned });
    const memPolicyOk = this.capabilities.memPolicy.ok;
    if (this.plan.pinned && !memPolicyOk && this.plan.workers.some((w) => w.memPolicy !== 'default')) {
      this.note(`memory policy not applied: ${this.capabilities.memPolicy.detail}`);
    }
    for (const worker of this.plan.workers) {
      const process = new WorkerProcess(
        worker.index,
        this.launchPlacement(worker, memPolicyOk),
        this.preload,
        this.tag,
        {
          onMessage: (w, message) => {
            if (message.type === 'error') this.fail(this.workerError(w, `failed: ${message.message}`));
            else if (message.type === 'progress') this.latest.set(w.index, message);
          },
          onExit: (w, exit) => {
            if (!this.finishing && !w.has('result')) this.fail(this.workerError(w, exitReason(exit, w.stderrReason())));
          },
          onError: (w, error) => this.fail(this.workerError(w, `could not be started: ${error.message}`)),
          onStderrLine: (w, line) => {
            if (line.includes(ORT_AFFINITY_FAILURE)) {
              this.note(`worker ${w.index}: onnxruntime could not pin a pool thread (${line.trim()})`);
            }
          },
        },
        this.counters === null ? null : this.counters.fd,
      );
      this.workers.push(process);
      process.send({
        type: 'init',
        index: worker.index,
        modelPath: this.request.model.path,
        inputPlan: this.inputPlan,
        mainCpu: worker.mainCpu,
        config: this.request.config,
        poolAffinities: this.plan.pinned ? ortAffinities(worker) : '',
        readMemPolicy: memPolicyOk,
        progressIntervalMs: PROGRESS_INTERVAL_MS,
        sharedSlots: this.counters === null ? null : this.counters.slots,
      });
    }
  }

  private launchPlacement(worker: WorkerPlan, memPolicyOk: boolean): LaunchPlacement | null {
    if (!this.plan.pinned) return null;
    return memPolicyOk
      ? { cpus: worker.cpus, memPolicy: worker.memPolicy, mems: worker.mems }
      : { cpus: worker.cpus, memPolicy: 'default', mems: [] };
  }

  private pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  private enter(phase: TrialPhase, awaiting: TrialRun['awaiting'], deadlineMs = this.hangTimeoutMs): void {
    const changed = phase !== this.phase || phase === 'spawning';
    this.phase = phase;
    this.phaseStart = performance.now();
    this.awaiting = awaiting;
    this.phaseDeadlineMs = deadlineMs;
    if (!changed) return;
    // The pids let callers (and tests) see the trial's processes while it runs.
    this.emit(this.workers.length === 0 ? { type: 'phase', phase } : { type: 'phase', phase, pids: this.pids() });
  }

  private async all<T extends WorkerMessageType>(type: T) {
    return this.race(Promise.all(this.workers.map((w) => w.when(type))));
  }

  private race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.failed]);
  }

  private broadcast(message: ParentMessage): void {
    for (const worker of this.workers) worker.send(message);
  }

  /** Resolves once `done` says so, checked every progress interval. */
  private poll(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.failure !== null || !done()) return;
        clearInterval(ticks);
        resolve();
      };
      const ticks = setInterval(check, PROGRESS_INTERVAL_MS);
      this.timers.push(ticks);
    });
  }

  /**
   * Merges the workers' windows as their progress arrives and closes the window when isStable says
   * so; the maximum time is also checked on the dot, not on the next progress tick.
   */
  private measureUntilStable(windowStart: number): Promise<void> {
    const settings = this.request.measure;
    return new Promise((resolve) => {
      const check = (): void => {
        const elapsedMs = performance.now() - windowStart;
        const summary = this.windowSoFar(elapsedMs);
        const done = summary ? isStable(summary, settings, elapsedMs).done : elapsedMs >= settings.maxMs;
        if (!done) return;
        clearInterval(ticks);
        clearTimeout(deadline);
        resolve();
      };
      const ticks = setInterval(check, PROGRESS_INTERVAL_MS);
      const deadline = setTimeout(check, settings.maxMs);
      this.timers.push(ticks, deadline);
    });
  }

  /** Every worker's latency histogram of the current window so far; null until each has sent one. */
  private latestHistograms(): HistogramSnapshot[] | null {
    if (this.latest.size < this.workers.length) return null;
    return [...this.latest.values()].map((m) => m.histogram);
  }

  /** The merged window so far, reported as progress; null until every worker has results. */
  private windowSoFar(elapsedMs: number): LatencySummary | null {
    if (this.latest.size < this.workers.length) return null;
    const merged = new LatencyHistogram();
    let ips = 0;
    for (const { histogram, elapsedMs: workerMs } of this.latest.values()) {
      merged.merge(histogram);
      if (workerMs > 0) ips += histogram.total / (workerMs / 1000);
    }
    if (merged.count === 0) return null;
    const summary = summarize(merged.snapshot());
    const tps = ips * this.inputPlan.effectiveBatch;
    this.emit({ type: 'progress', progress: { elapsedMs, inferences: summary.count, tps, p99Ms: summary.p99 } });
    return summary;
  }

  /** A worker the runner waits on that stays silent past the phase's deadline is hung. */
  private watchdog(): void {
    if (this.awaiting === null || this.finishing) return;
    const now = performance.now();
    for (const worker of this.workers) {
      if (this.awaiting !== 'progress' && worker.has(this.awaiting)) continue;
      const silentMs = now - Math.max(worker.lastHeard, this.phaseStart);
      if (silentMs > this.phaseDeadlineMs) {
        this.fail(this.workerError(worker, `sent nothing for ${(silentMs / 1000).toFixed(1)} s: hung`));
        return;
      }
    }
  }

  private workerError(worker: WorkerProcess, what: string): AutotuneError {
    return new AutotuneError('trial', `worker ${worker.index} (pid ${worker.pid}) ${what} while ${this.phase}`);
  }

  private fail(error: AutotuneError): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.finishing = true;
    this.rejectFailure(error);
    void this.killAll();
  }

  private async killAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.kill()));
  }
}

function exitReason(exit: WorkerExit, lastStderr: string | null): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return lastStderr ? `${how} (${lastStderr.trim()})` : how;
}

