import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import {
  getCpu,
  getProcessAffinity,
  getThreadAffinity,
  setProcessAffinity,
  setThreadAffinity,
} from '../../src/native/index.js';
import { formatCpuList, parseCpuList, parseCpuMask } from '../../src/topology/cpulist.js';
import { missingCpu, startCpus, statusField, threadIds, refusal } from './helpers.js';

/** `taskset -p TID` prints "pid TID's current affinity mask: 3" (hex, no word separators). */
function tasksetCpus(tid: number): number[] {
  const out = execFileSync('taskset', ['-p', String(tid)], { encoding: 'utf8' });
  const m = /mask:\s*([0-9a-f]+)\s*$/.exec(out);
  assert.ok(m, `unexpected taskset output: ${out}`);
  // taskset prints one long hex number; split it into the 32-bit words parseCpuMask reads.
  const hex = m[1]!.padStart(Math.ceil(m[1]!.length / 8) * 8, '0');
  return parseCpuMask(hex.match(/.{8}/g)!.join(','));
}

/** sysfs links cpuN/nodeM; a kernel without NUMA has no link and everything is node 0. */
function nodeOfCpu(cpu: number): number {
  const link = readdirSync(`/sys/devices/system/cpu/cpu${cpu}`).find((name) => /^node\d+$/.test(name));
  return link === undefined ? 0 : Number(link.slice(4));
}

function restore(original: Map<number, number[]>): void {
  for (const [tid, cpus] of original) {
    try {
      setThreadAffinity(cpus, tid);
    } catch (e) {
      if (!(e instanceof AutotuneError && e.errno === 'ESRCH')) throw e;
    }
  }
}

test('pinning the whole process reaches every thread, as /proc and taskset see it', () => {
  const original = getProcessAffinity(process.pid);
  assert.deepEqual([...original.keys()].sort((a, b) => a - b), threadIds());
  assert.ok(original.size > 1, 'a Node process has helper threads before user code');
  try {
    const pinned = setProcessAffinity(process.pid, [0]);
    assert.deepEqual(pinned, threadIds());
    for (const tid of pinned) {
      assert.equal(statusField(`self/task/${tid}`, 'Cpus_allowed_list'), '0', `thread ${tid} in /proc`);
      assert.deepEqual(tasksetCpus(tid), [0], `thread ${tid} in taskset`);
    }
    for (const [tid, cpus] of getProcessAffinity(process.pid)) assert.deepEqual(cpus, [0], `thread ${tid} read back`);
  } finally {
    restore(original);
  }
  for (const [tid, cpus] of original) {
    assert.equal(statusField(`self/task/${tid}`, 'Cpus_allowed_list'), formatCpuList(cpus), `thread ${tid} restored`);
  }
  assert.deepEqual(tasksetCpus(process.pid), original.get(process.pid));
});

test('calling thread: set, read back, and getCpu runs inside the mask', () => {
  const original = getThreadAffinity();
  assert.deepEqual(original, startCpus());
  const last = original.at(-1)!;
  try {
    setThreadAffinity([last]);
    assert.deepEqual(getThreadAffinity(), [last]);
    assert.deepEqual(getThreadAffinity(process.pid), [last], 'the main thread is the calling thread here');
    assert.equal(statusField('self', 'Cpus_allowed_list'), String(last));
    const here = getCpu();
    assert.equal(here.cpu, last);
    assert.equal(here.node, nodeOfCpu(last));
  } finally {
    setThreadAffinity(original);
  }
  assert.deepEqual(getThreadAffinity(), original);
  assert.ok(original.includes(getCpu().cpu));
});

test('another thread by id: pin one helper thread only', () => {
  const original = getThreadAffinity();
  const helper = threadIds().find((tid) => tid !== process.pid)!;
  try {
    setThreadAffinity([original[0]!], helper);
    assert.deepEqual(getThreadAffinity(helper), [original[0]]);
    assert.equal(statusField(`self/task/${helper}`, 'Cpus_allowed_list'), String(original[0]));
    assert.deepEqual(getThreadAffinity(), original, 'the calling thread is untouched');
  } finally {
    setThreadAffinity(original, helper);
  }
  assert.deepEqual(getThreadAffinity(helper), original);
});

test('bad CPU lists are refused with a sentence naming them, and nothing changes', () => {
  const original = getThreadAffinity();
  const tid = process.pid;

  const empty = refusal(() => setThreadAffinity([]));
  assert.equal(empty.kind, 'usage');
  assert.equal(empty.message, `cannot pin thread ${tid}: the CPU list is empty; give at least one CPU id`);

  for (const bad of [4096, -1, 1.5, Number.NaN]) {
    const e = refusal(() => setThreadAffinity([0, bad]));
    assert.equal(e.kind, 'usage');
    assert.equal(e.message, `cannot pin thread ${tid} to CPUs ${String(bad)}: CPU ids must be integers from 0 to 4095`);
  }
  assert.equal(refusal(() => setProcessAffinity(process.pid, [])).kind, 'usage');
  assert.equal(refusal(() => setProcessAffinity(-5, [0])).message, 'cannot pin process -5: process id -5 is not a positive integer');

  const missing = missingCpu();
  const absent = refusal(() => setThreadAffinity([missing]));
  assert.equal(absent.kind, 'system');
  assert.equal(absent.errno, 'EINVAL');
  assert.equal(absent.message, `cannot pin thread ${tid} to CPUs ${missing}: EINVAL (not allowed here; this process may use ${formatCpuList(original)})`);

  // The kernel would quietly keep the allowed half; autotune refuses the partial pin instead.
  const partial = refusal(() => setThreadAffinity([original[0]!, missing]));
  assert.equal(partial.errno, 'EINVAL');
  assert.equal(
    partial.message,
    `cannot pin thread ${tid} to CPUs ${original[0]},${missing}: EINVAL (CPUs ${missing} are not allowed here; this process may use ${formatCpuList(original)})`,
  );
  assert.deepEqual(getThreadAffinity(), original);
  assert.deepEqual(parseCpuList(statusField('self', 'Cpus_allowed_list')), original);
});

test('a process or thread that does not exist: ESRCH in one line', () => {
  const gone = 0x3ffffff0; // above any pid_max the kernel allows (4194304)
  const proc = refusal(() => setProcessAffinity(gone, [0]));
  assert.equal(proc.errno, 'ESRCH');
  assert.equal(proc.message, `cannot pin process ${gone} to CPUs 0: ESRCH (no such process)`);
  const thread = refusal(() => getThreadAffinity(gone));
  assert.equal(thread.errno, 'ESRCH');
  assert.equal(thread.message, `cannot read the CPUs of thread ${gone}: ESRCH (no such thread)`);
});
