import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import { runTrial } from '../../src/runner/index.js';
import type { MeasureSettings, RunnerEvent, TrialPhase } from '../../src/runner/types.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { assertNothingLeft, config, REPO_ROOT, request, SHORT } from './helpers.js';

/** Runs a trial and does something to it once it is measuring; resolves with what happened. */
async function interfere(
  tag: string,
  act: (pids: number[]) => void,
  options: { signal?: AbortSignal; hangTimeoutMs?: number; measure?: MeasureSettings } = {},
): Promise<{ error: unknown; pids: number[]; phases: TrialPhase[] }> {
  let pids: number[] = [];
  const phases: TrialPhase[] = [];
  const onEvent = (e: RunnerEvent): void => {
    if (e.type !== 'phase') return;
    phases.push(e.phase);
    if (e.pids) pids = e.pids;
    if (e.phase === 'measuring') act(pids);
  };
  const { measure = SHORT, ...runOptions } = options;
  const error = await runTrial(await request({ config: config({ processes: 2 }), measure }), { ...runOptions, onEvent, tag }).then(
    () => null,
    (e: unknown) => e,
  );
  return { error, pids, phases };
}

test('P=2, T=1: each worker runs on its own CPU, read back and verified', async () => {
  const events: RunnerEvent[] = [];
  const result = await runTrial(await request({ config: config({ processes: 2 }) }), { onEvent: (e) => events.push(e) });

  assert.equal(result.plan.pinned, true);
  assert.deepEqual(result.plan.workers.map((w) => w.mainCpu), [0, 1]);
  assert.deepEqual(result.verification, { verified: true, mismatches: [] });
  assert.equal(result.readBack.length, 2);
  for (const [i, worker] of result.readBack.entries()) {
    // Every thread of worker i (main, V8 helpers, onnxruntime) is confined to CPU i.
    assert.ok(worker.threads.length >= 5, `worker ${i} has ${worker.threads.length} threads`);
    for (const t of worker.threads) {
      assert.deepEqual(t.cpus, [i], `worker ${i} thread ${t.tid} (${t.name}) may run on ${t.cpus}`);
      assert.equal(t.lastCpu, i);
    }
    assert.ok((worker.pagesPerNode['0'] ?? 0) > 1000, 'the worker has memory on node 0');
    assert.deepEqual(worker.memPolicy, { mode: 'default', nodes: [] });
  }
  assert.notEqual(result.readBack[0]!.pid, result.readBack[1]!.pid);

  assert.equal(result.histogram.total, result.latency.count);
  assert.equal(result.latency.count, result.workers[0]!.inferences + result.workers[1]!.inferences);
  assert.ok(result.latency.count >= 100);
  assert.ok(result.latency.p50 <= result.latency.p99 && result.latency.p99 <= result.latency.p999);
  // A second of the tiny model is thousands of inferences, far past the 368 a p99 CI needs.
  const ci = result.latency.p99Ci;
  assert.ok(ci !== null && ci[0] <= result.latency.p99 && result.latency.p99 <= ci[1], `${result.latency.count} inferences, CI ${ci}`);
  assert.ok(Math.abs(result.tps - result.workers[0]!.tps - result.workers[1]!.tps) < 1e-6 * result.tps);
  assert.equal(result.tps, result.ips, 'batch 1: samples/s equals inferences/s');
  assert.ok(result.window.measuredMs >= 1000 && result.window.measuredMs < 3000, `window ${result.window.measuredMs} ms`);
  assert.ok(result.window.warmupMs >= 300);
  for (const w of result.workers) {
    // Every thread confined to one CPU: the whole process can use at most one CPU-second per second.
    assert.ok(w.cpuTimeMs > 0 && w.cpuTimeMs <= result.window.measuredMs * 1.05 + 20, `worker ${w.index} used ${w.cpuTimeMs} ms of CPU`);
    assert.ok(w.rssBytes > 20 * 2 ** 20);
    assert.equal(w.migrations, 0, 'a thread pinned to one CPU never migrates');
  }
  assert.match(result.onnxruntimeVersion, /^1\.\d+\.\d+$/);

  const phases = events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
  assert.deepEqual(phases, ['spawning', 'pinning', 'loading', 'warmup', 'measuring', 'cooldown']);
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length >= 2, 'live progress while measuring');
});

