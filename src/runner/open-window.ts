import { LatencyHistogram } from '../measure/histogram.js';
import { createSloTest, type SloTest, type SloVerdict } from '../measure/slo-test.js';
import { formatSeconds, isStable } from '../measure/stability.js';
import { summarize } from '../measure/summary.js';
import type { HistogramSnapshot } from '../domain/latency.js';
import type { SharedCounters } from '../native/shared-memory.js';
import { ScheduleCursor, windowStreams, type StreamSpec } from './arrivals.js';
import { disturbanceReasons, type TrialDisturbance } from './disturbance.js';
import type { ServedReport, ServeMessage } from './messages.js';
import { overloadVerdict, type BacklogSample, type OverloadVerdict } from './overload.js';
import { NO_CUTOFF, QUEUE_CLOSED, queueSlots, serveLayout } from './shared-layout.js';
import type { LatencyRecord, LoadSettings, MeasureSettings, ServingStep, TrialProgress } from './types.js';

export interface OpenWindowOptions {
  /** Numbers the trial's windows (replies of workers name it). */
  index: number;
  offeredRps: number;
  load: LoadSettings;
  /** The configuration's batch: the most requests one inference takes. */
  batch: number;
  workers: number;
  measure: MeasureSettings;
  /** Capacity search: the window ends once the SLO verdict is 95% certain; null: a window at a rate. */
  sloMs: number | null;
}

/** Workers get this long between the serve message and the first arrival (they are idle and warm). */
const START_MARGIN_MS = 30;
/** The cutoff is set this far ahead, so no worker has already started a request scheduled after it. */
const CUTOFF_MARGIN_US = 20_000;
/** The settling start of a window (served, not recorded): a tenth of the minimum time, at most this. */
const MAX_SETTLE_MS = 500;
/** How often workers send their histogram in a window at a rate, and in a capacity step (a sign of life). */
const PROGRESS_MS = 250;
const SIGN_OF_LIFE_MS = 2000;
/** Time after the cutoff for the backlog to be served before the rest is censored. */
const MIN_DRAIN_MS = 1000;

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * The tuner's side of one open-loop window: it sets up the shared counters and the workers'
 * streams, follows the window live from the counters (no message per request), decides when the
 * arrivals end, lets the backlog drain, censors what was never served, and turns the workers'
 * reports into one ServingStep. Every request scheduled in the window is accounted for: served
 * (latency from schedule) or censored (latency recorded as the lower bound it surely exceeds).
 */
export class OpenWindow {
  readonly settleUs: number;
  readonly drainMs: number;
  private readonly streams: StreamSpec[];
  private readonly queues: number[];
  private readonly t0Us: number;
  readonly t0Ns: bigint;
  private readonly nowCursors: ScheduleCursor[];
  private readonly overdueCursors: ScheduleCursor[];
  private readonly settledBefore: number[];
  private readonly samples: BacklogSample[] = [];
  private readonly slo: SloTest | null;
  private verdict: SloVerdict = 'undecided';
  private decidedEarly = false;
  private cutoffUs: number | null = null;
  /** Requests (all streams) scheduled before the cutoff. */
  private beforeCutoff = 0;
  /** When the arrivals were ended, and the recorded requests scheduled and served by then. */
  private closed = { atUs: 0, scheduled: 0, served: 0 };
  private readonly cpuStart = process.cpuUsage();
  private readonly startedAt = new Date().toISOString();
  private closeReason = '';

  constructor(
    private readonly counters: SharedCounters,
    private readonly options: OpenWindowOptions,
  ) {
    const { load, workers, offeredRps, index } = options;
    this.streams = windowStreams(load.arrivals, offeredRps, load.seed + index * 7919, load.dispatch, workers);
    this.queues = queueSlots(load.dispatch, workers);
    this.settleUs = Math.min(MAX_SETTLE_MS, options.measure.minMs / 10) * 1000;
    this.drainMs = Math.max(MIN_DRAIN_MS, 2 * (options.sloMs ?? 0));
    this.nowCursors = this.streams.map((s) => new ScheduleCursor(s));
    this.overdueCursors = this.streams.map((s) => new ScheduleCursor(s));
    this.settledBefore = this.streams.map((s) => new ScheduleCursor(s).countBefore(this.settleUs));
    this.slo = options.sloMs === null ? null : createSloTest({ quantile: 0.99, confidence: 0.95 });
    // Workers are idle between windows, so the counters can be reset under them.
    for (let slot = 0; slot < counters.slots; slot++) counters.store(slot, 0);
    counters.store(serveLayout(load.dispatch, workers, 0).cutoffSlot, NO_CUTOFF);
    this.t0Us = monotonicUs() + START_MARGIN_MS * 1000;
    this.t0Ns = BigInt(Math.round(this.t0Us)) * 1000n;
  }

