import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTable, type MeasuredRun, type MeasuredTableFile } from '../../bench/table.js';
import { isAutotuneError } from '../../src/errors.js';
import { completeConfig, type TrialConfig } from '../../src/domain/config.js';

const config = (batch: number, baseline = false): TrialConfig => completeConfig({ processes: 1, threads: 2, numa: 'none', batch, smt: 'cores', spinning: true, baseline });
const run = (tps: number, p99Ms: number, sequence: number): MeasuredRun => ({ tps, p99Ms, noisy: sequence % 2 === 0, noiseReasons: sequence % 2 === 0 ? ['unstable'] : [], sequence, round: 1 + (sequence % 3), startedAt: '2026-11-27T10:00:00Z', load1: 1.5 });

function file(): MeasuredTableFile {
  return {
    name: 'tiny',
    description: 'test',
    synthetic: false,
    sloMs: null,
    measurement: {
      host: 'h', cpus: 2, cpuModel: 'cpu', onnxruntime: '1.30.0', model: 'builtin:mlp', startedAt: 'a', finishedAt: 'b', rounds: 3, orderSeed: 1, baselineEvery: 14,
      measure: { warmup: 0.3, minTime: 0.7, maxTime: 2, minSamples: 100, ci: 0.05 }, failures: [],
    },
    baseline: { config: config(1, true), runs: [run(900, 3, 0), run(950, 3.2, 4)] },
    rows: [
      { config: config(1), runs: [run(1000, 2, 1), run(400, 9, 2), run(1100, 2.5, 3)] },
      { config: config(2), runs: [run(1500, 4, 5), run(1600, 4.4, 6), run(1550, 3.9, 7)] },
    ],
  };
}

function withFile<T>(content: unknown, body: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-table-'));
  try {
    const path = join(dir, 'tiny.json');
    writeFileSync(path, JSON.stringify(content));
    return body(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a measured row is true at the median of its runs, and the replay draws those runs, each seed in its own order', () => {
  const table = withFile(file(), loadTable);
  const row = table.rows[0]!;
  assert.deepEqual(row.truth, { tps: 1000, p99Ms: 2.5 });
  const orders = new Set<string>();
  for (let seed = 1; seed <= 12; seed++) {
    const drawn = [1, 2, 3].map((k) => table.measure(row, k, seed));
    assert.deepEqual(drawn.map((d) => d.tps).sort((a, b) => a - b), [400, 1000, 1100], 'three measurements give the three runs');
    assert.deepEqual(table.measure(row, 4, seed), drawn[0], 'then it starts over');
    orders.add(drawn.map((d) => d.tps).join());
  }
  assert.ok(orders.size > 1, 'every seed drew the runs in the same order');
  assert.equal(table.measure(row, 2, 1).noisy, file().rows[0]!.runs.find((r) => r.tps === table.measure(row, 2, 1).tps)!.noisy);
  assert.match(table.truthNote, /ESTIMATES: the median of each configuration's 3 measured runs/);
  assert.ok(table.baseline.config.baseline);
});

test('a malformed or inconsistent table is one clear error naming the field', () => {
  const broken = file();
  (broken.rows[1]!.runs[0] as { p99Ms: unknown }).p99Ms = 'fast';
  const cases: Array<[unknown, RegExp]> = [
    [broken, /malformed at table\.rows\[1\]\.runs\[0\]\.p99Ms/],
    [{ ...file(), rows: [file().rows[0], file().rows[0]] }, /appears twice/],
    [{ ...file(), baseline: file().rows[0] }, /not a baseline configuration/],
    [{ ...file(), rows: [] }, /malformed at table\.rows/],
  ];
  for (const [content, message] of cases) {
    assert.throws(() => withFile(content, loadTable), (e: unknown) => isAutotuneError(e) && e.kind === 'input' && message.test(e.message) && !e.message.includes('\n'));
  }
  assert.throws(() => loadTable('/nonexistent/table.json'), /cannot read replay table \/nonexistent\/table\.json/);
});
