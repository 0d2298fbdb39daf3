import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { fixture } from './helpers.js';

/** A copy of the VM fixture with one file replaced, read back; the reader must refuse it in one line. */
function readBroken(file: string, content: string): () => unknown {
  return () => {
    const root = mkdtempSync(join(tmpdir(), 'autotune-topology-'));
    try {
      cpSync(fixture('vm-2cpu'), root, { recursive: true });
      writeFileSync(join(root, file), content);
      return readTopology({ sysfsRoot: root });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

function inputError(pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof AutotuneError, `an AutotuneError, got ${String(error)}`);
    assert.equal(error.kind, 'input');
    assert.equal(error.exitCode, 3);
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.message, pattern);
    return true;
  };
}

test('a sysfs root that does not exist names the path it expected', () => {
  assert.throws(
    () => readTopology({ sysfsRoot: '/nonexistent/autotune-snapshot' }),
    inputError(/^no CPU topology under \/nonexistent\/autotune-snapshot: expected \/nonexistent\/autotune-snapshot\/sys\/devices\/system\/cpu/),
  );
});

test('a root without sys/devices/system/cpu is refused the same way', () => {
  const root = mkdtempSync(join(tmpdir(), 'autotune-topology-'));
  try {
    assert.throws(() => readTopology({ sysfsRoot: root }), inputError(/^no CPU topology under /));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an empty cpu/online is refused: a CPU list is required there', () => {
  assert.throws(readBroken('sys/devices/system/cpu/online', '\n'), inputError(/cpu\/online is empty: expected a CPU list/));
});

test('malformed list syntax names the file and the bad part', () => {
  assert.throws(readBroken('sys/devices/system/cpu/online', '0-\n'), inputError(/cpu\/online "0-" is malformed at "0-"/));
  assert.throws(readBroken('sys/devices/system/node/node0/cpulist', '3-1\n'), inputError(/node0\/cpulist "3-1" has a descending range/));
  assert.throws(readBroken('sys/devices/system/cpu/cpu0/topology/core_cpus_list', '0,,1\n'), inputError(/core_cpus_list .* is malformed/));
});

test('CPU ids outside the possible CPUs are refused', () => {
  assert.throws(readBroken('sys/devices/system/cpu/online', '0-7\n'), inputError(/lists CPUs 2-7 that are not possible \(0-1\)/));
  assert.throws(readBroken('sys/devices/system/node/node0/cpulist', '0-1,9\n'), inputError(/node0\/cpulist lists CPUs 9 outside the possible CPUs 0-1/));
});

test('an affinity that leaves no usable CPU is refused', () => {
  assert.throws(
    readBroken('proc/self/status', 'Cpus_allowed_list:\t5\nMems_allowed_list:\t0\n'),
    inputError(/^no usable CPUs: online 0-1 ∩ affinity 5 ∩ cgroup 0-1 is empty/),
  );
});

test('an empty cgroup cpuset file is refused, not read as "no CPUs"', () => {
  assert.throws(readBroken('sys/fs/cgroup/cpuset/cpuset.effective_cpus', ''), inputError(/cpuset.effective_cpus is empty/));
});
