/**
 * `npm run bench:repeat`: is a recommendation one the same study on the same machine would make
 * again? Runs the default study (or BENCH_STUDY) twice, each into its own database, and for each
 * pick prints whether the two runs recommend the same configuration, or one inside the other's
 * confidence interval (the other's choice measured no differently, as far as this study can tell).
 * With BENCH_PAIRS=N it makes N such pairs and prints how many agree; target: 9 in 10.
 * Also prints each study's baseline runs and their spread.
 *
 *   npm run bench:repeat            (BENCH_STUDY=studies/x.yaml, BENCH_PAIRS=10)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { standardDeviation, mean } from 'simple-statistics';
import { buildReport, PICK_KINDS, type PickKind, type Report, type ReportPoint } from '../src/report/index.js';
import { configKey } from '../src/domain/config.js';
import { openStore } from '../src/store/index.js';
import { readStudyFile } from '../src/study/file.js';
import { runStudy } from '../src/study/loop.js';
import { parseStudy } from '../src/domain/study.js';

const STUDY = process.env.BENCH_STUDY ?? 'studies/default.yaml';
const PAIRS = Number(process.env.BENCH_PAIRS ?? 1);
const TARGET = 0.9;

async function runOnce(dir: string, label: string): Promise<Report> {
  const definition = parseStudy(readStudyFile(resolve(STUDY)), STUDY);
  const dbPath = join(dir, `${label}.db`);
  const started = Date.now();
  await runStudy({ definition, dbPath, cacheDir: process.env.AUTOTUNE_CACHE ?? resolve('.autotune', 'models') });
  const store = openStore(dbPath, { readonly: true });
  try {
    const report = buildReport(store, store.getStudy(definition.name)!, { here: null });
    const baselines = store.listTrials(report.study.id).filter((t) => t.state === 'complete' && t.config.baseline && t.config.batch === report.userBatch);
    const tps = baselines.map((t) => t.tps!);
    const spread = tps.length > 1 ? standardDeviation(tps) / mean(tps) : 0;
    console.log(`  ${label}: ${report.counts.trials} trials in ${((Date.now() - started) / 60000).toFixed(1)} min; baseline b${report.userBatch} runs (samples/s, p99 ms): ` +
      `${baselines.map((t) => `${t.tps!.toFixed(0)}/${t.p99Ms!.toFixed(2)}`).join(' ')}; spread (CV of TPS) ${(spread * 100).toFixed(1)}%`);
    for (const r of report.recommendations) console.log(`    ${r.pick.padEnd(7)} ${r.point.label}${r.capacity ? `, capacity ${r.capacity.capacityRps?.toFixed(0) ?? 'none'} req/s` : ''}`);
    return report;
  } finally {
    store.close();
  }
}

/** Whether run `b`'s pick measured, in run `a`, inside the interval of `a`'s own pick. */
function inside(a: Report, b: Report, pick: PickKind): boolean {
  const mine = a.recommendations.find((r) => r.pick === pick);
  const theirs = b.recommendations.find((r) => r.pick === pick);
  if (!mine || !theirs) return !mine && !theirs;
  const key = configKey(theirs.point.config);
  if (configKey(mine.point.config) === key) return true;
  if (pick === 'slo' && mine.capacity !== null) {
    const other = a.capacities.find((c) => configKey(c.config) === key);
    return other !== undefined && other.bracket[1] >= mine.capacity.bracket[0] && other.bracket[0] <= mine.capacity.bracket[1];
  }
  const other: ReportPoint | undefined = a.points.find((p) => configKey(p.config) === key);
  const gain = mine.gain?.placement ?? mine.gain?.total ?? null;
  if (other === undefined || gain === null) return false;
  const estimate = pick === 'latency' ? gain.p99 : gain.tps;
  if (estimate.ci === null) return false;
  const [low, high] = [estimate.ci[0] / estimate.ratio, estimate.ci[1] / estimate.ratio];
  const value = pick === 'latency' ? other.p99Ms / mine.point.p99Ms : other.tps / mine.point.tps;
  return value >= low && value <= high;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-bench-repeat-'));
  const agreed = new Map<PickKind, number>(PICK_KINDS.map((p) => [p, 0]));
  try {
    console.log(`${STUDY} run twice per pair, ${PAIRS} pair(s), one after the other on this machine`);
    for (let pair = 1; pair <= PAIRS; pair++) {
      const a = await runOnce(dir, `pair${pair}-a`);
      const b = await runOnce(dir, `pair${pair}-b`);
      for (const pick of PICK_KINDS) {
        const same = a.recommendations.find((r) => r.pick === pick)?.point.label === b.recommendations.find((r) => r.pick === pick)?.point.label;
        const ok = same || inside(a, b, pick) || inside(b, a, pick);
        if (ok) agreed.set(pick, agreed.get(pick)! + 1);
        console.log(`  pair ${pair} ${pick}: ${same ? 'the same configuration' : ok ? "different, but inside the other's interval" : 'DISAGREE'}`);
      }
    }
    for (const pick of PICK_KINDS) {
      const share = agreed.get(pick)! / PAIRS;
      console.log(`${pick}: ${agreed.get(pick)} of ${PAIRS} pair(s) agree (target ${TARGET * 100}%: ${share >= TARGET ? 'met' : PAIRS < 10 ? 'too few pairs to judge' : 'NOT met'})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
