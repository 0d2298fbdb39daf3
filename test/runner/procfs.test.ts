import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import test from 'node:test';
import { parseCpuList } from '../../src/topology/cpulist.js';
import { readPagesPerNode, readRssBytes, readSchedCounters, readThreads } from '../../src/runner/procfs.js';

const statusOf = (path: string, key: string): string => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(readFileSync(path, 'utf8'))![1]!;

test('readThreads lists every thread of this process with the kernel view of its placement', () => {
  const threads = readThreads(process.pid);
  const tids = readdirSync(`/proc/${process.pid}/task`).map(Number).sort((a, b) => a - b);
  // Node's helper threads are long-lived: the same set is listed twice in a row.
  assert.deepEqual(threads.map((t) => t.tid), tids);
  const main = threads.find((t) => t.tid === process.pid);
  assert.ok(main);
  assert.deepEqual(main.cpus, parseCpuList(statusOf('/proc/self/status', 'Cpus_allowed_list')));
  assert.deepEqual(main.mems, parseCpuList(statusOf('/proc/self/status', 'Mems_allowed_list')));
  assert.equal(main.name, readFileSync('/proc/self/comm', 'utf8').trim());
  for (const t of threads) assert.ok(t.cpus.includes(t.lastCpu), `thread ${t.tid} last ran on ${t.lastCpu}, outside ${t.cpus}`);
});

test('pages per node add up the numa_maps of this process', () => {
  const pages = readPagesPerNode(process.pid);
  const expected: Record<string, number> = {};
  for (const m of readFileSync('/proc/self/numa_maps', 'utf8').matchAll(/ N(\d+)=(\d+)/g)) {
    expected[m[1]!] = (expected[m[1]!] ?? 0) + Number(m[2]);
  }
  assert.ok(Object.keys(pages).length > 0);
  // The heap keeps changing between the two reads; the totals stay within a few percent.
  for (const [node, n] of Object.entries(expected)) assert.ok(Math.abs((pages[node] ?? 0) - n) / n < 0.1, `node ${node}`);
});

test('sched counters grow when the process sleeps and wakes', async () => {
  const before = readSchedCounters(process.pid);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  const after = readSchedCounters(process.pid);
  assert.ok(after.voluntaryCtxSwitches >= before.voluntaryCtxSwitches + 5);
  assert.ok(after.migrations !== null && before.migrations !== null && after.migrations >= before.migrations);
});

test('rss is what /proc reports, in bytes', () => {
  const rss = readRssBytes(process.pid);
  const kb = Number(/(\d+)/.exec(statusOf('/proc/self/status', 'VmRSS'))![1]);
  assert.ok(Math.abs(rss - kb * 1024) < 64 * 2 ** 20);
  assert.ok(rss > 10 * 2 ** 20);
});
