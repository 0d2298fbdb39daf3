import assert from 'node:assert/strict';
import test from 'node:test';

import { allocatorOfLibrary } from '../../src/domain/axes.js';
import { axisEnv, completeConfig, configKey, configLabel, storedConfigSchema } from '../../src/domain/config.js';
import { parseStudy } from '../../src/domain/study.js';
import { buildSpace, machineOf, resolveAuto } from '../../src/search/space.js';
import { applyStudyFlags } from '../../src/study/flags.js';
import { twoSocket } from '../placement/topologies.js';

/** A fixture machine's probe: nothing installed, or both libraries where Debian puts them. */
const notInstalled = () => ({});
const installed = () => ({ jemalloc: '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', tcmalloc: '/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4' });

const oneConfig = { processes: '1', threads: '1', numa: 'none', batch: '1' };

test('allocator auto leaves out a library that is not installed, saying how to install it, and searches those that are', () => {
  const definition = parseStudy(applyStudyFlags({}, { ...oneConfig, allocator: 'auto' }));
  const bare = resolveAuto(definition.space, machineOf(twoSocket(), notInstalled));
  assert.deepEqual(bare.space.allocator, ['glibc']);
  const why = Object.fromEntries(bare.leftOut.filter((l) => l.axis === 'allocator').map((l) => [l.value, l.reason]));
  assert.deepEqual(Object.keys(why), ['jemalloc', 'tcmalloc']);
  assert.match(why['jemalloc']!, /libjemalloc\.so\.2 is not installed \(apt-get install libjemalloc2\)/);
  assert.match(why['tcmalloc']!, /apt-get install libtcmalloc-minimal4/);

  const full = resolveAuto(definition.space, machineOf(twoSocket(), installed));
  assert.deepEqual(full.space.allocator, ['glibc', 'jemalloc', 'tcmalloc']);
  assert.ok(!full.leftOut.some((l) => l.axis === 'allocator'));
  const { configs } = buildSpace({ ...definition, space: full.space }, twoSocket(), installed);
  assert.deepEqual(configs.map(configLabel), ['p1 t1 none b1 spin', 'p1 t1 none b1 spin jemalloc', 'p1 t1 none b1 spin tcmalloc']);
  assert.equal(new Set(configs.map(configKey)).size, 3);
});

test('a space listing an allocator that is not installed is refused in one line; the default space needs none', () => {
  const listed = parseStudy(applyStudyFlags({}, { ...oneConfig, allocator: 'glibc,tcmalloc' }));
  assert.throws(
    () => buildSpace(listed, twoSocket(), notInstalled),
    /^AutotuneError: space\.allocator: tcmalloc cannot run on this machine \(libtcmalloc_minimal\.so\.4 is not installed \(apt-get install libtcmalloc-minimal4\)\): remove it, or write allocator: auto$/,
  );
  assert.equal(buildSpace(listed, twoSocket(), installed).configs.length, 2);
  const defaults = buildSpace(parseStudy(applyStudyFlags({}, oneConfig)), twoSocket(), notInstalled);
  assert.deepEqual(defaults.configs.map((c) => c.allocator), ['glibc']);
  assert.throws(() => parseStudy(applyStudyFlags({}, { allocator: 'mimalloc' })), /space\.allocator\[0\]: expected a memory allocator: glibc, jemalloc, tcmalloc/);
});

test("glibc's malloc adds nothing to a key, label or environment; a preloaded allocator is LD_PRELOAD of its soname", () => {
  const old = { processes: 2, threads: 1, numa: 'local', batch: 8, smt: 'cores', spinning: false, baseline: false } as const;
  const plain = completeConfig(old);
  // Stored before the axis existed: read back with glibc, which those trials ran with.
  assert.equal(storedConfigSchema.parse(old).allocator, 'glibc');
  assert.equal(configKey(plain), 'p2/t1/local/b8/cores/nospin');
  assert.ok(!('LD_PRELOAD' in axisEnv(plain)));
  const jemalloc = { ...plain, allocator: 'jemalloc' as const };
  assert.equal(configKey(jemalloc), 'p2/t1/local/b8/cores/nospin/jemalloc');
  assert.equal(axisEnv(jemalloc)['LD_PRELOAD'], 'libjemalloc.so.2');
  assert.equal(axisEnv({ ...plain, allocator: 'tcmalloc' })['LD_PRELOAD'], 'libtcmalloc_minimal.so.4');
});

test('a mapped library is told apart by its file name, versioned or not', () => {
  assert.equal(allocatorOfLibrary('/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'), 'jemalloc');
  assert.equal(allocatorOfLibrary('/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10'), 'tcmalloc');
  assert.equal(allocatorOfLibrary('/usr/lib/x86_64-linux-gnu/libc.so.6'), null);
  assert.equal(allocatorOfLibrary('/opt/libjemalloc.so.2/libonnxruntime.so.1'), null);
});
