import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import test from 'node:test';
import Database from 'better-sqlite3';
import { configKey } from '../../src/domain/config.js';
import { openStore } from '../../src/store/index.js';
import type { StudyEvent } from '../../src/study/events.js';
import { tempDir, TINY_FLAGS } from './helpers.js';

const BIN = new URL('../../../bin/autotune.js', import.meta.url).pathname;
/** The tuner runs as pid 1 of a fresh PID namespace, as in a container; --mount-proc gives it the namespace's /proc. */
const UNSHARE = ['-p', '--fork', '--mount-proc'];
const STUDY = 'ns';
const ARGS = [...TINY_FLAGS, '--processes', '1,2', '--name', STUDY, '--json', '--db', 'autotune.db'];

const probe = spawnSync('unshare', [...UNSHARE, 'true'], { encoding: 'utf8' });
const skip = probe.status === 0 ? false : `unshare -p cannot make a PID namespace here (${(probe.error?.message ?? probe.stderr).trim()}): it needs root or user namespaces`;

function children(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

test('a tuner killed as pid 1 of its PID namespace leaves a lock the next pid 1 takes over once its heartbeat is silent', { skip }, async (t) => {
  const dir = tempDir();
  const first = spawn('unshare', [...UNSHARE, process.execPath, BIN, 'tune', ...ARGS], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  first.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => first.once('exit', () => resolve()));
  // Trial 1 (the baseline) is complete and trial 2 runs: kill the tuner, pid 1 in there, with SIGKILL.
  const lines = createInterface({ input: first.stdout });
  for await (const line of lines) {
    const event = JSON.parse(line) as StudyEvent;
    if (event.type === 'trialStarted' && event.number === 2) break;
  }
  const [tuner] = children(first.pid!);
  assert.ok(tuner !== undefined, `no tuner under unshare: ${stderr}`);
  // Hold the dead tuner's namespace open, as a container runtime would while it restarts the
  // container: otherwise the kernel may give its inode number to the next namespace, and that
  // tuner could prove the holder gone by its pid alone (safely: the old namespace is then dead).
  const namespace = openSync(`/proc/${tuner}/ns/pid`, 'r');
  t.after(() => closeSync(namespace));
  process.kill(tuner, 'SIGKILL');
  // unshare's own exit status after its child's SIGKILL differs between util-linux versions: check the tuner.
  await exited;
  assert.equal(existsSync(`/proc/${tuner}`), false);

  const db = new Database(join(dir, 'autotune.db'), { readonly: true });
  const lock = db.prepare('SELECT pid, pid_ns FROM study_locks').get() as { pid: number; pid_ns: string };
  db.close();
  assert.equal(lock.pid, 1);
  assert.match(lock.pid_ns, /^pid:\[\d+\]$/);

  // The next tuner is pid 1 too, in a namespace of its own: the old pid cannot be checked, the lease decides.
  const refused = spawnSync('unshare', [...UNSHARE, process.execPath, BIN, 'tune', ...ARGS], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(refused.status, 6, refused.stderr);
  assert.match(refused.stderr, /^autotune: study 'ns' is already being tuned by autotune pid 1 in another PID namespace \(container\) on this host since \S+, last heard from \d+ s ago: .*silent for 30 s and its lock is taken over\n$/);

  // As 31 s later: the killed tuner's heartbeat has been silent past the lease.
  const edit = new Database(join(dir, 'autotune.db'));
  edit.prepare('UPDATE study_locks SET heartbeat_at = ?').run(new Date(Date.now() - 31_000).toISOString());
  edit.close();
  const resumed = spawnSync('unshare', [...UNSHARE, process.execPath, BIN, 'tune', ...ARGS], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(resumed.status, 0, resumed.stderr);
  const events = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as StudyEvent);
  assert.ok(events.some((e) => e.type === 'warning' && /^took over the lock of a tuner that died \(pid 1 on /.test(e.message)), resumed.stdout);
  assert.ok(events.at(-1)?.type === 'studyFinished');

  const store = openStore(join(dir, 'autotune.db'), { readonly: true });
  const trials = store.listTrials(store.getStudy(STUDY)!.id);
  store.close();
  // The search measured each configuration once (its confirmation runs come after).
  const complete = trials.filter((t) => t.state === 'complete' && t.kind !== 'confirm' && t.pairedWith === null).map((t) => configKey(t.config));
  assert.deepEqual([...complete].sort(), ['baseline/b1', 'p1/t1/none/b1/cores/spin', 'p2/t1/none/b1/cores/spin']);
  assert.deepEqual(trials.filter((t) => t.state !== 'complete').map((t) => t.state), ['interrupted']);
});
