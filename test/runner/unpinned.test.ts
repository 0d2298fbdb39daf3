import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Capabilities } from '../../src/native/capabilities.js';
import type { Report } from '../../src/report/types.js';
import type { TrialResult } from '../../src/domain/results.js';
import type { StudyEvent } from '../../src/study/events.js';
import { REPO_ROOT } from './helpers.js';

/**
 * The "no placement syscalls" path end to end: a package tree with the compiled code but no build/
 * (no addon, no launcher), as on macOS or after a failed native build. Every command must say that
 * placement is unavailable and why, run unpinned anyway, and mark what it measured as unpinned.
 */

const MODEL = 'builtin:mlp?hidden=64&layers=1';
const ONE_CONFIG = ['--model', MODEL, '--processes', '1', '--threads', '1', '--batch', '1'];
const TRIAL_WINDOW = ['--warmup', '0.2', '--min-time', '0.3', '--max-time', '0.8', '--min-samples', '50'];
const TUNE_WINDOW = ['--warmup', '200ms', '--min-time', '300ms', '--max-time', '800ms', '--min-samples', '50'];

let root: string;
let work: string;
/** What probeCapabilities says in that tree, as a pattern (the loader's own words in the middle). */
let reason: RegExp;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'autotune-unpinned-'));
  cpSync(fileURLToPath(new URL('../../src', import.meta.url)), join(root, 'dist', 'src'), { recursive: true });
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(REPO_ROOT, 'bin', 'autotune.js'), join(root, 'bin', 'autotune.js'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'autotune', type: 'module' }));
  // onnxruntime-node, better-sqlite3 and the rest resolve from here; only our own build/ is missing.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  work = join(root, 'work');
  mkdirSync(work);
  const addon = join(root, 'build', 'Release', 'affinity.node').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  reason = new RegExp(`the native module ${addon} did not load \\(.+\\); run npm run install to build it`);
});

after(() => rmSync(root, { recursive: true, force: true }));

async function autotune(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'autotune.js'), ...args], {
      cwd: work,
      env: { ...process.env, AUTOTUNE_CACHE: join(work, 'models') },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('autotune trial --json runs unpinned, says why in the plan notes, and its workers still measure', async () => {
  const { code, stdout, stderr } = await autotune(['trial', ...ONE_CONFIG, ...TRIAL_WINDOW, '--json']);
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout) as TrialResult;
  assert.equal(result.plan.pinned, false);
  assert.deepEqual(result.plan.workers.map((w) => [w.mainCpu, w.poolCpus, w.memPolicy]), [[null, [], 'default']]);
  assert.ok(result.plan.notes.some((n) => /^pinning is unavailable here/.test(n)), result.plan.notes.join('\n'));
  const why = result.plan.notes.find((n) => n.startsWith('runs unpinned: '));
  assert.ok(why, `no note says why: ${result.plan.notes.join('\n')}`);
  assert.match(why, reason);
  // Being unpinned is a property of the machine, not of this measurement: re-measuring cannot clear it.
  assert.ok(!result.noiseReasons.some((r) => /unpinned/.test(r)), result.noiseReasons.join('\n'));
  assert.equal(result.noisy, result.noiseReasons.length > 0);
  assert.ok(result.tps > 0 && result.latency.count >= 50, `tps ${result.tps}, ${result.latency.count} inferences`);
  assert.equal(result.workers.length, 1);
  assert.ok(result.workers[0]!.cpuTimeMs > 0);
  // Nothing was pinned, and the read-back shows it: the worker may use every allowed CPU.
  assert.equal(result.verification.verified, true, result.verification.mismatches.join('\n'));
  assert.ok(result.readBack[0]!.threads.every((t) => t.cpus.length === result.plan.workers[0]!.cpus.length));
  assert.ok(result.readBack[0]!.memPolicy === null, 'get_mempolicy is not called without the addon');
});

test('autotune trial says plainly on screen that it ran unpinned and why', async () => {
  const { code, stdout, stderr } = await autotune(['trial', ...ONE_CONFIG, ...TRIAL_WINDOW]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^plan {8}unpinned$/m);
  assert.match(stdout, /^ {2}worker 0 {2}CPUs \S+ {2}memory default$/m);
  const note = stdout.split('\n').find((l) => l.startsWith('  note: runs unpinned: '));
  assert.ok(note, stdout);
  assert.match(note, reason);
  assert.match(stdout, /^throughput {2}\d+ samples\/s/m);
  const warnings = stderr.split('\n').filter((l) => l.startsWith('autotune: warning: runs unpinned: '));
  assert.equal(warnings.length, 1, stderr);
  assert.match(warnings[0]!, reason);
});

