import assert from 'node:assert/strict';
import test from 'node:test';
import type { Plan, WorkerPlan } from '../../src/domain/config.js';
import type { ThreadReadBack, WorkerReadBack } from '../../src/domain/results.js';
import { verifyPlacement } from '../../src/runner/verify.js';

function workerPlan(over: Partial<WorkerPlan> = {}): WorkerPlan {
  return { index: 0, cpus: [2, 3, 4], mainCpu: 2, poolCpus: [[3], [4]], memPolicy: 'bind', mems: [1], nodes: [1], ...over };
}

function plan(workers: WorkerPlan[], pinned = true): Plan {
  return { workers, oversubscribed: false, pinned, notes: [] };
}

function thread(tid: number, cpus: number[], mems = [0, 1]): ThreadReadBack {
  return { tid, name: tid === 100 ? 'node' : 'worker', cpus, mems, lastCpu: cpus[0]! };
}

/** What a correctly placed worker of workerPlan() looks like: main on 2, pool on 3 and 4, helpers on 2-4. */
function readBack(over: Partial<WorkerReadBack> = {}): WorkerReadBack {
  return {
    index: 0,
    pid: 100,
    threads: [thread(100, [2]), thread(101, [2, 3, 4]), thread(102, [3]), thread(103, [4])],
    pagesPerNode: { '1': 5000 },
    memPolicy: { mode: 'bind', nodes: [1] },
    allocators: [],
    ...over,
  };
}

test('a worker placed as planned is verified', () => {
  assert.deepEqual(verifyPlacement(plan([workerPlan()]), [readBack()], 'glibc'), { verified: true, mismatches: [] });
});

test('a main thread left on the whole worker set is a mismatch naming the CPUs', () => {
  const rb = readBack({ threads: [thread(100, [2, 3, 4]), thread(102, [3]), thread(103, [4])] });
  const v = verifyPlacement(plan([workerPlan()]), [rb], 'glibc');
  assert.equal(v.verified, false);
  assert.deepEqual(v.mismatches, ['worker 0 main thread may run on CPUs 2-4, planned 2']);
});

test('a pool thread onnxruntime failed to pin is found missing from its group', () => {
  // ORT logs the refusal and leaves the thread with the main thread's mask.
  const rb = readBack({ threads: [thread(100, [2]), thread(102, [3]), thread(103, [2])] });
  const v = verifyPlacement(plan([workerPlan()]), [rb], 'glibc');
  assert.deepEqual(v.mismatches, ['worker 0: 1 pool thread(s) planned on CPUs 4, 0 found there']);
});

test('a thread outside the planned CPUs and a wrong memory policy are both reported', () => {
  const rb = readBack({
    threads: [thread(100, [2]), thread(101, [0, 1, 2, 3, 4]), thread(102, [3]), thread(103, [4])],
    memPolicy: { mode: 'default', nodes: [] },
  });
  const v = verifyPlacement(plan([workerPlan()]), [rb], 'glibc');
  assert.deepEqual(v.mismatches, [
    'worker 0 thread 101 (worker) may run on CPUs 0-4, planned 2-4',
    'worker 0: memory policy is default none, planned bind 1',
  ]);
});

test('memory nodes the cpuset forbids and an unreadable policy are mismatches', () => {
  const rb = readBack({ threads: [thread(100, [2], [0]), thread(102, [3]), thread(103, [4])], memPolicy: null });
  const v = verifyPlacement(plan([workerPlan()]), [rb], 'glibc');
  assert.deepEqual(v.mismatches, [
    'worker 0 thread 100 (node) may use memory nodes 0, planned 1',
    'worker 0: memory policy could not be read back, planned bind 1',
  ]);
});

test('an unpinned plan only requires threads within the allowed CPUs', () => {
  const unpinned = workerPlan({ cpus: [0, 1, 2, 3, 4], mainCpu: null, poolCpus: [], memPolicy: 'default', mems: [] });
  const rb = readBack({ threads: [thread(100, [0, 1, 2, 3, 4]), thread(101, [1])], memPolicy: null });
  assert.equal(verifyPlacement(plan([unpinned], false), [rb], 'glibc').verified, true);
  const escaped = readBack({ threads: [thread(100, [0, 1, 2, 3, 4, 5])] });
  assert.deepEqual(verifyPlacement(plan([unpinned], false), [escaped], 'glibc').mismatches, [
    'worker 0 thread 100 (node) may run on CPUs 0-5, planned 0-4',
  ]);
});

test('a worker without read-back is a mismatch', () => {
  const v = verifyPlacement(plan([workerPlan(), workerPlan({ index: 1 })]), [readBack()], 'glibc');
  assert.deepEqual(v.mismatches, ['worker 1: no read-back']);
});

test('the planned allocator must be mapped and no other: a preload that did not take and an inherited one are mismatches', () => {
  const jemalloc = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
  const tcmalloc = '/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10';
  assert.equal(verifyPlacement(plan([workerPlan()]), [readBack({ allocators: [jemalloc] })], 'jemalloc').verified, true);
  assert.deepEqual(verifyPlacement(plan([workerPlan()]), [readBack()], 'jemalloc').mismatches, ['worker 0 has no allocator library mapped, planned jemalloc']);
  assert.deepEqual(verifyPlacement(plan([workerPlan()]), [readBack({ allocators: [tcmalloc] })], 'glibc').mismatches, [
    `worker 0 has ${tcmalloc} mapped, planned glibc's malloc`,
  ]);
  assert.deepEqual(verifyPlacement(plan([workerPlan()]), [readBack({ allocators: [tcmalloc, jemalloc] })], 'jemalloc').mismatches, [
    `worker 0 has ${tcmalloc}, ${jemalloc} mapped, planned jemalloc`,
  ]);
  // Unpinned, the preload comes from the spawn's environment and is checked the same way.
  const unpinned = workerPlan({ mainCpu: null, poolCpus: [], memPolicy: 'default', mems: [] });
  assert.equal(verifyPlacement(plan([unpinned], false), [readBack({ memPolicy: null })], 'tcmalloc').verified, false);
});
