import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { parse as parseYaml } from 'yaml';

import { choose, launchInstances, parsePick, renderDocker, renderExportJson, renderKubernetes, renderShell, renderSystemd, type Chosen } from '../../src/export/index.js';
import { buildReport, selectStudy } from '../../src/report/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { fixtureMachine, writeReportFixture } from '../fixtures/report/build-db.js';

const run = promisify(execFile);
let dir: string;
let store: Store;
/** The knee of the fixture: two processes, CPU 0 and CPU 1, memory bound to node 0. */
let knee: Chosen;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-export-'));
  writeReportFixture(join(dir, 'fixture.db'));
  store = openStore(join(dir, 'fixture.db'), { readonly: true });
  knee = choose(store, buildReport(store, selectStudy(store, 'fixture'), { here: fixtureMachine }), 'knee');
});

after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function statusOf(pid: number): { cpus: string; mems: string; env: string[] } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    cpus: /^Cpus_allowed_list:\s*(.+)$/m.exec(status)![1]!,
    mems: /^Mems_allowed_list:\s*(.+)$/m.exec(status)![1]!,
    env: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0'),
  };
}

/** Runs the launch script with `sleep 30`, waits for both instance pids, checks them, then stops it. */
async function runScript(script: string, path: string): Promise<{ pids: number[]; stderr: string }> {
  const file = join(dir, `launch-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  const child = spawn('/bin/bash', [file, 'sleep', '30'], { env: { PATH: path }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const pids = await new Promise<number[]>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = [...stderr.matchAll(/launch: instance \d+ pid (\d+)/g)].map((m) => Number(m[1]));
      if (found.length === 2) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`script exited ${code}: ${stderr}`)));
  });
  // A pid is announced before env and numactl exec the command: read it once it is sleep, placed.
  for (const pid of pids) {
    while (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep')) await new Promise((r) => setImmediate(r));
  }
  const seen = pids.map(statusOf);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 143);
  for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `instance ${pid} stopped with the script`);
  assert.deepEqual(seen.map((s) => s.cpus), ['0', '1']);
  assert.ok(seen[1]!.env.includes('AUTOTUNE_INSTANCE=1') && seen[1]!.env.includes('OMP_NUM_THREADS=1') && seen[0]!.env.includes('AUTOTUNE_BATCH=1'));
  return { pids, stderr };
}

test('the shell script pins each instance with numactl, memory bound, and stops them all on SIGTERM', async () => {
  const script = renderShell(knee, { command: null, basePort: 9000 });
  const { pids, stderr } = await runScript(script, process.env['PATH'] ?? '/usr/bin:/bin');
  assert.doesNotMatch(stderr, /numactl not found/);
  assert.match(stderr, /instance 0 pid \d+ cpus 0 memory bind 0/);
  assert.equal(pids.length, 2);
});

test('without numactl the script falls back to taskset and says the memory policy is not applied', async () => {
  const bin = join(dir, 'bin-no-numactl');
  mkdirSync(bin);
  for (const tool of ['env', 'taskset', 'sleep', 'kill']) {
    const at = ['/usr/bin', '/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
    if (at !== undefined) symlinkSync(at, join(bin, tool));
  }
  const { stderr } = await runScript(renderShell(knee, { command: null, basePort: 9000 }), bin);
  assert.match(stderr, /numactl not found, pinning CPUs with taskset \(memory policy not applied\)/);
});

test('a --command template is expanded per instance in the script', () => {
  const script = renderShell(knee, { command: 'my-server --port {port} --id {instance}', basePort: 9000 });
  assert.match(script, /^start 0 0 bind 0 .* -- \/bin\/sh -c 'exec my-server --port 9000 --id 0'$/m);
  assert.match(script, /^start 1 1 bind 0 .* -- \/bin\/sh -c 'exec my-server --port 9001 --id 1'$/m);
});

test('the systemd template unit and its drop-ins pass systemd-analyze verify and carry each placement', async () => {
  const files = renderSystemd(knee, { command: '/bin/sleep 30', name: 'infer', basePort: 9000 });
  const unitDir = join(dir, 'systemd');
  for (const f of files) {
    mkdirSync(join(unitDir, f.path, '..'), { recursive: true });
    writeFileSync(join(unitDir, f.path), f.content);
  }
  assert.deepEqual(files.map((f) => f.path), ['infer@.service', 'infer@0.service.d/autotune.conf', 'infer@1.service.d/autotune.conf']);
  assert.match(files[1]!.content, /^CPUAffinity=0$/m);
  assert.match(files[2]!.content, /^CPUAffinity=1$/m);
  assert.match(files[2]!.content, /^NUMAPolicy=bind\nNUMAMask=0$/m);
  assert.match(files[2]!.content, /^Environment="AUTOTUNE_PORT=9001"$/m);
  for (const instance of ['infer@0.service', 'infer@1.service']) {
    // verify exits 0 on a bad setting and only says so on stderr: both must be clean.
    const { stderr } = await run('systemd-analyze', ['verify', '--man=no', join(unitDir, instance)]);
    assert.equal(stderr.trim(), '', stderr);
  }
});

test('docker run lines parse and carry each instance\'s CPU and memory sets', () => {
  const text = renderDocker(knee, { image: 'registry/server:1', command: 'serve --port {port}', name: 'infer', basePort: 9000 });
  const runs = text.split('\n').filter((l) => l.startsWith('docker run'));
  assert.equal(runs.length, 2);
  runs.forEach((line, i) => {
    const words = line.split(' ');
    const flag = (name: string): string => words[words.indexOf(name) + 1]!;
    assert.equal(flag('--cpuset-cpus'), String(i));
    assert.equal(flag('--cpuset-mems'), '0');
    assert.equal(flag('--name'), `infer-${i}`);
    assert.ok(words.includes(`AUTOTUNE_INSTANCE=${i}`));
    assert.ok(line.endsWith(`registry/server:1 /bin/sh -c 'exec serve --port ${9000 + i}'`), line);
  });
});

test('the kubernetes pod parses, asks whole CPUs with requests equal to limits, and records the CPU sets', () => {
  const text = renderKubernetes(knee, { image: 'registry/server:1', command: null, name: 'infer', basePort: 9000 });
  assert.match(text, /topology-manager-policy=single-numa-node/);
  const pod = parseYaml(text) as {
    kind: string;
    metadata: { annotations: Record<string, string> };
    spec: { containers: Array<{ name: string; resources: { requests: Record<string, string>; limits: Record<string, string> }; env: Array<{ name: string; value: string }> }> };
  };
  assert.equal(pod.kind, 'Pod');
  assert.equal(pod.spec.containers.length, 2);
  for (const [i, c] of pod.spec.containers.entries()) {
    assert.deepEqual(c.resources.requests, c.resources.limits);
    assert.equal(c.resources.requests['cpu'], '1');
    assert.equal(pod.metadata.annotations[`autotune/cpus-${i}`], String(i));
    assert.deepEqual(c.env.find((e) => e.name === 'AUTOTUNE_INSTANCE'), { name: 'AUTOTUNE_INSTANCE', value: String(i) });
  }
});

test('json carries the measured plan and the onnxruntime session options', () => {
  const slo = choose(store, buildReport(store, selectStudy(store, 'fixture'), { here: null }), 'slo');
  const doc = JSON.parse(renderExportJson(slo)) as {
    config: { threads: number };
    plan: { workers: Array<{ cpus: number[] }> };
    instances: Array<{ sessionOptions: { intraOpNumThreads: number; extra: { session: Record<string, unknown> } } }>;
  };
  assert.equal(doc.config.threads, 2);
  assert.deepEqual(doc.plan.workers[0]!.cpus, [0, 1]);
  const options = doc.instances[0]!.sessionOptions;
  assert.equal(options.intraOpNumThreads, 2);
  assert.deepEqual(options.extra.session, { intra_op: { allow_spinning: '1' }, intra_op_thread_affinities: '2' });
});

test('picks: a trial id of the study, and one-line refusals', () => {
  const report = buildReport(store, selectStudy(store, 'fixture'), { here: null });
  assert.equal(choose(store, report, parsePick('5')).result.config.batch, 8);
  assert.throws(() => parsePick('fastest'), { message: /expected slo, latency, knee or a trial id/ });
  assert.throws(() => choose(store, report, { trialId: 8 }), { message: /trial 8 of study "fixture" is failed, not complete/ });
  assert.throws(() => choose(store, report, { trialId: 999 }), { message: /study "fixture" has no trial with id 999/ });
  const strict = buildReport(store, selectStudy(store, 'strict'), { here: null });
  assert.throws(() => choose(store, strict, 'slo'), { message: /^cannot pick slo: no configuration meets the 1\.00 ms SLO/ });
});

test('launch runs the command as pinned instances and stops every one of them', async () => {
  const launched = launchInstances(knee, ['sleep', '30'], { basePort: 9000, stdio: 'ignore', graceMs: 5000 });
  // The launcher execs the command once placed: wait until each pid is sleep, not the launcher.
  for (const pid of launched.pids) {
    while (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep')) await new Promise((r) => setImmediate(r));
  }
  const seen = launched.pids.map(statusOf);
  assert.deepEqual(seen.map((s) => s.cpus), ['0', '1']);
  assert.ok(seen[0]!.env.includes('AUTOTUNE_PORT=9000') && seen[1]!.env.includes('AUTOTUNE_PORT=9001'));
  launched.stop('SIGINT');
  const exits = await launched.exited;
  assert.deepEqual(exits.map((e) => e.signal), ['SIGINT', 'SIGINT']);
  for (const pid of launched.pids) assert.equal(existsSync(`/proc/${pid}`), false);
});
