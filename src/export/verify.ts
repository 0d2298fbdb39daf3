import { AutotuneError, oneLine } from '../errors.js';
import { comparePromise } from '../measure/index.js';
import { stepMeets } from '../runner/capacity.js';
import { driveHttpLoad, fetchHealth, httpSender, type Send } from '../runner/http-load.js';
import type { ServingStep } from '../runner/types.js';
import { configKey } from '../domain/config.js';
import type { DeploymentCheck, NewDeploymentCheck, Store } from '../store/types.js';
import { createRng } from '../workload/prng.js';
import { fmt } from '../report/recommend.js';
import type { Chosen } from './pick.js';

export interface VerifyOptions {
  /** One base URL per instance, in instance order. */
  urls: string[];
  /** The rate to offer; null: the rate the study promised. */
  rateRps: number | null;
  /** The arrival schedule's seed; null: the serving phase's. */
  seed: number | null;
  warmupMs: number;
  durationMs: number;
  /** How the pick was named, stored with the result. */
  pick: string;
  confidence?: number;
}

/** The network side, a parameter so a test can count what would be sent. */
export interface VerifyDeps {
  health: (url: string) => Promise<unknown>;
  sender: (urls: readonly string[], body: Buffer, contentType: string) => { send: Send; close: () => void };
  now?: () => Date;
}

const realDeps: VerifyDeps = { health: (url) => fetchHealth(url, 5000), sender: httpSender };

/** Throughput is judged per second of arrivals: enough intervals for a sign-test interval in 10 s. */
const INTERVAL_MS = 1000;

/**
 * Drives the running instances of `chosen` at the rate its study promised (its capacity under the
 * SLO, measured open loop), with the serving phase's arrival process, and compares what they
 * delivered with the window that made the promise. The result is stored with the study.
 */
export async function verifyDeployment(store: Store, chosen: Chosen, options: VerifyOptions, deps: VerifyDeps = realDeps): Promise<DeploymentCheck> {
  const capacity = chosen.capacity;
  if (capacity === null) {
    throw new AutotuneError('input', `trial ${chosen.trialId} (${chosen.reason}) has no capacity measured under an SLO, so nothing was promised about serving it: verify a pick of a study whose tune set an SLO (its serving phase measures the capacity)`);
  }
  if (capacity.capacityRps === null) throw new AutotuneError('input', `trial ${chosen.trialId}'s configuration met the ${capacity.sloMs} ms SLO at no rate: there is no promise to verify`);
  const study = store.getStudy(chosen.studyName);
  if (study === null) throw new AutotuneError('input', `study "${chosen.studyName}" is gone from ${store.path}`);
  const promised = promiseWindow(store, study.id, chosen, capacity.capacityRps);
  const sampleSize = await instancesAnswer(options.urls, deps);
  const seed = options.seed ?? capacity.load.seed;
  const offeredRps = options.rateRps ?? capacity.capacityRps;
  const body = sampleBody(sampleSize, seed);
  const sender = deps.sender(options.urls, body, 'application/octet-stream');
  const now = deps.now ?? (() => new Date());
  const startedAt = now().toISOString();
  let load;
  try {
    load = await driveHttpLoad({
      targets: options.urls.length,
      send: sender.send,
      arrivals: capacity.load.arrivals,
      ratePerS: offeredRps,
      seed,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      // Long enough that only a server far behind leaves requests unanswered.
      drainMs: Math.max(2000, 20 * capacity.sloMs),
      intervalMs: INTERVAL_MS,
    });
  } finally {
    sender.close();
  }
  if (load.completed === 0) {
    throw new AutotuneError('trial', `none of the ${load.scheduled} requests at ${fmt(offeredRps)} req/s was answered${load.firstFailure === null ? '' : ` (first failure: ${oneLine(load.firstFailure)})`}: check that the servers answer POST /infer`);
  }
  const comparison = comparePromise({ delivered: load.latency, promised: promised.latency.histogram, intervals: load.intervals, failed: load.failed, confidence: options.confidence ?? 0.95 });
  const check: NewDeploymentCheck = {
    trialId: chosen.trialId,
    capacityTrialId: capacity.trialId,
    pick: options.pick,
    targets: options.urls,
    sloMs: capacity.sloMs,
    promisedRps: capacity.capacityRps,
    offeredRps,
    arrivals: capacity.load.arrivals,
    seed,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    scheduled: load.scheduled,
    completed: load.completed,
    failed: load.failed,
    firstFailure: load.firstFailure === null ? null : oneLine(load.firstFailure),
    censored: load.censored,
    deliveredRps: load.deliveredRps,
    sendLatenessP99Us: load.sendLatenessP99Us,
    comparison,
    latency: load.latency,
    startedAt,
    finishedAt: now().toISOString(),
  };
  const id = store.addDeploymentCheck(study.id, check);
  return { ...check, id, studyId: study.id };
}

/** The capacity search's window at the promised rate (of any capacity trial of the configuration, as the report finds it). */
function promiseWindow(store: Store, studyId: number, chosen: Chosen, rate: number): ServingStep {
  const key = configKey(chosen.result.config);
  const trials = new Set(store.listTrials(studyId).filter((t) => t.kind === 'capacity' && configKey(t.config) === key).map((t) => t.id));
  const window = store
    .listStudyServingSteps(studyId)
    .filter((s) => trials.has(s.trialId))
    .map((s) => s.step)
    .find((s) => s.offeredRps === rate && stepMeets(s) && s.latency.summary !== null);
  if (window === undefined) throw new AutotuneError('store', `the window that measured ${rate} req/s for trial ${chosen.trialId}'s configuration is not stored: re-run the serving phase`);
  return window;
}

/** Every instance answers GET /health with the same sample size; returns it. */
async function instancesAnswer(urls: readonly string[], deps: VerifyDeps): Promise<number> {
  if (urls.length === 0) throw new AutotuneError('usage', 'verify needs at least one server to drive');
  const sizes = await Promise.all(
    urls.map(async (url) => {
      let health: unknown;
      try {
        health = await deps.health(url);
      } catch (e) {
        throw new AutotuneError('input', `${oneLine((e as Error).message)}: start the fleet first (autotune launch --pick ... -- node examples/server.mjs --port {port}) or give its --base-port`);
      }
      const size = (health as { input?: { sampleSize?: unknown } } | null)?.input?.sampleSize;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
        throw new AutotuneError('input', `${url}/health does not say the input's sampleSize (as examples/server.mjs does): verify sends one raw float32 sample per request`);
      }
      return size;
    }),
  );
  if (new Set(sizes).size > 1) throw new AutotuneError('input', `the servers take different sample sizes (${sizes.join(', ')}): they do not serve the same model`);
  return sizes[0]!;
}

/** One sample of seeded values in [0, 1), as little-endian float32 bytes. */
function sampleBody(size: number, seed: number): Buffer {
  const rng = createRng(seed);
  const buffer = Buffer.alloc(size * 4);
  for (let i = 0; i < size; i++) buffer.writeFloatLE(rng.next(), i * 4);
  return buffer;
}
