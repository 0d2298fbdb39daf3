import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A separate tuner process for the lock and durability tests: it opens the store, creates study
 * 'night' (or finds it), takes its lock, completes `complete` trials, starts one more, prints
 * `ready <studyId> <runningTrialId>` and then either waits to be killed ('hang') or exits without
 * closing anything ('exit'), as a crashed tuner would.
 */
const CHILD = `
const [storeUrl, fixturesUrl, path, complete, mode] = process.argv.slice(1);
const { openStore } = await import(storeUrl);
const { config, fingerprint, topology, trialResult } = await import(fixturesUrl);
const store = openStore(path);
const machineId = store.upsertMachine(fingerprint, topology);
const study = store.getStudy('night') ??
  store.createStudy({ name: 'night', definition: { strategy: 'grid' }, modelPath: 'm.onnx', modelSha256: 'ab', machineId });
store.acquireStudyLock(study.id);
for (let i = 1; i <= Number(complete); i++) {
  const c = config({ batch: i });
  const trial = store.createTrial(study.id, { config: c, reason: 'grid', kind: 'search' });
  store.completeTrial(trial.id, trialResult(c, i));
}
const running = store.createTrial(study.id, { config: config({ batch: 1000 }), reason: 'grid', kind: 'search' });
process.stdout.write('ready ' + study.id + ' ' + running.id + '\\n');
if (mode === 'hang') setInterval(() => {}, 60000);
else process.exit(0);
`;

export interface Tuner {
  child: ChildProcess;
  studyId: number;
  runningTrialId: number;
  /** Resolves with the signal (or exit code) once the process is gone and reaped. */
  exited: Promise<NodeJS.Signals | number | null>;
}

export async function startTuner(path: string, complete: number, mode: 'hang' | 'exit'): Promise<Tuner> {
  const storeUrl = new URL('../../src/store/index.js', import.meta.url).href;
  const fixturesUrl = new URL('./fixtures.js', import.meta.url).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, storeUrl, fixturesUrl, path, String(complete), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<string | null>((resolve) => {
    lines.once('line', resolve);
    lines.once('close', () => resolve(null));
  });
  const match = ready === null ? null : /^ready (\d+) (\d+)$/.exec(ready);
  if (match === null) {
    await exited;
    throw new Error(`tuner child did not get ready: ${ready ?? ''} ${stderr}`);
  }
  return { child, studyId: Number(match[1]), runningTrialId: Number(match[2]), exited };
}
