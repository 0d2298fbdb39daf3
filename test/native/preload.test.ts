import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import test from 'node:test';
import { allocatorOfLibrary } from '../../src/domain/axes.js';
import { launcherCommand, launcherPath, type LaunchPlacement } from '../../src/native/index.js';
import { findAllocators } from '../../src/topology/allocators.js';

/** Both libraries are installed here (.ci/run installs libjemalloc2 and libtcmalloc-minimal4). */
function installed(): { jemalloc: string; tcmalloc: string } {
  const { jemalloc, tcmalloc } = findAllocators();
  assert.ok(jemalloc !== undefined && tcmalloc !== undefined, 'install libjemalloc2 and libtcmalloc-minimal4 (apt-get), as .ci/run does');
  return { jemalloc, tcmalloc };
}

const unplaced: LaunchPlacement = { cpus: null, memPolicy: 'default', mems: [] };

test('--preload: the command starts with the library mapped, in place of an LD_PRELOAD it inherited', () => {
  const { jemalloc, tcmalloc } = installed();
  const { file, args } = launcherCommand(unplaced, ['sh', '-c', 'echo "$LD_PRELOAD"; cat /proc/$$/maps'], { preload: jemalloc });
  assert.deepEqual(args, ['--preload', jemalloc, '--', 'sh', '-c', 'echo "$LD_PRELOAD"; cat /proc/$$/maps']);
  const r = spawnSync(file, args, { encoding: 'utf8', env: { ...process.env, LD_PRELOAD: tcmalloc }, timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const [preload, ...maps] = r.stdout.split('\n');
  assert.equal(preload, jemalloc);
  const mapped = new Set(maps.map((line) => allocatorOfLibrary(line.split(/\s+/).at(-1) ?? '')).filter((a) => a !== null));
  assert.deepEqual([...mapped], ['jemalloc']);
});

test('--preload refuses a relative or list-like path (usage) and a library it cannot read (126), each in one line', () => {
  for (const path of ['libjemalloc.so.2', '/usr/lib/a.so:/usr/lib/b.so', '/usr/lib/a b.so']) {
    const r = spawnSync(launcherPath(), ['--preload', path, '--', 'true'], { encoding: 'utf8' });
    assert.equal(r.status, 2, path);
    assert.match(r.stderr, /^autotune-launch: --preload must be an absolute path without spaces or colons; usage: [^\n]+\n$/, path);
  }
  const missing = spawnSync(launcherPath(), ['--preload', '/nonexistent/libjemalloc.so.2', '--', 'echo', 'started'], { encoding: 'utf8' });
  assert.equal(missing.status, 126);
  assert.equal(missing.stdout, '');
  assert.equal(missing.stderr, 'autotune-launch: cannot preload /nonexistent/libjemalloc.so.2: ENOENT (No such file or directory)\n');
});
