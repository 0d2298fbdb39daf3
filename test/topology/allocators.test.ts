import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';

import { AutotuneError } from '../../src/errors.js';
import { allocatorPreload, findAllocators, libraryDirs } from '../../src/topology/allocators.js';

test('the probe takes each library from the first directory that holds it, and leaves out one no directory holds', () => {
  const root = mkdtempSync(join(tmpdir(), 'autotune-allocators-'));
  try {
    const [first, second] = [join(root, 'multiarch'), join(root, 'lib')];
    for (const dir of [first, second]) mkdirSync(dir);
    writeFileSync(join(first, 'libjemalloc.so.2'), '');
    writeFileSync(join(second, 'libjemalloc.so.2'), '');
    assert.deepEqual(findAllocators([first, second]), { jemalloc: join(first, 'libjemalloc.so.2') });
    writeFileSync(join(second, 'libtcmalloc_minimal.so.4'), '');
    assert.deepEqual(findAllocators([first, second]), { jemalloc: join(first, 'libjemalloc.so.2'), tcmalloc: join(second, 'libtcmalloc_minimal.so.4') });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the machine's own multiarch directory is searched first; an unknown architecture starts at lib64", () => {
  assert.equal(libraryDirs('x64')[0], '/usr/lib/x86_64-linux-gnu');
  assert.equal(libraryDirs('arm64')[0], '/usr/lib/aarch64-linux-gnu');
  assert.deepEqual(libraryDirs('vax'), ['/usr/lib64', '/usr/lib', '/usr/local/lib']);
});

test("a worker preloads nothing for glibc's malloc, the installed path otherwise; a missing library is refused in one line", () => {
  const found = { jemalloc: '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2' };
  assert.equal(allocatorPreload('glibc', {}), null);
  assert.equal(allocatorPreload('jemalloc', found), found.jemalloc);
  assert.throws(
    () => allocatorPreload('tcmalloc', found),
    (e: unknown) => e instanceof AutotuneError && e.kind === 'usage' && e.message === 'allocator tcmalloc cannot run on this machine: libtcmalloc_minimal.so.4 is not installed (apt-get install libtcmalloc-minimal4)',
  );
});
