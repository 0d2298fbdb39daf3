import { cpus, hostname } from 'node:os';
import { resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { isAutotuneError } from '../src/errors.js';
import { runTrial } from '../src/runner/index.js';
import type { TrialResult } from '../src/runner/types.js';
import { buildSpace } from '../src/search/space.js';
import { configKey } from '../src/search/strategy.js';
import { inputOptions, measureSettings, parseStudy } from '../src/study/schema.js';
import { readTopology } from '../src/topology/read-topology.js';
import { resolveModel } from '../src/workload/index.js';
import type { ReplayTable } from './table.js';

/**
 * Measures a small exhaustive table on this machine with a built-in model, for the search
 * benchmark's real replay: every configuration of the space below, one real pinned trial each.
 *   node dist/bench/measure-table.js [name] [sloMs]   ->  bench/data/<name>.json
 * Short windows keep it to a few minutes on 2 CPUs; the trial runner's noisy flag is kept. A trial
 * that fails twice is left out of the table (a replayed strategy then never sees it).
 */
const name = process.argv[2] ?? `real-${hostname()}`;
const sloMs = process.argv[3] === undefined ? null : Number(process.argv[3]);

const definition = parseStudy({
  name: 'bench-table',
  model: 'builtin:mlp',
  space: { processes: [1, 2], threads: [1, 2], numa: ['none', 'local'], batch: [1, 2, 4, 8, 16, 32, 64], spinning: ['on', 'off'] },
  measure: { warmup: 0.3, minTime: 0.7, maxTime: 2, minSamples: 100, ci: 0.05 },
});
const topology = readTopology();
const { configs } = buildSpace(definition, topology);
const model = await resolveModel(definition.model.spec, { cacheDir: resolve('.autotune', 'models') });

async function measure(config: (typeof configs)[number]): Promise<TrialResult | null> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return await runTrial({ config, model, inputs: inputOptions(definition), measure: measureSettings(definition), oversubscribe: false, topology });
    } catch (e) {
      if (!isAutotuneError(e) || e.kind !== 'trial') throw e;
      process.stderr.write(`${configKey(config)} failed (attempt ${attempt}): ${e.message}\n`);
    }
  }
  return null;
}

const rows: ReplayTable['rows'] = [];
for (const [i, config] of configs.entries()) {
  const result = await measure(config);
  if (result === null) continue;
  rows.push({ config, tps: result.tps, p99Ms: result.latency.p99, noisy: result.noisy });
  process.stderr.write(`${i + 1}/${configs.length} ${configKey(config)} ${result.tps.toFixed(0)}/s p99 ${result.latency.p99.toFixed(3)} ms${result.noisy ? ' noisy' : ''}\n`);
}

const table: ReplayTable = {
  name,
  description: `measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown CPU'}), ${model.name}, bench/measure-table.ts`,
  synthetic: false,
  sloMs,
  rows,
};
const path = resolve('bench', 'data', `${name}.json`);
writeFileSync(path, `${JSON.stringify(table, null, 1)}\n`);
process.stderr.write(`wrote ${path}\n`);