  /** The message that starts worker `w` on its part of the window. */
  serveMessage(w: number): ServeMessage {
    const { load, workers, batch, sloMs } = this.options;
    return {
      type: 'serve',
      window: this.options.index,
      t0Ns: this.t0Ns.toString(),
      stream: this.streams[load.dispatch === 'shared' ? 0 : w]!,
      settings: { batch, maxDelayUs: batch > 1 ? load.maxQueueDelayMs * 1000 : 0, settleUs: this.settleUs, sloUs: sloMs === null ? null : sloMs * 1000 },
      layout: serveLayout(load.dispatch, workers, w),
      // A window at a rate closes once the merged p99 is stable, which takes the workers' histograms.
      progressIntervalMs: sloMs === null ? PROGRESS_MS : SIGN_OF_LIFE_MS,
    };
  }

  nowUs(): number {
    return monotonicUs() - this.t0Us;
  }

  /**
   * Samples the window and says whether its arrivals should end now. `latest` is each worker's
   * latency histogram so far (for a window at a rate, which ends once p99 is stable); null until
   * every worker has sent one.
   */
  tick(latest: HistogramSnapshot[] | null): { close: boolean; progress: TrialProgress } {
    const now = this.nowUs();
    const live = this.live(now);
    if (now >= 0) this.samples.push({ atUs: now, backlog: live.backlog });
    const elapsedMs = Math.max(0, now) / 1000;
    const recordedWindowS = Math.max(0, now - this.settleUs) / 1e6;
    let p99Ms = 0;
    let merged: LatencyHistogram | null = null;
    if (latest !== null) {
      merged = new LatencyHistogram();
      for (const h of latest) merged.merge(h);
      if (merged.count > 0) p99Ms = merged.percentile(0.99) / 1000;
    }
    if (this.slo !== null && this.verdict === 'undecided') this.verdict = this.slo.update(live.known, live.knownExceeding);
    const progress: TrialProgress = {
      elapsedMs,
      inferences: live.recorded,
      tps: recordedWindowS > 0 ? live.recorded / recordedWindowS : 0,
      p99Ms,
      serving: {
        offeredRps: this.options.offeredRps,
        achievedRps: recordedWindowS > 0 ? live.recorded / recordedWindowS : 0,
        backlog: live.backlog,
        verdict: this.slo === null ? null : this.verdict,
      },
    };
    const { measure } = this.options;
    const close = (reason: string): { close: boolean; progress: TrialProgress } => {
      this.closeReason = reason;
      return { close: true, progress };
    };
    if (elapsedMs >= measure.maxMs) return close(`maximum time ${formatSeconds(measure.maxMs)} reached`);
    if (elapsedMs < measure.minMs) return { close: false, progress };
    if (this.verdict !== 'undecided') {
      this.decidedEarly = true;
      return close(`the SLO verdict (${this.verdict}) is 95% certain after ${live.known} requests`);
    }
    const overload = this.overload(live.scheduled, live.recorded);
    if (overload.overloaded) return close(`overloaded: ${overload.reason}`);
    if (this.slo === null && merged !== null && merged.count > 0) {
      const verdict = isStable(summarize(merged.snapshot()), measure, elapsedMs);
      if (verdict.done && verdict.stable) return close(verdict.reason);
    }
    return { close: false, progress };
  }

