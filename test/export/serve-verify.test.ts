import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import type { Plan } from '../../src/placement/types.js';
import type { Report } from '../../src/report/types.js';
import { openStore } from '../../src/store/index.js';
import type { DeploymentCheck } from '../../src/store/types.js';
import { parseCpuList } from '../../src/topology/cpulist.js';
import { tempDir, TINY_FLAGS } from '../study/helpers.js';
import { members, until } from './processes.js';

/**
 * From a real study to a real fleet: tune a built-in model with an SLO (so the serving phase
 * promises a capacity), launch examples/server.mjs as the SLO pick, read its placement back from
 * /proc, drive it with autotune verify over HTTP, and kill autotune with SIGKILL.
 */

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/autotune.js');
const SERVER = join(ROOT, 'examples/server.mjs');
const BASE_PORT = 18_000 + (process.pid % 1000) * 2;

let dir: string;
let report: Report;
let plan: Plan;

function autotune(args: string[], timeout = 120_000) {
  return spawnSync(process.execPath, [BIN, ...args, '--db', 'autotune.db'], { cwd: dir, encoding: 'utf8', timeout });
}

before(() => {
  dir = tempDir();
  // One configuration with a pool thread (1 process x 2 threads), so its affinities are exercised; an
  // SLO loose enough that the serving phase finds a capacity while the suite shares the two CPUs.
  const tune = autotune(['tune', ...TINY_FLAGS.filter((_, i, all) => all[i] !== '--threads' && all[i - 1] !== '--threads'), '--threads', '2', '--processes', '1', '--slo', '50', '--serving-max-time', '1s', '--serving-configs', '1', '--no-ui'], 240_000);
  assert.equal(tune.status, 0, tune.stderr);
  const json = autotune(['report', '--json']);
  assert.equal(json.status, 0, json.stderr);
  report = JSON.parse(json.stdout) as Report;
  const slo = report.recommendations.find((r) => r.pick === 'slo');
  assert.ok(slo?.capacity?.capacityRps, `the serving phase promised a capacity: ${JSON.stringify(report.capacities)}`);
  const store = openStore(join(dir, 'autotune.db'), { readonly: true });
  plan = store.getTrialResult(slo.point.trialId)!.plan;
  store.close();
  assert.ok(plan.pinned, 'the pick ran pinned');
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Fleet {
  child: ChildProcess;
  pids: number[];
  stderr: () => string;
}

async function launchFleet(): Promise<Fleet> {
  const child = spawn(process.execPath, [BIN, 'launch', '--pick', 'slo', '--base-port', String(BASE_PORT), '--db', 'autotune.db', '--', process.execPath, SERVER, '--port', '{port}'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const instances = plan.workers.length;
  await until('every instance serves', () => (stderr.match(/server: instance \d+ pid \d+ serving /g) ?? []).length === instances || child.exitCode !== null, 60_000);
  assert.equal(child.exitCode, null, stderr);
  const pids = /pids ([\d ]+)\n/.exec(stderr)![1]!.trim().split(' ').map(Number);
  return { child, pids, stderr: () => stderr };
}

function status(path: string, field: string): string {
  return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(readFileSync(path, 'utf8'))![1]!;
}

function post(port: number, body: string, contentType: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/infer', method: 'POST', headers: { 'content-type': contentType } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('launch --pick slo starts the example server pinned as planned; verify drives it at the promised rate and the report shows it; SIGKILL of autotune leaves nothing', async () => {
  const fleet = await launchFleet();
  try {
    // The placement as the kernel holds it: the process on its CPUs, each pool thread on its group.
    for (const [i, worker] of plan.workers.entries()) {
      const pid = fleet.pids[i]!;
      assert.deepEqual(parseCpuList(status(`/proc/${pid}/status`, 'Cpus_allowed_list')), worker.cpus);
      const threads = readdirSync(`/proc/${pid}/task`).map((tid) => parseCpuList(status(`/proc/${pid}/task/${tid}/status`, 'Cpus_allowed_list')));
      for (const cpus of threads) assert.ok(cpus.every((c) => worker.cpus.includes(c)), `a thread runs on ${cpus.join(',')}, outside the instance's ${worker.cpus.join(',')}`);
      assert.ok(worker.poolCpus.length > 0, 'the plan has pool threads to check');
      for (const group of worker.poolCpus) {
        assert.ok(threads.some((cpus) => cpus.join(',') === group.join(',')), `a pool thread is pinned to CPU(s) ${group.join(',')}: ${JSON.stringify(threads)}`);
      }
    }

    // The example server itself: a JSON sample answers the model's output row; a bad one is refused.
    const sample = JSON.stringify({ input: Array.from({ length: 32 }, (_, i) => i / 32) });
    const answered = await post(BASE_PORT, sample, 'application/json');
    assert.equal(answered.status, 200);
    assert.equal((answered.json as { output: number[] }).output.length, 8);
    const refused = await post(BASE_PORT, JSON.stringify({ input: [1, 2] }), 'application/json');
    assert.equal(refused.status, 400);
    assert.match((refused.json as { error: string }).error, /expected \{"input": \[32 numbers\]\}/);

    // At the promise (whatever the verdict: exit 0 kept, 1 missed), then at a rate the fleet keeps up with.
    const promised = autotune(['verify', '--base-port', String(BASE_PORT), '--duration', '1s', '--warmup', '200ms', '--json']);
    assert.ok(promised.status === 0 || promised.status === 1, promised.stderr);
    const atPromise = JSON.parse(promised.stdout) as DeploymentCheck;
    const capacity = report.recommendations.find((r) => r.pick === 'slo')!.capacity!;
    assert.equal(atPromise.offeredRps, capacity.capacityRps);
    assert.equal(atPromise.promisedRps, capacity.capacityRps);
    assert.equal(atPromise.capacityTrialId, capacity.trialId);
    assert.equal(atPromise.scheduled, atPromise.completed + atPromise.failed + atPromise.censored);
    assert.equal(promised.status === 1, atPromise.comparison.verdict === 'missed');

    const light = autotune(['verify', '--base-port', String(BASE_PORT), '--duration', '2s', '--warmup', '200ms', '--rate', '300']);
    assert.ok(light.status === 0 || light.status === 1, light.stderr);
    assert.match(light.stdout, /^verify \d+ at .*: trial \d+ \(pick slo\) on http:\/\/127\.0\.0\.1:\d+/);
    assert.match(light.stdout, /\noffered   300 req\/s \(not the promise\), poisson arrivals/);
    assert.match(light.stdout, /\np99 delivered\/promised \d+\.\d+x \[\d+\.\d+-\d+\.\d+\] \(95% \(Bonferroni/);
    assert.match(light.stdout, /\nverdict   (KEPT|MISSED|UNDECIDED)/);
  } finally {
    const exited = new Promise((r) => fleet.child.once('exit', r));
    fleet.child.kill('SIGKILL');
    await exited;
  }
  // The launcher's parent-death signal and the watchdog: no server, and nothing a server started, survives.
  await until('every instance group is empty', () => fleet.pids.every((g) => members(g).length === 0));

  const shown = autotune(['report', '--json']);
  const deployments = (JSON.parse(shown.stdout) as Report).deployments;
  assert.equal(deployments.length, 2);
  assert.equal(deployments[1]!.offeredRps, 300);
  assert.equal(deployments[1]!.failed, 0);
  assert.equal(deployments[1]!.completed, deployments[1]!.scheduled, 'at 300 req/s every request is answered');
  assert.notEqual(deployments[1]!.comparison.p99.ci, null, '600 latencies give a 97.5% interval of p99 on both sides');
  const text = autotune(['report']);
  assert.match(text.stdout, /\nDeployed: promises checked by autotune verify/);
});

test('the example server started outside the fleet says which variable is missing and exits 2', () => {
  const run = spawnSync(process.execPath, [SERVER, '--port', String(BASE_PORT + 1)], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 30_000 });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^server: AUTOTUNE_SPINNING is not set; start the server with autotune launch or an exported script, which set it\n$/);
});

test('verify without running servers refuses in one line naming the URL', () => {
  const run = autotune(['verify', '--base-port', String(BASE_PORT + 1), '--duration', '1s']);
  assert.equal(run.status, 3);
  assert.match(run.stderr, /^autotune: http:\/\/127\.0\.0\.1:\d+\/health: connect ECONNREFUSED [^\n]*: start the fleet first/);
  assert.doesNotMatch(run.stderr, /\n./);
});
