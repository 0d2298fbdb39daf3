import assert from 'node:assert/strict';
import test from 'node:test';
import { ScheduleCursor, windowStreams, type ArrivalProcess } from '../../src/runner/arrivals.js';
import { ServingRecords, serveWindow, type ServingSettings } from '../../src/runner/open-loop.js';
import type { Dispatch } from '../../src/runner/shared-layout.js';
import { memoryQueue, VirtualClock } from './virtual-clock.js';

interface Served {
  worker: number;
  arrivalUs: number;
  startUs: number;
  endUs: number;
}

/** P workers on one virtual clock, as the worker processes of one open-loop window. */
async function simulate(options: {
  workers: number;
  dispatch: Dispatch;
  arrivals: ArrivalProcess;
  ratePerS: number;
  /** Service time (µs) of inference `n` of `worker` over `k` requests. */
  serviceUs: (k: number, worker: number, n: number) => number;
  cutoffUs: number;
  settings?: Partial<ServingSettings>;
}): Promise<{ served: Served[]; records: ServingRecords[] }> {
  const clock = new VirtualClock();
  const streams = windowStreams(options.arrivals, options.ratePerS, 7, options.dispatch, options.workers);
  const shared = memoryQueue();
  const settings: ServingSettings = { batch: 1, maxDelayUs: 0, settleUs: 0, sloUs: null, ...options.settings };
  const served: Served[] = [];
  const records = Array.from({ length: options.workers }, () => new ServingRecords());
  const done = Promise.all(
    records.map((r, worker) => {
      let n = 0;
      return serveWindow(
        {
          clock,
          queue: options.dispatch === 'shared' ? shared : memoryQueue(),
          control: { cutoffUs: () => options.cutoffUs, abandoned: () => false, onCompleted: () => undefined },
          infer: (k) => clock.busy(options.serviceUs(k, worker, n++)),
          log: (request) => served.push({ worker, ...request }),
        },
        new ScheduleCursor(streams[options.dispatch === 'shared' ? 0 : worker]!),
        settings,
        r,
      );
    }),
  );
  await clock.run();
  await done;
  served.sort((a, b) => a.arrivalUs - b.arrivalUs);
  return { served, records };
}

test('a 200 ms stall in a constant-rate stream is charged to every request that queued behind it', async () => {
  // 100 requests/s (one every 10 ms), 2 ms of service; the inference of request 5 stalls 200 ms.
  const { served, records } = await simulate({
    workers: 1,
    dispatch: 'shared',
    arrivals: 'constant',
    ratePerS: 100,
    serviceUs: (_k, _w, n) => (n === 5 ? 200_000 : 2_000),
    cutoffUs: 400_000,
  });
  assert.equal(served.length, 40);
  // By hand: request 5 (arrives at 50 ms) runs 50-250 ms. Requests 6..24 arrive every 10 ms from
  // 60 ms on and queue; from 250 ms they are served back to back, 2 ms each, so request k ends at
  // 250 + 2 (k - 5) ms and waits 250 + 2 (k - 5) - 10 k - 2 = 238 - 8 k ms before its service.
  // The queue is gone once that wait would be negative: from request 30 on, nobody waits.
  served.forEach((r, k) => {
    const expectedWaitMs = k <= 5 ? 0 : Math.max(0, 238 - 8 * k);
    const expectedLatencyMs = (k === 5 ? 200 : 2) + expectedWaitMs;
    assert.equal(r.arrivalUs, k * 10_000, `request ${k} arrives on schedule`);
    assert.equal((r.endUs - r.arrivalUs) / 1000, expectedLatencyMs, `latency of request ${k}`);
    assert.equal((r.startUs - r.arrivalUs) / 1000, expectedWaitMs, `queue wait of request ${k}`);
  });
  // A closed loop would have recorded one slow inference; from schedule, requests 6..23 are slow too.
  assert.equal(served.filter((r) => r.endUs - r.arrivalUs > 50_000).length, 19);
  const h = records[0]!.latency;
  assert.equal(h.count, 40);
  assert.equal(h.valueAtRank(40), 200_000, 'the slowest latency is the stall itself');
  assert.equal(records[0]!.queueWait.valueAtRank(40), 190_000, 'request 6 waited 190 ms');
});