  /** Ends the arrivals a little ahead of now; what arrived before keeps being served. */
  closeArrivals(): void {
    const now = this.nowUs();
    const live = this.live(now);
    this.closed = { atUs: now, scheduled: live.scheduled, served: live.recorded };
    this.cutoffUs = now + CUTOFF_MARGIN_US;
    const cutoff = this.cutoffUs;
    this.beforeCutoff = this.streams.reduce((sum, s) => sum + new ScheduleCursor(s).countBefore(cutoff), 0);
    this.counters.store(serveLayout(this.options.load.dispatch, this.options.workers, 0).cutoffSlot, Math.ceil(this.cutoffUs));
  }

  /** True once every request scheduled before the cutoff has been served. */
  drained(): boolean {
    const cutoff = this.requireCutoff();
    if (this.nowUs() < cutoff) return false;
    return this.completedSoFar() >= this.beforeCutoff;
  }

  /**
   * Stops the window for good: no worker starts service from now on. Requests that were never
   * taken are censored here (the workers censor those they held), at the time they have waited.
   */
  abandon(): LatencyRecord {
    const cutoff = this.requireCutoff();
    const layout = serveLayout(this.options.load.dispatch, this.options.workers, 0);
    this.counters.store(layout.abandonSlot, 1);
    const censored = new LatencyHistogram();
    const now = this.nowUs();
    this.queues.forEach((slot, q) => {
      const firstUntaken = this.counters.add(slot, QUEUE_CLOSED);
      if (firstUntaken >= QUEUE_CLOSED) return;
      const cursor = new ScheduleCursor(this.streams[q]!);
      const end = new ScheduleCursor(this.streams[q]!).countBefore(cutoff);
      for (let i = Math.max(firstUntaken, this.settledBefore[q]!); i < end; i++) censored.record(Math.max(0, now - cursor.at(i)));
    });
    return { summary: null, histogram: censored.snapshot() };
  }

  /** The step, from the workers' reports of this window and the requests censored in abandon(). */
  finish(reports: readonly ServedReport[], untaken: LatencyRecord, disturbance: TrialDisturbance | null): ServingStep {
    const cutoff = this.requireCutoff();
    const { sloMs, offeredRps, measure } = this.options;
    const merge = (pick: (r: ServedReport) => HistogramSnapshot, extra?: HistogramSnapshot): LatencyRecord => {
      const h = new LatencyHistogram();
      for (const r of reports) h.merge(pick(r));
      if (extra) h.merge(extra);
      const histogram = h.snapshot();
      return { summary: histogram.total > 0 ? summarize(histogram) : null, histogram };
    };
    const latency = merge((r) => r.latency, untaken.histogram);
    const queueWait = merge((r) => r.queueWait, untaken.histogram);
    const service = merge((r) => r.service);
    const lateness = merge((r) => r.wakeLateness);
    const untakenCount = untaken.histogram.total;
    const scheduled = this.streams.reduce((sum, s, q) => sum + new ScheduleCursor(s).countBefore(cutoff) - this.settledBefore[q]!, 0);
    // A request never taken waited at least the drain time, which is twice the SLO: it exceeded it.
    const exceeding = reports.reduce((sum, r) => sum + r.exceeding, 0) + (sloMs === null ? 0 : untakenCount);
    // Served against offered as it stood when the arrivals were ended (the drain serves the rest).
    const overload = this.overload(this.closed.scheduled, this.closed.served);
    const windowS = Math.max(1e-9, (this.closed.atUs - this.settleUs) / 1e6);
    let slo: ServingStep['slo'] = null;
    if (sloMs !== null && this.slo !== null) {
      let final = this.verdict !== 'undecided' ? this.verdict : this.slo.final(latency.histogram.total, exceeding).verdict;
      // Requests after an early verdict (those in flight and the drain) belong to the window too.
      // When the whole window's p99 says otherwise, the machine changed within it: the certain
      // verdict no longer stands, and the step falls back to its point estimate, marked undecided.
      const pointMeets = latency.summary !== null && latency.summary.p99 <= sloMs;
      if (this.decidedEarly && final !== 'undecided' && (final === 'meets') !== pointMeets) {
        final = 'undecided';
        this.closeReason += `; the whole window's p99 (${latency.summary?.p99.toFixed(2)} ms) contradicts it, so the step is judged by that point estimate`;
      }
      slo = { sloMs, exceeding, verdict: overload.overloaded ? 'misses' : final, early: this.decidedEarly };
    }
    const stability = latency.summary === null ? null : isStable(latency.summary, measure, Math.max(measure.minMs, (cutoff - this.settleUs) / 1000));
    const cpu = process.cpuUsage(this.cpuStart);
    const backlogs = this.samples.map((s) => s.backlog);
    return {
      offeredRps,
      scheduled,
      achievedRps: this.closed.served / windowS,
      windowMs: windowS * 1000,
      latency,
      queueWait,
      service,
      queueShare: latency.summary && queueWait.summary && latency.summary.p99 > 0 ? Math.min(1, queueWait.summary.p99 / latency.summary.p99) : null,
      overloaded: overload.overloaded,
      overloadReason: overload.reason,
      backlog: { start: backlogs[0] ?? 0, end: backlogs.at(-1) ?? 0, max: Math.max(0, ...backlogs) },
      censored: reports.reduce((sum, r) => sum + r.censored, 0) + untakenCount,
      slo,
      dispatchCpuMs: reports.reduce((sum, r) => sum + r.dispatchUs, 0) / 1000,
      tunerCpuMs: (cpu.user + cpu.system) / 1000,
      wakeLatenessP99Us: lateness.summary === null ? null : lateness.summary.p99 * 1000,
      stable: slo !== null ? slo.verdict !== 'undecided' : (stability?.stable ?? false),
      disturbance,
      disturbed: disturbanceReasons(disturbance),
      reason: this.closeReason || (stability?.reason ?? 'no request was recorded'),
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
    };
  }

