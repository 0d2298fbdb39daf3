import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import test from 'node:test';
import { configKey } from '../../src/domain/config.js';
import { openStore } from '../../src/store/index.js';
import type { StudyEvent } from '../../src/study/events.js';
import { tempDir, TINY_FLAGS, TINY_MLP } from './helpers.js';

const BIN = new URL('../../../bin/autotune.js', import.meta.url).pathname;
const FIXTURES = new URL('../../../test/fixtures/study/', import.meta.url).pathname;

/** P 1,2 x T 1,2 on 2 CPUs: (1,1), (1,2), (2,1) plus the baseline = 4 trials. */
const FLAGS = [...TINY_FLAGS.filter((_, i, all) => all[i] !== '--threads' && all[i - 1] !== '--threads'), '--processes', '1,2', '--threads', '1,2'];

/** A `tune --json` child whose event stream is kept whole, so a test can wait for an event and read on. */
function tuner(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [BIN, 'tune', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const events: StudyEvent[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as StudyEvent);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<void>((resolve) => child.stdout!.on('close', resolve)).then(() => {
    for (const wake of waiters.splice(0)) wake();
  });
  /** The first event matching, or null once the stream ended without one. */
  async function waitFor(match: (e: StudyEvent) => boolean): Promise<StudyEvent | null> {
    for (;;) {
      const found = events.find(match);
      if (found) return found;
      if (child.stdout!.closed) return null;
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), closed]);
    }
  }
  return { child, events, waitFor, closed, stderr: () => stderr };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Worker processes still alive whose parent was the given tuner (or any with this db in its env). */
function workersOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