test('batching takes what has arrived and waits at most the queue delay for the rest', async () => {
  // One request every 1 ms, batches of up to 4, a 5 ms queue delay, 3 ms per inference whatever its size.
  const { served } = await simulate({
    workers: 1,
    dispatch: 'shared',
    arrivals: 'constant',
    ratePerS: 1000,
    serviceUs: () => 3_000,
    cutoffUs: 16_000,
    settings: { batch: 4, maxDelayUs: 5_000 },
  });
  // By hand: the idle worker holds request 0 and takes 1, 2, 3 as they arrive: full at 3 ms, done
  // at 6. Requests 4 and 5 arrived during it and 6 arrives as it ends; 7 is waited for (deadline 4 +
  // 5 = 9 ms): the batch starts at 7 and ends at 10. So every batch of four starts 4 ms after the
  // previous one and its requests wait 3, 2, 1 and 0 ms.
  assert.equal(served.length, 16);
  served.forEach((r, k) => {
    assert.equal(r.startUs, (4 * Math.floor(k / 4) + 3) * 1000, `request ${k} starts with its batch`);
    assert.equal(r.endUs - r.arrivalUs, (3 - (k % 4)) * 1000 + 3000, `latency of request ${k}`);
  });

  // A lone request is not held longer than the queue delay.
  const lone = await simulate({
    workers: 1,
    dispatch: 'shared',
    arrivals: 'constant',
    ratePerS: 10,
    serviceUs: () => 3_000,
    cutoffUs: 350_000,
    settings: { batch: 4, maxDelayUs: 5_000 },
  });
  assert.equal(lone.served.length, 4);
  for (const r of lone.served) assert.equal(r.startUs - r.arrivalUs, 5_000);
});

/** Reference FIFO queue in front of `servers` identical servers (the definition of shared dispatch). */
function fifoStarts(arrivals: number[], serviceUs: number, servers: number): number[] {
  const free = new Array<number>(servers).fill(0);
  return arrivals.map((a) => {
    const w = free.indexOf(Math.min(...free));
    const start = Math.max(a, free[w]!);
    free[w] = start + serviceUs;
    return start;
  });
}

test('shared dispatch gives each request to the first idle worker; split gives each worker its own stream', async () => {
  const common = { workers: 2, arrivals: 'poisson' as const, ratePerS: 160, serviceUs: () => 10_000, cutoffUs: 20_000_000 };
  const shared = await simulate({ ...common, dispatch: 'shared' });
  const split = await simulate({ ...common, dispatch: 'split' });
  assert.ok(shared.served.length > 2500, `${shared.served.length} requests`);

  // Shared: exactly the FIFO multi-server queue — nobody waits while a worker is idle.
  const expected = fifoStarts(shared.served.map((r) => r.arrivalUs), 10_000, 2);
  shared.served.forEach((r, i) => assert.ok(Math.abs(r.startUs - expected[i]!) < 1e-6, `request ${i} starts at ${r.startUs}, FIFO says ${expected[i]}`));

  // Split: each worker serves its own stream in order, whatever the other does.
  for (const worker of [0, 1]) {
    const own = split.served.filter((r) => r.worker === worker);
    assert.ok(own.length > 1000);
    const starts = fifoStarts(own.map((r) => r.arrivalUs), 10_000, 1);
    own.forEach((r, i) => assert.ok(Math.abs(r.startUs - starts[i]!) < 1e-6, `worker ${worker} request ${i}`));
  }
  // At 80% load, one queue for both workers waits far less than one queue per worker.
  const meanWait = (s: Served[]): number => s.reduce((sum, r) => sum + r.startUs - r.arrivalUs, 0) / s.length;
  assert.ok(meanWait(shared.served) < 0.6 * meanWait(split.served), `shared ${meanWait(shared.served)} µs vs split ${meanWait(split.served)} µs`);
});

test('requests scheduled in the settling time are served but not recorded, and the SLO count is exact', async () => {
  const { served, records } = await simulate({
    workers: 1,
    dispatch: 'shared',
    arrivals: 'constant',
    ratePerS: 100,
    serviceUs: (_k, _w, n) => (n % 10 === 9 ? 30_000 : 1_000),
    cutoffUs: 1_000_000,
    settings: { settleUs: 100_000, sloUs: 20_000 },
  });
  assert.equal(served.length, 100);
  const recorded = served.filter((r) => r.arrivalUs >= 100_000);
  assert.equal(records[0]!.recorded, recorded.length);
  assert.equal(records[0]!.latency.count, recorded.length);
  assert.equal(records[0]!.exceeding, recorded.filter((r) => r.endUs - r.arrivalUs > 20_000).length);
  assert.ok(records[0]!.exceeding > 0);
});
