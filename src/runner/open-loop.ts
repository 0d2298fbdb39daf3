import { LatencyHistogram } from '../measure/histogram.js';
import type { ScheduleCursor } from './arrivals.js';

/**
 * The serving side of an open-loop window, as one worker runs it. Requests arrive on a schedule
 * (ScheduleCursor) whatever the workers do; a worker takes the next request from its queue when it
 * is idle, so with shared dispatch the first idle worker serves each request (one FIFO queue in
 * front of P servers). A request's latency is its completion minus its *scheduled* arrival, as
 * wrk2 and MLPerf LoadGen's Server scenario count it: a worker that stalls is charged for every
 * request that queued behind it. Queue wait (start of service minus arrival) and service time are
 * recorded apart.
 *
 * Everything outside (time, the queue, the window's cutoff) comes through ports, so tests drive
 * this on a virtual clock and a worker process drives it on the real one.
 */
export interface ServingClock {
  /** µs since the window's start. */
  nowUs(): number;
  /** Resolves at `us`, or soon after `interrupted()` turns true. */
  waitUntil(us: number, interrupted: () => boolean): Promise<void>;
}

export interface RequestQueue {
  /** Takes the next request and returns its index; null once the queue is closed. */
  take(): number | null;
  /** The index the next take() would return (another worker may take it first); null once closed. */
  peek(): number | null;
  /** Takes request `index` only if it is still the next one. */
  takeIf(index: number): boolean;
}

export interface WindowControl {
  /** No request scheduled at or after this time (µs) is served. */
  cutoffUs(): number;
  /** The drain time is over: start no more service. */
  abandoned(): boolean;
  /** Called after every batch: requests served, and how many of them were recorded and over the SLO (the tuner follows the window live). */
  onCompleted(served: number, recorded: number, exceeding: number): void;
}

export interface ServingSettings {
  /** Most requests one inference takes. */
  batch: number;
  /** How long (µs) a worker holding fewer than `batch` requests waits for more after the oldest arrived. */
  maxDelayUs: number;
  /** Requests scheduled before this (µs) are served but not recorded: the queue starts empty. */
  settleUs: number;
  /** A recorded request over this latency (µs) counts as exceeding; null without an SLO. */
  sloUs: number | null;
}

/** What one worker recorded over a window. */
export class ServingRecords {
  readonly latency = new LatencyHistogram();
  readonly queueWait = new LatencyHistogram();
  readonly service = new LatencyHistogram();
  /** How late the worker woke for an arrival it was idle for: the generator's own error. */
  readonly wakeLateness = new LatencyHistogram();
  recorded = 0;
  exceeding = 0;
  /** Recorded requests never served (the drain ran out); their latency is recorded as a lower bound. */
  censored = 0;
  /** Inferences run (any batch size), recorded or not. */
  inferences = 0;
  /** µs spent taking requests and forming batches: the dispatcher's cost inside the worker. */
  dispatchUs = 0;
}

export interface ServePorts {
  clock: ServingClock;
  queue: RequestQueue;
  control: WindowControl;
  /** Runs one inference over `k` requests. */
  infer(k: number): Promise<void>;
  /** Sees every served request (µs from the window's start); for tests and debugging. */
  log?: (request: { arrivalUs: number; startUs: number; endUs: number }) => void;
}

/** Serves requests from the queue until the cutoff, the queue's closing or the abandon flag. */
export async function serveWindow(ports: ServePorts, schedule: ScheduleCursor, settings: ServingSettings, records: ServingRecords): Promise<void> {
  const { clock, queue, control } = ports;
  const stopWaiting = (): boolean => control.abandoned() || clock.nowUs() >= control.cutoffUs();
  const batch: number[] = [];
  let mark = clock.nowUs();
  /** Adds the time since the last mark to the dispatcher's account, then moves the mark to now. */
  const charge = (): number => {
    const now = clock.nowUs();
    records.dispatchUs += now - mark;
    mark = now;
    return now;
  };
  for (;;) {
    const first = queue.take();
    if (first === null) return;
    const arrival = schedule.at(first);
    if (arrival >= control.cutoffUs()) return;
    batch.length = 0;
    batch.push(arrival);
    let now = charge();
    // Recorded after the inference: nothing but the cutoff check stands between waking and serving.
    let lateness: number | null = null;
    if (arrival > now) {
      await clock.waitUntil(arrival, stopWaiting);
      now = mark = clock.nowUs();
      if (now >= arrival) lateness = now - arrival;
    }
    // The cutoff may have come down while this worker waited.
    if (arrival >= control.cutoffUs()) return;
    const deadline = arrival + settings.maxDelayUs;
    while (batch.length < settings.batch && !control.abandoned()) {
      const next = queue.peek();
      if (next === null) break;
      const nextArrival = schedule.at(next);
      const beyond = nextArrival >= control.cutoffUs();
      if (beyond || nextArrival > now) {
        // A server cannot see the next arrival coming: it holds a partial batch until a request
        // arrives or the deadline passes, whichever is first. Requests already waiting join at once.
        const until = beyond ? deadline : Math.min(nextArrival, deadline);
        if (until > now) {
          charge();
          await clock.waitUntil(until, stopWaiting);
          now = mark = clock.nowUs();
        }
        if (beyond || now < nextArrival) break;
      }
      // Another idle worker may take it first; then look at the one after.
      if (queue.takeIf(next)) batch.push(nextArrival);
    }
    if (control.abandoned()) {
      censor(batch, charge(), settings, records);
      return;
    }
    const start = charge();
    await ports.infer(batch.length);
    const end = (mark = clock.nowUs());
    records.inferences++;
    if (lateness !== null) records.wakeLateness.record(lateness);
    record(batch, start, end, settings, records, control);
    if (ports.log) for (const arrivalUs of batch) ports.log({ arrivalUs, startUs: start, endUs: end });
  }
}

function record(arrivals: readonly number[], start: number, end: number, settings: ServingSettings, records: ServingRecords, control: WindowControl): void {
  let recorded = 0;
  let exceeding = 0;
  for (const arrival of arrivals) {
    if (arrival < settings.settleUs) continue;
    const latency = end - arrival;
    records.latency.record(latency);
    records.queueWait.record(Math.max(0, start - arrival));
    records.service.record(end - start);
    recorded++;
    if (settings.sloUs !== null && latency > settings.sloUs) exceeding++;
  }
  records.recorded += recorded;
  records.exceeding += exceeding;
  control.onCompleted(arrivals.length, recorded, exceeding);
}

/** Requests taken but never served: at least this late, which is what gets recorded. */
function censor(arrivals: readonly number[], now: number, settings: ServingSettings, records: ServingRecords): void {
  for (const arrival of arrivals) {
    if (arrival < settings.settleUs) continue;
    const waited = Math.max(0, now - arrival);
    records.latency.record(waited);
    records.queueWait.record(waited);
    records.recorded++;
    records.censored++;
    if (settings.sloUs !== null && waited > settings.sloUs) records.exceeding++;
  }
}