test('SIGKILL mid-study, then the same command again: every configuration measured exactly once', async () => {
  const dir = tempDir();
  const args = [...FLAGS, '--json', '--db', 'autotune.db'];
  const first = tuner(dir, args);
  // Trial 2 finished and trial 3 started: kill the tuner with trial 3 in flight.
  const third = await first.waitFor((e) => e.type === 'trialStarted' && e.number === 3);
  first.child.kill('SIGKILL');
  const running = third?.type === 'trialStarted' ? third.trialId : null;
  assert.notEqual(running, null, `the tuner never reached trial 3: ${first.stderr()}`);
  assert.equal((await exited(first.child)).signal, 'SIGKILL');

  let store = openStore(join(dir, 'autotune.db'), { readonly: true });
  const before = store.listTrials(store.getStudy('mlp-in-32-hidden-64-layers-2-out-8')!.id);
  store.close();
  assert.deepEqual(before.map((t) => t.state), ['complete', 'complete', 'running']);

  const second = spawnSync(process.execPath, [BIN, 'tune', ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(second.status, 0, second.stderr);
  const events = second.stdout.trim().split('\n').map((l) => JSON.parse(l) as StudyEvent);
  const started = events[0]!;
  assert.ok(started.type === 'studyStarted' && started.study.resumed && started.study.completedTrials === 2);
  assert.ok(events.some((e) => e.type === 'warning' && /1 trial\(s\) of an earlier run were interrupted/.test(e.message)));
  const finished = events.at(-1)!;
  assert.ok(finished.type === 'studyFinished' && finished.reason === 'exhausted');

  store = openStore(join(dir, 'autotune.db'), { readonly: true });
  const after = store.listTrials(store.getStudy('mlp-in-32-hidden-64-layers-2-out-8')!.id);
  store.close();
  // Nothing completed was lost or changed.
  for (const t of before.filter((t) => t.state === 'complete')) assert.deepEqual(after.find((a) => a.id === t.id), t);
  assert.equal(after.find((t) => t.id === running)!.state, 'interrupted');
  // The search measured each configuration once; its picks were then confirmed (paired runs).
  const complete = after.filter((t) => t.state === 'complete' && t.kind !== 'confirm' && t.pairedWith === null);
  assert.deepEqual(after.filter((t) => t.state === 'failed').map((t) => t.error), []);
  assert.ok(after.some((t) => t.kind === 'confirm' && t.state === 'complete'));
  const keys = complete.map((t) => configKey(t.config));
  assert.deepEqual([...keys].sort(), ['baseline/b1', 'p1/t1/none/b1/cores/spin', 'p1/t2/none/b1/cores/spin', 'p2/t1/none/b1/cores/spin']);
  assert.ok(keys.includes(configKey(before[2]!.config)), 'the interrupted configuration was run again');
});

test('two tuners on one study: the second refuses naming the first; Ctrl-C stops the first cleanly', async () => {
  const dir = tempDir();
  const args = [...FLAGS, '--json', '--db', 'autotune.db'];
  const first = tuner(dir, args);
  assert.ok(await first.waitFor((e) => e.type === 'trialPhase' && e.phase === 'measuring'), first.stderr());

  const second = spawnSync(process.execPath, [BIN, 'tune', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(second.status, 6);
  assert.equal(second.stderr.trim().split('\n').length, 1);
  assert.match(second.stderr, new RegExp(`already being tuned by autotune .*${first.child.pid}`));

  // Ctrl-C while a trial is measuring (the one measuring before may have ended meanwhile).
  const seen = first.events.length;
  assert.ok(await first.waitFor((e) => first.events.indexOf(e) >= seen && e.type === 'trialPhase' && e.phase === 'measuring'), first.stderr());
  first.child.kill('SIGINT');
  await first.closed;
  const { code } = await exited(first.child);
  assert.equal(code, 130, first.stderr());
  const finished = first.events.at(-1)!;
  assert.ok(finished.type === 'studyFinished' && finished.reason === 'interrupted');
  assert.deepEqual(workersOf(first.child.pid!), []);

  const store = openStore(join(dir, 'autotune.db'), { readonly: true });
  const study = store.getStudy('mlp-in-32-hidden-64-layers-2-out-8')!;
  const trials = store.listTrials(study.id);
  store.close();
  assert.equal(study.state, 'interrupted');
  // The trial in flight at Ctrl-C is interrupted; the ones before it are complete.
  assert.equal(trials.at(-1)!.state, 'interrupted');
  assert.ok(trials.slice(0, -1).every((t) => t.state === 'complete'));
});

test('SIGTERM stops the tuner like Ctrl-C but exits 143, and studies then shows a killed tuner as stopped', async () => {
  const dir = tempDir();
  const args = [...FLAGS, '--json', '--db', 'autotune.db'];
  const first = tuner(dir, args);
  assert.ok(await first.waitFor((e) => e.type === 'trialPhase' && e.phase === 'measuring'), first.stderr());
  first.child.kill('SIGTERM');
  await first.closed;
  assert.equal((await exited(first.child)).code, 143, first.stderr());
  assert.deepEqual(workersOf(first.child.pid!), []);

  // A tuner killed outright leaves its study 'running' in the database; the listing tells the truth.
  const second = tuner(dir, args);
  assert.ok(await second.waitFor((e) => e.type === 'trialPhase' && e.phase === 'measuring'), second.stderr());
  second.child.kill('SIGKILL');
  await exited(second.child);
  const table = spawnSync(process.execPath, [BIN, 'studies', '--db', 'autotune.db'], { cwd: dir, encoding: 'utf8' });
  assert.match(table.stdout, /\nmlp-in-32-hidden-64-layers-2-out-8\s+stopped \(tuner gone\)\s/, table.stdout);
});

test('CLI: a study file with a wrong field, a bad flag, and the studies listing', () => {
  const dir = tempDir();
  const bad = spawnSync(process.execPath, [BIN, 'tune', join(FIXTURES, 'bad-field.yaml'), '--db', 'autotune.db'], { cwd: dir, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, `autotune: ${join(FIXTURES, 'bad-field.yaml')}: study.space.threads[2]: expected a positive integer\n`);

  const flag = spawnSync(process.execPath, [BIN, 'tune', '--batch', '8-1'], { cwd: dir, encoding: 'utf8' });
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /^autotune: .*batch.*\n$/);

  const run = spawnSync(process.execPath, [BIN, 'tune', ...TINY_FLAGS, '--processes', '1', '--name', 'listed', '--no-ui', '--db', 'autotune.db'], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ study "listed" started/);
  assert.match(run.stdout, /Z trial #2 \[2\/2\] p1 t1 none b1 spin: [\d.]+ samples\/s, p99 [\d.]+ ms \(±[\d.]+\)/);
  assert.match(run.stdout, /placement = total gain \(vs baseline b1, the batch run today\): \d+\.\d+x TPS \[|the pick is the baseline itself/);

  const listing = spawnSync(process.execPath, [BIN, 'studies', '--db', 'autotune.db', '--json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(listing.status, 0, listing.stderr);
  const studies = JSON.parse(listing.stdout) as Array<{ name: string; state: string; counts: { complete: number }; model: string; strategy: string; strategyUsed: string }>;
  assert.deepEqual(studies.map((s) => [s.name, s.state, s.counts.complete, s.model, s.strategy, s.strategyUsed]), [['listed', 'complete', 8, TINY_MLP, 'auto', 'grid']]);
  const table = spawnSync(process.execPath, [BIN, 'studies', '--db', 'autotune.db'], { cwd: dir, encoding: 'utf8' });
  assert.match(table.stdout, /^STUDY\s+STATE\s+COMPLETE/);
  // The baseline and the one configuration, then its three confirmation pairs.
  assert.match(table.stdout, /\nlisted\s+complete\s+8\s+0\s+0\s+8\s/);
  assert.ok(table.stdout.includes(`auto (grid)  ${TINY_MLP}  `), table.stdout);

  const resume = spawnSync(process.execPath, [BIN, 'tune', '--study', 'nope', '--db', 'autotune.db'], { cwd: dir, encoding: 'utf8' });
  assert.equal(resume.status, 2);
  assert.equal(resume.stderr, 'autotune: no study "nope" in autotune.db: it has listed\n');
});

test('SIGKILL in the serving phase loses at most the window in flight: the rerun continues the capacity search from its stored windows', async () => {
  const dir = tempDir();
  const args = [...TINY_FLAGS, '--processes', '1', '--slo', '5', '--serving-max-time', '1s', '--serving-configs', '1', '--json', '--db', 'autotune.db'];
  const first = tuner(dir, args);
  // The first capacity search has finished two windows: kill it in the third.
  const second = await first.waitFor((e) => e.type === 'servingStep' && e.step !== null && e.index === 1);
  first.child.kill('SIGKILL');
  assert.ok(second?.type === 'servingStep', `the tuner never reached a second window: ${first.stderr()}`);
  assert.equal((await exited(first.child)).signal, 'SIGKILL');
  const killedTrial = second.trialId;

  const run = spawnSync(process.execPath, [BIN, 'tune', ...args], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  assert.equal(run.status, 0, run.stderr);
  const store = openStore(join(dir, 'autotune.db'), { readonly: true });
  try {
    const study = store.getStudy('mlp-in-32-hidden-64-layers-2-out-8')!;
    const trials = store.listTrials(study.id);
    const killed = trials.find((t) => t.id === killedTrial)!;
    assert.equal(killed.state, 'interrupted');
    // Its two finished windows are kept, and the rerun of the same search started from them.
    const kept = store.listServingSteps(killedTrial);
    assert.equal(kept.length, 2);
    const resumed = trials.find((t) => t.kind === 'capacity' && t.number > killed.number && configKey(t.config) === configKey(killed.config))!;
    assert.equal(resumed.state, 'complete');
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as StudyEvent);
    const windows = events.filter((e) => e.type === 'servingStep' && e.step !== null && e.trialId === resumed.id);
    // The runner numbers a resumed search's windows after the ones it was given.
    assert.ok(windows.length > 0 && windows.every((e) => e.type === 'servingStep' && e.index >= 2), JSON.stringify(windows.map((e) => e.type === 'servingStep' && e.index)));
    const offered = new Set(kept.map((s) => s.step.offeredRps));
    assert.ok(windows.every((e) => e.type === 'servingStep' && !offered.has(e.offeredRps)), 'no window measured twice');
  } finally {
    store.close();
  }
});
