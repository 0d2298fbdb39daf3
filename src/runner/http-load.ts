import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../measure/histogram.js';
import type { HistogramSnapshot } from '../domain/latency.js';
import { ScheduleCursor, windowStreams, type ArrivalProcess } from './arrivals.js';

/**
 * Open-loop load on running HTTP servers, the arrival schedule of the serving trials: each target
 * gets its own stream at rate / N (split dispatch: over HTTP there is no queue the instances
 * share), every request is sent at its scheduled time whatever is still outstanding, and its
 * latency runs from that scheduled time to the end of its response, so a server that falls
 * behind is charged for the queue it builds (no coordinated omission).
 */

/** Sends one request to `target` and resolves once its whole response arrived; rejects on a failure. */
export type Send = (target: number) => Promise<void>;

export interface HttpLoadOptions {
  targets: number;
  send: Send;
  arrivals: ArrivalProcess;
  ratePerS: number;
  seed: number;
  /** Arrivals before this are sent but not recorded: connections and caches warm up. */
  warmupMs: number;
  /** The recorded arrival window after the warm-up. */
  durationMs: number;
  /** After the last arrival, how long outstanding requests get before they count as censored. */
  drainMs: number;
  /** Per-interval throughput bins (ms). */
  intervalMs: number;
}

export interface HttpLoadResult {
  /** Recorded arrivals (in the window after the warm-up). */
  scheduled: number;
  completed: number;
  failed: number;
  /** The first failure's message, for the report. */
  firstFailure: string | null;
  /** Still outstanding when the drain ended: their latencies (to that moment) are lower bounds. */
  censored: number;
  /** From the scheduled arrival to the response, µs: successes and censored requests. */
  latency: HistogramSnapshot;
  /**
   * Responses per interval of the recorded window, by when they arrived (warm-up arrivals' included:
   * what the servers delivered in that second), and the arrivals the rate offers in one.
   */
  intervals: Array<{ completed: number; expected: number }>;
  /** Responses that arrived inside the recorded window, per second of it. */
  deliveredRps: number;
  /** p99 of how late requests left after their scheduled time (µs): the generator's own error. */
  sendLatenessP99Us: number | null;
}

/** A generator behind schedule sends this many requests, then lets the responses in. */
const SENDS_PER_YIELD = 16;

export async function driveHttpLoad(options: HttpLoadOptions, now: () => number = () => performance.now() * 1000): Promise<HttpLoadResult> {
  const endUs = (options.warmupMs + options.durationMs) * 1000;
  const warmupUs = options.warmupMs * 1000;
  const cursors = windowStreams(options.arrivals, options.ratePerS, options.seed, 'split', options.targets).map((spec) => new ScheduleCursor(spec));
  const nextIndex = cursors.map(() => 0);
  const latency = new LatencyHistogram();
  const lateness = new LatencyHistogram();
  const bins = Math.max(1, Math.round(options.durationMs / options.intervalMs));
  const completedPerBin = new Array<number>(bins).fill(0);
  const outstanding = new Map<number, number>();
  let id = 0;
  let scheduled = 0;
  let completed = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  let drained: (() => void) | null = null;
  let sentSinceYield = 0;

  const start = now();
  for (;;) {
    let target = 0;
    for (let t = 1; t < cursors.length; t++) if (cursors[t]!.at(nextIndex[t]!) < cursors[target]!.at(nextIndex[target]!)) target = t;
    const at = cursors[target]!.at(nextIndex[target]!);
    if (at >= endUs) break;
    const wait = at - (now() - start);
    if (wait > 1500) {
      // Timers are millisecond-grained: sleep to just short of the arrival, then yield until it.
      await new Promise((r) => setTimeout(r, (wait - 1000) / 1000));
      continue;
    }
    if (wait > 0 || sentSinceYield >= SENDS_PER_YIELD) {
      // Also when behind schedule: responses are only read while the loop yields.
      sentSinceYield = 0;
      await new Promise((r) => setImmediate(r));
      continue;
    }
    sentSinceYield++;
    nextIndex[target]!++;
    const recorded = at >= warmupUs;
    const key = id++;
    if (recorded) {
      scheduled++;
      lateness.record(now() - start - at);
      outstanding.set(key, at);
    }
    options.send(target).then(
      () => {
        const done = now() - start;
        const bin = Math.floor((done - warmupUs) / (options.intervalMs * 1000));
        if (bin >= 0 && bin < bins) completedPerBin[bin]!++;
        if (!recorded || !outstanding.delete(key)) return;
        latency.record(Math.max(0, done - at));
        completed++;
        if (outstanding.size === 0) drained?.();
      },
      (e: unknown) => {
        if (!recorded || !outstanding.delete(key)) return;
        failed++;
        firstFailure ??= e instanceof Error ? e.message : String(e);
        if (outstanding.size === 0) drained?.();
      },
    );
  }
  if (outstanding.size > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.drainMs);
      drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  const cutoff = now() - start;
  const censored = outstanding.size;
  for (const at of outstanding.values()) latency.record(cutoff - at);
  outstanding.clear();
  const expected = (options.ratePerS * options.intervalMs) / 1000;
  return {
    scheduled,
    completed,
    failed,
    firstFailure,
    censored,
    latency: latency.snapshot(),
    intervals: completedPerBin.map((c) => ({ completed: c, expected })),
    deliveredRps: completedPerBin.reduce((a, b) => a + b, 0) / ((bins * options.intervalMs) / 1000),
    sendLatenessP99Us: lateness.count === 0 ? null : lateness.percentile(0.99),
  };
}

/**
 * Kept-alive connections per target. Requests beyond them wait in the agent's queue, which costs
 * nothing in accounting (latency runs from the scheduled arrival, as with wrk2's fixed connections)
 * and keeps a burst from opening more sockets than the server's accept backlog takes.
 */
const CONNECTIONS_PER_TARGET = 32;

/** POSTs `body` to `/infer` of each target URL over kept-alive connections. A status other than 200 fails. */
export function httpSender(urls: readonly string[], body: Buffer, contentType: string): { send: Send; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS_PER_TARGET });
  const targets = urls.map((u) => new URL('/infer', u));
  const send: Send = (target) =>
    new Promise((resolve, reject) => {
      const req = request(targets[target]!, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${targets[target]!.href} answered HTTP ${res.statusCode}`))));
        res.on('error', reject);
      });
      req.on('error', (e) => reject(new Error(`${targets[target]!.href}: ${e.message}`)));
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

/** GET /health of a server; resolves with its JSON body, rejects with one line on anything else. */
export function fetchHealth(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const target = new URL('/health', url);
    const req = request(target, { method: 'GET', timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${target.href} answered HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error(`${target.href} did not answer JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${target.href} did not answer within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(new Error(`${target.href}: ${e.message}`)));
    req.end();
  });
}