test('autotune topology says the placement calls are unavailable and why, and still prints the topology', async () => {
  const text = await autotune(['topology']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^node \d+: .+, CPUs \S+$/m);
  assert.match(text.stdout, /^allowed for this process:$/m);
  assert.match(text.stdout, /^fingerprint [0-9a-f]+ /m);
  const lines = text.stdout.split('\n');
  const unavailable = lines[lines.indexOf('placement calls:') + 1] ?? '';
  assert.match(unavailable, /^ {2}unavailable \(.+\) — trials will run unpinned$/);
  assert.match(unavailable, reason);

  const json = await autotune(['topology', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const { topology, capabilities } = JSON.parse(json.stdout) as { topology: { online: number[] }; capabilities: Capabilities };
  assert.ok(topology.online.length > 0);
  assert.equal(capabilities.supported, false);
  assert.match(capabilities.reason ?? '', reason);
  assert.equal(capabilities.affinity.ok, false);
});

test('a tiny study completes unpinned, and its report marks the trials unpinned and warns why', async () => {
  const db = join(work, 'study.db');
  const tune = await autotune(['tune', ...ONE_CONFIG, '--trials', '2', ...TUNE_WINDOW, '--db', db, '--json']);
  assert.equal(tune.code, 0, tune.stderr);
  const events = tune.stdout.trim().split('\n').map((line) => JSON.parse(line) as StudyEvent);
  const finished = events.filter((e): e is Extract<StudyEvent, { type: 'trialFinished' }> => e.type === 'trialFinished');
  // The baseline, the search trial, then its confirmation: three runs, each paired with the baseline.
  assert.deepEqual(finished.map((e) => e.result.config.baseline), [true, false, false, true, false, true, false, true]);
  assert.ok(finished.every((e) => !e.result.plan.pinned && e.result.tps > 0));
  const said = events.filter((e): e is Extract<StudyEvent, { type: 'warning' }> => e.type === 'warning' && e.message.includes('runs unpinned'));
  // Each run of the searched configuration says it runs unpinned; the baseline is unpinned by design.
  assert.deepEqual(said.map((e) => e.message.split(':')[0]), ['trial 2', 'trial 3', 'trial 5', 'trial 7']);
  assert.match(said[0]!.message, reason);
  assert.equal(events.at(-1)?.type, 'studyFinished');

  const { code, stdout, stderr } = await autotune(['report', '--db', db, '--json']);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as Report;
  assert.equal(report.study.state, 'complete');
  assert.equal(report.trials.length, 8);
  assert.ok(report.trials.every((t) => t.state === 'complete' && t.pinned === false), JSON.stringify(report.trials.map((t) => t.pinned)));
  assert.ok(report.points.every((p) => p.pinned === false));
  const searched = report.points.find((p) => !p.config.baseline)!;
  const unpinned = report.warnings.filter((w) => w.kind === 'unpinned');
  assert.equal(unpinned.length, 1, JSON.stringify(report.warnings));
  assert.match(unpinned[0]!.message, /^1 configuration\(s\) ran unpinned, so placement was not applied and the OS placed their threads \(p1 t1 none b1 \w+ trial \d+\); pinning was unavailable: /);
  assert.ok(unpinned[0]!.message.includes(`trial ${searched.trialId}`));
  assert.match(unpinned[0]!.message, reason);
  assert.ok(!report.warnings.some((w) => w.kind === 'noisy' && /unpinned/.test(w.message)), 'unpinned is not reported as noise');
});

test('unpinned, a study searches one numa/smt setting instead of several that would run the same way', async () => {
  const db = join(work, 'axes.db');
  const tune = await autotune(['tune', ...ONE_CONFIG, '--numa', 'none,local,spread', '--smt', 'cores,all', '--trials', '5', ...TUNE_WINDOW, '--db', db, '--json']);
  assert.equal(tune.code, 0, tune.stderr);
  const events = tune.stdout.trim().split('\n').map((line) => JSON.parse(line) as StudyEvent);
  const started = events.find((e): e is Extract<StudyEvent, { type: 'studyStarted' }> => e.type === 'studyStarted');
  assert.equal(started?.study.spaceSize, 1);
  const searched = events.filter((e): e is Extract<StudyEvent, { type: 'trialFinished' }> => e.type === 'trialFinished' && !e.result.config.baseline);
  // One configuration searched, then confirmed three times: always numa none, smt cores.
  assert.deepEqual(searched.map((e) => [e.result.config.numa, e.result.config.smt]), Array(4).fill(['none', 'cores']));
  assert.ok(
    events.some((e) => e.type === 'warning' && /^trials run unpinned here \(.+\): numa and smt settings would all run the same way/.test(e.message)),
    'the study says once why it narrowed the space',
  );
});
