import assert from 'node:assert/strict';
import test from 'node:test';

import { allocatorOfLibrary } from '../../src/domain/axes.js';
import { runTrial } from '../../src/runner/index.js';
import { config, request } from './helpers.js';

/** Which allocators each worker of a trial had mapped, as its read-back of /proc/PID/maps says. */
function mappedAllocators(readBack: Array<{ allocators: string[] }>): string[][] {
  return readBack.map((w) => [...new Set(w.allocators.map(allocatorOfLibrary))].map(String));
}

test('jemalloc: the launcher preloads it into every pinned worker, whose maps show it, verified', async () => {
  const result = await runTrial(await request({ config: config({ processes: 2, allocator: 'jemalloc' }) }));
  assert.equal(result.plan.pinned, true);
  assert.deepEqual(mappedAllocators(result.readBack), [['jemalloc'], ['jemalloc']]);
  for (const w of result.readBack) assert.ok(w.allocators.every((path) => path.startsWith('/')), w.allocators.join(' '));
  assert.deepEqual(result.verification, { verified: true, mismatches: [] });
  assert.ok(result.tps > 0 && result.latency.count >= 100);
});

test("an unpinned worker gets tcmalloc through its spawn's environment, and glibc's malloc maps none", async () => {
  // A baseline plan is unpinned, as every plan is where pinning is unavailable: no launcher.
  const unpinned = await runTrial(await request({ config: config({ baseline: true, threads: 2, allocator: 'tcmalloc' }) }));
  assert.equal(unpinned.plan.pinned, false);
  assert.deepEqual(mappedAllocators(unpinned.readBack), [['tcmalloc']]);
  assert.deepEqual(unpinned.verification, { verified: true, mismatches: [] });
  const glibc = await runTrial(await request({ config: config() }));
  assert.deepEqual(glibc.readBack.map((w) => w.allocators), [[]]);
  assert.equal(glibc.verification.verified, true);
});
