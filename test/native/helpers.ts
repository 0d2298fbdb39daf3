import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { AutotuneError } from '../../src/errors.js';
import { parseCpuList } from '../../src/topology/cpulist.js';

/** A field of /proc/<path>/status, e.g. Cpus_allowed_list, read the way the kernel reports it. */
export function statusField(path: string, field: string): string {
  const line = readFileSync(`/proc/${path}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (line === undefined) throw new Error(`/proc/${path}/status has no ${field}`);
  return line.slice(field.length + 1).trim();
}

export function threadIds(): number[] {
  return readdirSync('/proc/self/task').map(Number).sort((a, b) => a - b);
}

/** The CPUs this test process started with (its main thread's mask). */
export function startCpus(): number[] {
  return parseCpuList(statusField('self', 'Cpus_allowed_list'));
}

/** A CPU id the kernel does not have: 63 on small machines, otherwise one past the last possible. */
export function missingCpu(): number {
  const possible = parseCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
  return Math.max(63, (possible.at(-1) ?? 0) + 1);
}

/** A node id this process may not use: 99 unless the machine really has that many nodes. */
export function missingNode(): number {
  const allowed = parseCpuList(statusField('self', 'Mems_allowed_list'));
  return Math.max(99, (allowed.at(-1) ?? 0) + 1);
}

/** The AutotuneError a refused call throws; fails when the call is accepted or the message spans lines. */
export function refusal(call: () => unknown): AutotuneError {
  try {
    call();
  } catch (e) {
    assert.ok(e instanceof AutotuneError, `expected an AutotuneError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e;
  }
  assert.fail('the call was accepted');
}
