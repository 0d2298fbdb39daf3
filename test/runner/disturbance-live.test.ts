import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import test from 'node:test';
import { runTrial } from '../../src/runner/index.js';
import { trialCpus } from '../../src/runner/disturbance.js';
import type { TrialResult } from '../../src/domain/results.js';
import { parseCpuList } from '../../src/topology/cpulist.js';
import { OTHERS_CPU_LIMIT } from '../../src/topology/cpustat.js';
import { config, request } from './helpers.js';

/**
 * Spins on one CPU (taskset) until killed; it also leaves by itself when its parent, the test,
 * is gone, so a killed test run strands nothing.
 */
const BURN = `process.stdout.write('burning\\n'); const parent = process.ppid; for (;;) { for (let i = 0; i < 1e7; i++); if (process.ppid !== parent) process.exit(0); }`;

async function startBurner(cpu: number): Promise<ChildProcess> {
  const child = spawn('taskset', ['-c', String(cpu), process.execPath, '-e', BURN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => ['exited'])])) as [Buffer | string];
  assert.equal(String(line).trim(), 'burning', 'the burner did not start');
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  assert.deepEqual(parseCpuList(/^Cpus_allowed_list:\s*(.*)$/m.exec(status)![1]!), [cpu], 'the burner is pinned where the test put it');
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/**
 * CPU time of every process but this one, children's reaped time included (so processes that
 * start and end in between still count), read independently of /proc/stat.
 */
function everyoneElse(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // utime stime cutime cstime are fields 14-17; fields count from the last ')' of comm.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    out.set(Number(entry), [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * 10);
  }
  return out;
}

function usedSince(before: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of everyoneElse()) ms += Math.max(0, now - (before.get(pid) ?? 0));
  return ms;
}

const cpusWorth = (r: TrialResult): number => r.disturbance!.othersMs / r.disturbance!.windowMs;

test('a trial next to a process burning one of its CPUs is flagged disturbed; the same trial alone is not', async (t) => {
  const base = await request();
  const trial = await request({ config: config({ processes: Math.min(2, base.topology.allowed.cpus.length) }) });

  const others = everyoneElse();
  const alone = await runTrial(trial);
  const elsewhereMs = usedSince(others);
  const d = alone.disturbance!;
  t.diagnostic(`alone: others ${d.othersMs.toFixed(0)} ms = ${cpusWorth(alone).toFixed(3)} CPUs of ${d.cpus} in ${d.windowMs.toFixed(0)} ms; other processes used ${elsewhereMs} ms over the whole trial`);
  // What the trial calls others' time is at most what other processes used around it, whatever
  // else shares this machine: the workers' own time is not counted. Ticks and interrupts add a little.
  const slackMs = 20 * d.cpus.length + 0.02 * d.windowMs * d.cpus.length;
  assert.ok(d.othersMs <= elsewhereMs + slackMs, `others ${d.othersMs} ms, yet other processes used only ${elsewhereMs} ms`);
  if (elsewhereMs + slackMs <= OTHERS_CPU_LIMIT * d.windowMs) {
    assert.ok(!alone.noiseReasons.some((r) => r.startsWith('disturbed')), alone.noiseReasons.join('\n'));
  } else {
    t.diagnostic(`other processes were busy during the lone trial (${elsewhereMs} ms): its flag ${alone.noiseReasons.some((r) => r.startsWith('disturbed'))} is theirs`);
  }

  const cpu = trialCpus(alone.plan.workers).at(-1)!;
  const burner = await startBurner(cpu);
  let burned: TrialResult;
  try {
    burned = await runTrial(trial);
  } finally {
    await stop(burner);
  }
  const b = burned.disturbance!;
  t.diagnostic(`next to a burner on CPU ${cpu}: others ${b.othersMs.toFixed(0)} ms = ${cpusWorth(burned).toFixed(3)} CPUs in ${b.windowMs.toFixed(0)} ms`);
  assert.ok(b.cpus.includes(cpu));
  assert.ok(cpusWorth(burned) > OTHERS_CPU_LIMIT, `others ${cpusWorth(burned)} CPUs`);
  assert.equal(burned.noisy, true);
  const reason = burned.noiseReasons.find((r) => r.startsWith('disturbed: other processes used'));
  assert.ok(reason, burned.noiseReasons.join('\n'));
  assert.ok(reason.includes(`${cpusWorth(burned).toFixed(2)} CPUs of the trial's CPUs`), reason);
});
