import assert from 'node:assert/strict';
import test from 'node:test';
import { createSloTest } from '../../src/measure/slo-test.js';
import { summarize } from '../../src/measure/summary.js';
import { LatencyHistogram } from '../../src/measure/histogram.js';
import { ScheduleCursor, windowStreams } from '../../src/runner/arrivals.js';
import { capacityOf, nextCapacityRate, type CapacitySearch } from '../../src/runner/capacity.js';
import { ServingRecords, serveWindow } from '../../src/runner/open-loop.js';
import { overloadVerdict } from '../../src/runner/overload.js';
import type { LatencyRecord, ServingStep } from '../../src/domain/results.js';
import { servingStep } from './steps.js';
import { memoryQueue, VirtualClock } from './virtual-clock.js';

const WORKERS = 2;
const SERVICE_US = 5_000;
/** Two workers of 5 ms each: under evenly spaced arrivals nothing waits up to 400 requests/s, and above it the queue grows without end. */
const TRUE_CAPACITY = (WORKERS * 1e6) / SERVICE_US;
const SLO_MS = 20;
const WINDOW_US = 2_000_000;

function record(h: LatencyHistogram): LatencyRecord {
  const histogram = h.snapshot();
  return { summary: histogram.total > 0 ? summarize(histogram) : null, histogram };
}

/** One window of the fake service at `rate`, judged as the runner judges a real one. */
async function measureStep(rate: number, sloMs = SLO_MS): Promise<ServingStep> {
  const clock = new VirtualClock();
  const queue = memoryQueue();
  const stream = windowStreams('constant', rate, 1, 'shared', WORKERS)[0]!;
  const records = Array.from({ length: WORKERS }, () => new ServingRecords());
  const settings = { batch: 1, maxDelayUs: 0, settleUs: 0, sloUs: sloMs * 1000 };
  const done = Promise.all(
    records.map((r) =>
      serveWindow(
        { clock, queue, control: { cutoffUs: () => WINDOW_US, abandoned: () => false, onCompleted: () => undefined }, infer: () => clock.busy(SERVICE_US) },
        new ScheduleCursor(stream),
        settings,
        r,
      ),
    ),
  );
  await clock.run();
  await done;
  const latency = new LatencyHistogram();
  const wait = new LatencyHistogram();
  const service = new LatencyHistogram();
  for (const r of records) {
    latency.merge(r.latency);
    wait.merge(r.queueWait);
    service.merge(r.service);
  }
  const requests = records.reduce((s, r) => s + r.recorded, 0);
  const exceeding = records.reduce((s, r) => s + r.exceeding, 0);
  const verdict = createSloTest({ quantile: 0.99, confidence: 0.95 }).final(requests, exceeding).verdict;
  const step = servingStep(rate, { sloMs, verdict, exceeding, latency: record(latency) });
  return { ...step, queueWait: record(wait), service: record(service), windowMs: WINDOW_US / 1000 };
}

async function search(spec: CapacitySearch, prior: ServingStep[] = []): Promise<ServingStep[]> {
  const steps = [...prior];
  for (let rate = nextCapacityRate(spec, steps); rate !== null; rate = nextCapacityRate(spec, steps)) steps.push(await measureStep(rate, spec.sloMs));
  return steps;
}

test('the capacity search converges on a service of known capacity within one rate step', async () => {
  // The closed-loop ceiling overstates the open-loop capacity, as it does on real machines.
  const spec: CapacitySearch = { sloMs: SLO_MS, ceilingRps: 500, resolution: 0.05 };
  const steps = await search(spec);
  const outcome = capacityOf(spec, steps);
  const oneStep = spec.resolution * spec.ceilingRps;
  assert.ok(outcome.capacityRps !== null);
  assert.ok(outcome.capacityRps <= TRUE_CAPACITY && outcome.capacityRps >= TRUE_CAPACITY - oneStep, `capacity ${outcome.capacityRps} vs ${TRUE_CAPACITY}`);
  assert.ok(outcome.bracket[0] <= TRUE_CAPACITY && TRUE_CAPACITY <= outcome.bracket[1], `bracket ${outcome.bracket}`);
  assert.ok(outcome.bracket[1] - outcome.bracket[0] <= oneStep);
  assert.equal(steps[outcome.stepIndex!]!.offeredRps, outcome.capacityRps);
  assert.ok(steps.length <= 6, `${steps.length} steps`);
  // Every rate above the true capacity missed the SLO and every one below met it.
  for (const s of steps) assert.equal(s.slo!.verdict, s.offeredRps <= TRUE_CAPACITY ? 'meets' : 'misses', `${s.offeredRps} req/s`);
  assert.equal(outcome.uncertain, false);

  // The search is a function of the steps so far: resumed after two steps, it goes on the same way.
  const resumed = await search(spec, steps.slice(0, 2));
  assert.deepEqual(resumed.map((s) => s.offeredRps), steps.map((s) => s.offeredRps));
});

test('an SLO below the service time has no capacity, and says so instead of a rate', async () => {
  const spec: CapacitySearch = { sloMs: 4, ceilingRps: 400, resolution: 0.1 };
  const steps = await search(spec);
  for (const s of steps) assert.equal(s.slo!.verdict, 'misses');
  const outcome = capacityOf(spec, steps);
  assert.equal(outcome.capacityRps, null);
  assert.equal(outcome.stepIndex, null);
  assert.ok(outcome.bracket[1] <= spec.resolution * spec.ceilingRps);
});

test('overload needs both signs: less served than offered, and a backlog that keeps growing', () => {
  const rising = Array.from({ length: 20 }, (_, i) => ({ atUs: i * 100_000, backlog: 10 + i * 50 }));
  const steady = Array.from({ length: 20 }, (_, i) => ({ atUs: i * 100_000, backlog: 10 + ((i * 7) % 5) }));
  assert.equal(overloadVerdict({ samples: rising, scheduled: 3000, served: 2000, inFlight: 2 }).overloaded, true);
  // Near saturation a queue fluctuates; everything offered was still served.
  assert.equal(overloadVerdict({ samples: steady, scheduled: 3000, served: 2995, inFlight: 2 }).overloaded, false);
  // A backlog that rose and was then served (a burst) is not overload.
  assert.equal(overloadVerdict({ samples: rising, scheduled: 3000, served: 2990, inFlight: 2 }).overloaded, false);
  const verdict = overloadVerdict({ samples: rising, scheduled: 3000, served: 2000, inFlight: 2 });
  assert.match(verdict.reason, /served 66\.7% .* backlog 135 -> 835/);
});