  private overload(scheduled: number, served: number): OverloadVerdict {
    return overloadVerdict({ samples: this.samples, scheduled, served, inFlight: this.options.workers * this.options.batch });
  }

  /** Live counts from the shared counters and the schedule. */
  private live(now: number): { backlog: number; recorded: number; scheduled: number; known: number; knownExceeding: number } {
    const layouts = Array.from({ length: this.options.workers }, (_, w) => serveLayout(this.options.load.dispatch, this.options.workers, w));
    const completed = layouts.map((l) => this.counters.load(l.completedSlot));
    const recorded = layouts.reduce((sum, l) => sum + this.counters.load(l.recordedSlot), 0);
    const exceeding = layouts.reduce((sum, l) => sum + this.counters.load(l.exceedingSlot), 0);
    const shared = this.options.load.dispatch === 'shared';
    const doneOf = (q: number): number => (shared ? completed.reduce((a, b) => a + b, 0) : completed[q]!);
    let backlog = 0;
    let scheduled = 0;
    let old = 0;
    let overdue = 0;
    const sloUs = (this.options.sloMs ?? 0) * 1000;
    this.streams.forEach((_, q) => {
      const arrived = this.nowCursors[q]!.countBefore(now);
      backlog += Math.max(0, arrived - doneOf(q));
      scheduled += Math.max(0, arrived - this.settledBefore[q]!);
      if (this.options.sloMs !== null) {
        // Requests scheduled an SLO ago or more have a known outcome: done in time, done late (the
        // workers counted those), or not done yet, which will exceed it whatever happens next.
        // Younger ones are left out: those done so far are the fast ones.
        const before = this.overdueCursors[q]!.countBefore(now - sloUs);
        old += Math.max(0, before - this.settledBefore[q]!);
        overdue += Math.max(0, Math.min(before - doneOf(q), before - this.settledBefore[q]!));
      }
    });
    return { backlog, recorded, scheduled, known: old, knownExceeding: Math.min(old, exceeding + overdue) };
  }

  private completedSoFar(): number {
    const { load, workers } = this.options;
    let sum = 0;
    for (let w = 0; w < workers; w++) sum += this.counters.load(serveLayout(load.dispatch, workers, w).completedSlot);
    return sum;
  }

  private requireCutoff(): number {
    if (this.cutoffUs === null) throw new Error('the window has no cutoff yet: call closeArrivals first');
    return this.cutoffUs;
  }
}
