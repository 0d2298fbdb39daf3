import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import test from 'node:test';
import { getThreadAffinity } from '../../src/native/index.js';
import { parseCpuList } from '../../src/topology/cpulist.js';
import { readTopology } from '../../src/topology/read-topology.js';

const statusField = (name: string): number[] => {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  assert.ok(line, `/proc/self/status has ${name}`);
  return parseCpuList(line.slice(name.length + 1));
};

test('live: readTopology() reads this machine as the kernel and other tools see it', () => {
  const t = readTopology();
  assert.deepEqual(t.source, { kind: 'live' });
  assert.deepEqual(t.online, parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8')));
  const nodeRoot = '/sys/devices/system/node';
  const nodeDirs = existsSync(nodeRoot) ? readdirSync(nodeRoot).filter((n) => /^node\d+$/.test(n)) : [];
  assert.equal(t.numaSupported, nodeDirs.length > 0);
  assert.equal(t.nodes.length, Math.max(nodeDirs.length, 1));
  assert.equal(
    t.cores.flatMap((c) => c.cpus).length,
    t.online.length,
    'every online CPU is a hardware thread of one core',
  );
  // Cpus_allowed_list is the main thread's affinity; the addon asks sched_getaffinity itself.
  assert.deepEqual(t.allowed.affinity, statusField('Cpus_allowed_list'));
  assert.deepEqual(t.allowed.affinity, getThreadAffinity());
  assert.deepEqual(t.allowed.cpus, statusField('Cpus_allowed_list').filter((c) => t.online.includes(c)));
  // nproc counts the CPUs sched_getaffinity allows.
  assert.equal(t.allowed.cpus.length, Number(execFileSync('nproc', { encoding: 'utf8' }).trim()));
  assert.deepEqual(t.allowed.mems, statusField('Mems_allowed_list').filter((n) => t.nodes.some((node) => node.id === n)));
  assert.equal(t.kernel, readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
});
