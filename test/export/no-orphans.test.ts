import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { choose, renderShell } from '../../src/export/index.js';
import { buildReport, selectStudy } from '../../src/report/index.js';
import { openStore } from '../../src/store/index.js';
import { writeReportFixture } from '../fixtures/report/build-db.js';
import { members, until } from './processes.js';

const BIN = new URL('../../../bin/autotune.js', import.meta.url).pathname;
/** Each instance is a shell that starts a child of its own, then becomes a second process: two per group. */
const SERVER = ['/bin/sh', '-c', 'sleep 300 & exec sleep 301'];

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-orphans-'));
  writeReportFixture(join(dir, 'fixture.db'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `autotune launch` on the fixture's knee (two instances) and waits until both groups hold two sleeps. */
async function launch(): Promise<{ child: ChildProcess; groups: number[]; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'launch', 'fixture', '--pick', 'knee', '--grace', '5', '--db', join(dir, 'fixture.db'), '--', ...SERVER], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await until('launch names its pids', () => /pids \d+ \d+\n/.test(stderr));
  const groups = /pids (\d+) (\d+)\n/.exec(stderr)!.slice(1).map(Number);
  await until('each instance runs its two processes', () => groups.every((g) => members(g).length === 2));
  return { child, groups, stderr: () => stderr };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

test('launch: after SIGKILL of autotune no instance and nothing an instance started is left', async () => {
  const { child, groups } = await launch();
  const exited = exitOf(child);
  child.kill('SIGKILL');
  assert.equal((await exited).signal, 'SIGKILL');
  // The launcher's death signal kills each instance; the watchdog kills the rest of its group.
  await until('every process of both groups is gone', () => groups.every((g) => members(g).length === 0));
});

test('launch: after SIGTERM autotune exits 143 only once every instance and its children have exited', async () => {
  const { child, groups, stderr } = await launch();
  const exited = exitOf(child);
  child.kill('SIGTERM');
  assert.equal((await exited).code, 143, stderr());
  assert.deepEqual(groups.map(members), [[], []], 'nothing of the groups outlives the report');
  assert.match(stderr(), /autotune: stopped by SIGTERM: all 2 instance\(s\) and what they started exited\n$/);
});

async function script(): Promise<{ child: ChildProcess; groups: number[] }> {
  const store = openStore(join(dir, 'fixture.db'), { readonly: true });
  const knee = choose(store, buildReport(store, selectStudy(store, 'fixture'), { here: null }), 'knee');
  store.close();
  const file = join(dir, `launch-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, renderShell(knee, { command: null, basePort: 9000 }));
  const child = spawn('/bin/bash', [file, ...SERVER], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await until('the script names both pids', () => [...stderr.matchAll(/launch: instance \d+ pid (\d+)/g)].length === 2);
  const groups = [...stderr.matchAll(/launch: instance \d+ pid (\d+)/g)].map((m) => Number(m[1]));
  await until('each instance runs its two processes', () => groups.every((g) => members(g).length === 2));
  return { child, groups };
}

test('launch.sh: SIGTERM stops every instance and what it started, exiting 143', async () => {
  const { child, groups } = await script();
  const exited = exitOf(child);
  child.kill('SIGTERM');
  assert.equal((await exited).code, 143);
  assert.deepEqual(groups.map(members), [[], []]);
});

test('launch.sh: after SIGKILL of the script its instances die with it (their own children a script cannot reach)', async () => {
  const { child, groups } = await script();
  const leaders = [...groups];
  const exited = exitOf(child);
  child.kill('SIGKILL');
  await exited;
  try {
    await until('both instances are gone', () => leaders.every((pid) => !members(pid).includes(pid)));
  } finally {
    for (const g of groups) {
      try {
        process.kill(-g, 'SIGKILL');
      } catch {
        // Already empty.
      }
    }
  }
});