test('baseline: one unpinned process with onnxruntime choosing its threads', async () => {
  const result = await runTrial(await request({ config: config({ baseline: true, threads: 2 }) }));
  assert.equal(result.plan.pinned, false);
  assert.deepEqual(result.plan.workers.map((w) => w.mainCpu), [null]);
  assert.equal(result.verification.verified, true);
  const main = result.readBack[0]!.threads.find((t) => t.tid === result.readBack[0]!.pid)!;
  assert.deepEqual(main.cpus, [0, 1], 'the baseline main thread is left to the OS');
  assert.ok(!result.noiseReasons.some((r) => r.startsWith('unpinned')), 'the baseline is unpinned on purpose');
  assert.ok(result.latency.count >= 100);
});

test('a worker killed mid-trial fails the trial and leaves no process behind', async () => {
  const tag = 'kill-test-trial';
  const { error, pids, phases } = await interfere(tag, (p) => process.kill(p[1]!, 'SIGKILL'));
  assert.ok(error instanceof AutotuneError);
  assert.equal(error.kind, 'trial');
  assert.match(error.message, new RegExp(`^worker 1 \\(pid ${pids[1]}\\) was killed by SIGKILL while measuring$`));
  assert.ok(!phases.includes('cooldown'));
  assertNothingLeft(pids, tag);
});

test('the abort signal stops the trial and leaves no process behind', async () => {
  const tag = 'abort-test-trial';
  const controller = new AbortController();
  const { error, pids } = await interfere(tag, () => controller.abort(), { signal: controller.signal });
  assert.ok(error instanceof AutotuneError);
  assert.equal(error.kind, 'interrupted');
  assert.match(error.message, /interrupted/);
  assertNothingLeft(pids, tag);
});

test('a hung worker fails the trial with the reason', async () => {
  const tag = 'hang-test-trial';
  // The window could run 10 s, so the silence is caught while measuring, long before it ends.
  const measure = { ...SHORT, maxMs: 10_000 };
  const { error, pids } = await interfere(tag, (p) => process.kill(p[0]!, 'SIGSTOP'), { hangTimeoutMs: 3000, measure });
  assert.ok(error instanceof AutotuneError);
  assert.match(error.message, new RegExp(`^worker 0 \\(pid ${pids[0]}\\) sent nothing for \\d\\.\\d s: hung while measuring$`));
  assertNothingLeft(pids, tag);
});

test('a placement the kernel refuses fails the trial with the launcher\'s reason', async () => {
  // A 2-socket topology: with --numa local, worker 1 lands on CPU 8 and node 1, which this VM lacks.
  const topology = readTopology({ sysfsRoot: join(REPO_ROOT, 'test', 'fixtures', 'sysfs', 'two-socket-smt') });
  const tag = 'refused-placement-trial';
  let pids: number[] = [];
  const onEvent = (e: RunnerEvent): void => {
    if (e.type === 'phase' && e.pids) pids = e.pids;
  };
  const trial = runTrial(await request({ config: config({ processes: 2, numa: 'local' }), topology }), { onEvent, tag });
  await assert.rejects(trial, (e: unknown) => {
    assert.ok(e instanceof AutotuneError);
    assert.match(e.message, /^worker 1 \(pid \d+\) exited with code 126 \(autotune-launch: .*\b8\b.*\) while (pinning|loading)$/);
    return true;
  });
  assertNothingLeft(pids, tag);
});

test('P x T above the usable CPUs is refused before any worker starts', async () => {
  const events: RunnerEvent[] = [];
  await assert.rejects(
    runTrial(await request({ config: config({ processes: 2, threads: 2 }) }), { onEvent: (e) => events.push(e) }),
    (e: unknown) => e instanceof AutotuneError && e.kind === 'usage' && /--oversubscribe/.test(e.message),
  );
  assert.deepEqual(events, []);
});
