/**
 * What the instrument costs: autotune's runTrial against a minimal independent loop over the same
 * model (plain onnxruntime-node in a child process, pinned the same way with taskset, same thread
 * settings, no autotune code), paired round by round in one run. Target: autotune's TPS at
 * most 3% below the plain loop's, at a model size where one inference takes about 1 ms.
 *
 * Two ratios are printed. Wall-clock TPS is the figure users see, but on a shared machine it
 * mostly measures the neighbours. Inferences per CPU-second of the measuring process (all its
 * threads) is what the instrument's own work would lower, and it barely moves when other load
 * steals time; the verdict uses it. On a quiet machine the two agree.
 *
 *   npm run bench:trial            (BENCH_ROUNDS, BENCH_WINDOW_S, BENCH_MODEL override the defaults)
 */
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from 'simple-statistics';
import { AutotuneError } from '../src/errors.js';
import { planPlacement } from '../src/placement/index.js';
import { completeConfig, type TrialConfig } from '../src/domain/config.js';
import { runTrial } from '../src/runner/index.js';
import { formatCpuList } from '../src/topology/cpulist.js';
import { readTopology } from '../src/topology/read-topology.js';
import { inspectModel, planInputs, resolveModel } from '../src/workload/index.js';
import { PLAIN_SESSION } from './plain-session.js';

const MODEL = process.env.BENCH_MODEL ?? 'builtin:mlp?in=1024&hidden=1536&layers=3';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_S ?? 3) * 1000;
const WARMUP_MS = 1000;
const TARGET_COST = 0.03;

/** `node -e` resolves 'onnxruntime-node' from its working directory: anywhere inside the package. */
const HERE = dirname(fileURLToPath(import.meta.url));

/** The plain loop: nothing but onnxruntime-node, the same session options, back-to-back runs. */
const PLAIN_LOOP = `
import * as ort from 'onnxruntime-node';
const [path, inputsJson, warmupMs, windowMs] = process.argv.slice(1);
${PLAIN_SESSION}const warmEnd = performance.now() + Number(warmupMs);
while (performance.now() < warmEnd) await session.run(feeds);
const cpu = process.cpuUsage();
const start = performance.now();
const end = start + Number(windowMs);
let now = start;
let inferences = 0;
while (now < end) {
  await session.run(feeds);
  inferences++;
  now = performance.now();
}
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ inferences, ms: now - start, cpuMs: (used.user + used.system) / 1000 }));
`;

interface Run {
  inferences: number;
  ms: number;
  cpuMs: number;
}

async function plainRun(cpus: number[], modelPath: string, inputs: Record<string, number[]>): Promise<Run> {
  const { stdout } = await promisify(execFile)(
    'taskset',
    ['-c', formatCpuList(cpus), process.execPath, '--input-type=module', '-e', PLAIN_LOOP, modelPath, JSON.stringify(inputs), String(WARMUP_MS), String(WINDOW_MS)],
    { cwd: HERE },
  );
  return JSON.parse(stdout) as Run;
}

const perSecond = (r: Run): number => r.inferences / (r.ms / 1000);
const perCpuSecond = (r: Run): number => r.inferences / (r.cpuMs / 1000);

async function main(): Promise<void> {
  const topology = readTopology();
  const config = completeConfig({ processes: 1, threads: 1, numa: 'none', batch: 1, smt: 'cores', spinning: true, baseline: false });
  const model = await resolveModel(MODEL, { cacheDir: process.env.AUTOTUNE_CACHE ?? resolve('.autotune', 'models') });
  const inputPlan = planInputs(await inspectModel(model.path), { shapes: {}, values: {}, sampleFile: null }, 1);
  const nonFloat = inputPlan.inputs.find((i) => i.elementType !== 'float32');
  if (nonFloat) throw new AutotuneError('usage', `the plain loop feeds float32 only; ${MODEL} input ${nonFloat.name} is ${nonFloat.elementType}`);
  const inputs = Object.fromEntries(inputPlan.inputs.map((i) => [i.name, i.dims]));
  const cpus = planPlacement(config, topology, { oversubscribe: false, pinning: true }).workers[0]!.cpus;

  console.log(`model ${model.name}; P=1 T=1 batch 1 on CPU ${formatCpuList(cpus)}; ${ROUNDS} rounds of ${WINDOW_MS / 1000} s windows`);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate the order: the load of a shared machine drifts, and pairs measured back to back
    // see nearly the same background, so the median of per-round ratios is the robust figure.
    const autotuneRun = async (): Promise<Run> => {
      const result = await runTrial({
        config,
        model,
        inputs: { shapes: {}, values: {}, sampleFile: null },
        measure: { warmupMs: WARMUP_MS, minMs: WINDOW_MS, maxMs: WINDOW_MS, minSamples: 1, p99CiBound: 1 },
        oversubscribe: false,
        topology,
      });
      if (!result.verification.verified) console.log(`  read-back NOT verified: ${result.verification.mismatches.join('; ')}`);
      const w = result.workers[0]!;
      return { inferences: w.inferences, ms: (w.inferences / w.tps) * 1000, cpuMs: w.cpuTimeMs };
    };
    let plain: Run;
    let autotune: Run;
    if (round % 2 === 1) {
      plain = await plainRun(cpus, model.path, inputs);
      autotune = await autotuneRun();
    } else {
      autotune = await autotuneRun();
      plain = await plainRun(cpus, model.path, inputs);
    }
    wall.push(perSecond(autotune) / perSecond(plain));
    cpu.push(perCpuSecond(autotune) / perCpuSecond(plain));
    console.log(
      `round ${round}: plain ${perSecond(plain).toFixed(1)}/s (${perCpuSecond(plain).toFixed(1)} per CPU-s), ` +
        `autotune ${perSecond(autotune).toFixed(1)}/s (${perCpuSecond(autotune).toFixed(1)} per CPU-s)`,
    );
  }
  const describe = (ratios: number[]): string =>
    `${median(ratios).toFixed(4)} (rounds ${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)})`;
  console.log(`autotune/plain, wall-clock TPS:         ${describe(wall)}`);
  console.log(`autotune/plain, inferences per CPU-s:   ${describe(cpu)}`);
  const cost = 1 - median(cpu);
  console.log(`instrument cost ${(cost * 100).toFixed(2)}% (target <= ${TARGET_COST * 100}%): ${cost <= TARGET_COST ? 'within target' : 'ABOVE TARGET'}`);
}

await main();
