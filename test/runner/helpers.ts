import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { completeConfig, type TrialConfig } from '../../src/domain/config.js';
import type { MeasureSettings, ModelInfo, TrialRequest } from '../../src/runner/types.js';
import { disturbanceReasons, measureDisturbance, snapshotDisturbance, watchDisturbance } from '../../src/runner/disturbance.js';
import { WORKER_ENTRY } from '../../src/runner/worker-process.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { resolveModel } from '../../src/workload/resolve-model.js';

/** The repository root, wherever tsc put the compiled tests. */
export const REPO_ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

/** Small enough that one inference takes tens of microseconds: trials here measure the runner. */
export const TINY_MLP = 'builtin:mlp?in=32&hidden=64&layers=2&out=8';

const cacheDir = mkdtempSync(join(tmpdir(), 'autotune-runner-'));
export const modelCache = cacheDir;

let model: Promise<ModelInfo> | undefined;
export function tinyModel(): Promise<ModelInfo> {
  model ??= resolveModel(TINY_MLP, { cacheDir });
  return model;
}

/** Short trials: the suite runs on 2 CPUs and must stay fast. */
export const SHORT: MeasureSettings = { warmupMs: 300, minMs: 1000, maxMs: 1500, minSamples: 100, p99CiBound: 0.05 };

export function config(over: Partial<TrialConfig> = {}): TrialConfig {
  return completeConfig({ processes: 1, threads: 1, numa: 'none', batch: 1, smt: 'cores', spinning: true, baseline: false, ...over });
}

export async function request(over: Partial<TrialRequest> = {}): Promise<TrialRequest> {
  return {
    config: config(),
    model: await tinyModel(),
    inputs: { shapes: {}, values: {}, sampleFile: null },
    measure: SHORT,
    oversubscribe: false,
    topology: readTopology(),
    ...over,
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ESRCH');
    return false;
  }
}

/** Pids of every process whose command line runs the worker entry with this trial's tag. */
export function processesOfTrial(tag: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv.includes(WORKER_ENTRY) && argv.includes(tag)) found.push(Number(entry));
  }
  return found;
}

/** Right after runTrial settles, none of the trial's workers may exist any more. */
export function assertNothingLeft(pids: number[], tag: string): void {
  assert.ok(pids.length > 0, 'the trial reported no worker pids');
  for (const pid of pids) assert.equal(alive(pid), false, `worker pid ${pid} is still alive`);
  assert.deepEqual(processesOfTrial(tag), []);
}

/**
 * Waits until `cpus` have been quiet (others used less than a tenth of a CPU) over one second, so a
 * live test that judges a rate does not judge the rest of the suite instead; the suite runs two test
 * files at once on two CPUs. Returns the seconds it waited, or throws when they never were.
 */
export async function untilQuiet(cpus: number[], timeoutMs = 180_000): Promise<number> {
  const watch = watchDisturbance(cpus, []);
  const started = performance.now();
  let before = snapshotDisturbance(watch);
  for (;;) {
    await new Promise<void>((resolve) => setTimeout(resolve, 1000));
    const after = snapshotDisturbance(watch);
    const seen = measureDisturbance(watch, before, after);
    if (seen !== null && disturbanceReasons(seen).length === 0) return (performance.now() - started) / 1000;
    if (performance.now() - started > timeoutMs) throw new Error(`CPUs ${cpus.join(',')} were never quiet for a second in ${timeoutMs / 1000} s: ${disturbanceReasons(seen).join('; ')}`);
    before = after;
  }
}
