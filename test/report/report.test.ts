import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { buildReport, kneeOf, renderCompareText, renderCsv, renderJson, renderMarkdown, renderText, selectStudy } from '../../src/report/index.js';
import type { Report } from '../../src/report/index.js';
import { describeStudy, strategyLabel } from '../../src/report/describe-study.js';
import { openStore, type Store, type StudyRecord } from '../../src/store/index.js';
import { parseStudy } from '../../src/domain/study.js';
import { summarizeTrials } from '../../src/study/summary.js';
import { FIXTURE, fixtureMachine, otherMachine, writeReportFixture } from '../fixtures/report/build-db.js';
import { topology } from '../store/fixtures.js';

let dir: string;
let store: Store;
let report: Report;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-report-'));
  writeReportFixture(join(dir, 'fixture.db'));
  store = openStore(join(dir, 'fixture.db'), { readonly: true });
  report = buildReport(store, selectStudy(store, 'fixture'), { here: fixtureMachine });
});

after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

test('the front holds the non-dominated configurations, repeats averaged, and counts the dominated', () => {
  assert.deepEqual(report.front.map((p) => p.label), FIXTURE.frontLabels);
  assert.equal(report.counts.configurations, FIXTURE.configurations);
  assert.equal(report.dominated, FIXTURE.dominated);
  const repeated = report.front[1]!;
  assert.equal(repeated.trialIds.length, 2);
  close(repeated.tps, FIXTURE.slo.tps, 'mean TPS of the repeated configuration');
  close(repeated.p99Ms, FIXTURE.slo.p99, 'mean p99 of the repeated configuration');
  assert.deepEqual(repeated.p99Ci, [3 * 0.95, 3.2 * 1.05], 'CI envelope of both measurements');
  assert.equal(report.counts.spaceSize, FIXTURE.spaceSize);
});

test('recommendations: highest TPS under the SLO, lowest p99 and the knee, each with its gain over the baseline', () => {
  const byPick = Object.fromEntries(report.recommendations.map((r) => [r.pick, r]));
  for (const pick of ['slo', 'latency', 'knee'] as const) {
    const expected = FIXTURE[pick];
    const rec = byPick[pick]!;
    assert.equal(rec.point.label, expected.label, pick);
    // Every pick runs at batch 1, the baseline's: its placement gain is its total gain.
    const gain = rec.gain!.total!;
    assert.equal(rec.gain!.placement, gain);
    close(gain.tps.ratio, expected.tps / FIXTURE.baseline.tps, `${pick} TPS gain`);
    close(gain.p99.ratio, expected.p99 / FIXTURE.baseline.p99, `${pick} p99 ratio`);
    close(gain.tpsDelta, expected.tps - FIXTURE.baseline.tps, `${pick} TPS delta`);
    // The fixture has no confirmation runs: the ratio is of the two medians, without an interval.
    assert.deepEqual([gain.tps.pairs, gain.tps.ci], [0, null]);
    assert.match(rec.reason, /^[^\n]+$/);
  }
  assert.match(renderText(report), /placement = total gain \(vs baseline b1, the batch run today\): 1\.80x TPS \(unpaired, no CI\), p99 1\.13x the baseline's \(\+0\.500 ms, slower\) \(unpaired, no CI\)$/m);
  assert.match(renderText(report), /: 0\.60x TPS \(unpaired, no CI\), p99 0\.50x the baseline's \(-2\.00 ms, faster\)/m);
  assert.match(byPick['slo']!.reason, /closed-loop p99 meets the 4\.00 ms SLO/);
  assert.match(byPick['slo']!.reason, /no capacity was measured open loop/);
});

test('the SLO pick is the winner the end-of-study summary of tune names', () => {
  const summary = summarizeTrials(store.listTrials(report.study.id), store.listStudyServingSteps(report.study.id), FIXTURE.sloMs, 1);
  const slo = report.recommendations.find((r) => r.pick === 'slo')!;
  assert.equal(summary.best?.trialId, slo.point.trialId);
  assert.deepEqual(summary.front.map((p) => p.trialId), report.front.map((p) => p.trialId));
});

test('the knee is the front point nearest the ideal corner after scaling', () => {
  const point = (tps: number, p99Ms: number) => ({ ...report.front[0]!, tps, p99Ms });
  const front = [point(100, 1), point(900, 2), point(1000, 10)];
  assert.equal(kneeOf(front), front[1]);
  assert.equal(kneeOf([front[0]!]), front[0]);
  assert.equal(kneeOf([]), null);
});

test('effects give best and median per level, the baseline left out', () => {
  const numa = report.effects.find((e) => e.parameter === 'numa')!;
  assert.deepEqual(numa.levels.map((l) => [l.level, l.configurations, l.bestTps, l.medianTps]), [
    ['local', 3, 2600, 1800],
    ['none', 3, 1500, 1150],
  ]);
  assert.match(numa.finding!, /^numa: local allowed the highest TPS/);
  const processes = report.effects.find((e) => e.parameter === 'processes')!;
  assert.deepEqual(processes.levels.map((l) => l.level), ['1', '2']);
  assert.equal(report.effects.find((e) => e.parameter === 'spinning')!.finding, null, 'one level measured: nothing to compare');
});

test('warnings: unconfirmed picks, noisy front point, unverified placement, drift, failures and coverage; no machine warning here', () => {
  const kinds = report.warnings.map((w) => w.kind);
  assert.deepEqual(kinds, ['unconfirmed', 'noisy', 'unverified', 'drift', 'failed', 'coverage']);
  // The fixture has no confirmation runs: its three picks are single measurements.
  assert.match(report.warnings[0]!.message, /^3 pick\(s\) not measured again beside the baseline yet \(p1 t2 none b1 spin trial \d+, p1 t1 none b1 spin trial \d+, p2 t1 local b1 spin trial \d+\)/);
  assert.match(report.warnings[1]!.message, /p2 t1 local b1 spin trial 4/);
  assert.match(report.warnings[2]!.message, /worker 0 thread 50000/);
  const elsewhere = buildReport(store, selectStudy(store, 'fixture'), { here: otherMachine });
  assert.equal(elsewhere.machine.sameAsHere, false);
  assert.match(elsewhere.warnings.find((w) => w.kind === 'machine')!.message, /another machine .*0123456789abcdef; this one is fedcba9876543210/);
});

test('no configuration meeting the SLO: no SLO pick, and a message that says so and what to do', () => {
  const strict = buildReport(store, selectStudy(store, 'strict'), { here: fixtureMachine });
  assert.deepEqual(strict.recommendations.map((r) => r.pick), ['latency', 'knee']);
  const message = strict.warnings.find((w) => w.kind === 'slo')!.message;
  assert.match(message, /no configuration meets the 1\.00 ms SLO: the lowest p99 measured is 2\.50 ms/);
  assert.match(renderText(strict), /slo {5}none: no configuration meets/);
});

test('the machine checks tune stored with the study are repeated, the warnings only', () => {
  const strict = buildReport(store, selectStudy(store, 'strict'), { here: fixtureMachine });
  const repeated = strict.warnings.filter((w) => w.kind === 'machine-check');
  assert.deepEqual(repeated.map((w) => w.message), [
    'governor: powersave on CPUs 0-1; the clock follows the load; fix: cpupower frequency-set -g performance (found when tune last started this study)',
  ]);
  assert.match(renderText(strict), /! governor: powersave on CPUs 0-1;/);
  assert.ok(!report.warnings.some((w) => w.kind === 'machine-check'), 'study "fixture" stored no checks');
});

test('no completed trial and unknown studies are one-line errors', () => {
  assert.throws(() => buildReport(store, selectStudy(store, 'empty'), { here: null }), {
    name: 'AutotuneError',
    message: /^study "empty" has no completed trial yet \(1 failed; the first: model failed to load\): nothing to report; run autotune tune --study empty$/,
  });
  assert.throws(() => selectStudy(store, 'nope'), { message: /no study named "nope" in .*; studies there: fixture, strict, empty$/ });
  assert.equal(selectStudy(store, null).name, 'empty', 'the most recently active study by default');
});

test('formats: JSON round-trips with its schema, CSV has one row per trial, Markdown and text carry the front', () => {
  const json = JSON.parse(renderJson(report)) as Report;
  assert.equal(json.schema, 'autotune.report/2');
  assert.deepEqual(json.front.map((p) => p.trialId), report.front.map((p) => p.trialId));
  const csv = renderCsv([report]).trimEnd().split('\r\n');
  assert.equal(csv.length, 1 + report.counts.trials);
  assert.ok(csv[0]!.startsWith('study,trial_id,number,kind,state'));
  const failed = csv.find((row) => row.includes(',failed,'))!;
  assert.match(failed, /,worker 0 exited with code 1$/);
  const onFront = csv[0]!.split(',').indexOf('on_front');
  assert.ok(onFront > 0);
  assert.equal(csv.filter((row) => row.split(',')[onFront] === 'true').length, report.front.length, 'on_front column');
  const md = renderMarkdown(report);
  for (const label of FIXTURE.frontLabels) assert.ok(md.includes(`| ${label} |`), label);
  const text = renderText(report);
  assert.match(text, /Pareto front, p99 vs TPS \(closed loop: p99 is service time at saturation, no queueing\): 4 configuration\(s\) on it, 3 dominated/);
  const compare = renderCompareText([report, buildReport(store, selectStudy(store, 'strict'), { here: null })]);
  assert.match(compare, /^ +fixture +strict$/m);
  assert.match(compare, /^slo: config +p1 t2 none b1 spin +none$/m);
});

test('the headline names the model as the user did, the strategy run, and counts the space apart from the baseline', () => {
  assert.equal(report.study.model, 'builtin:mlp');
  assert.equal(report.study.modelPath, '/models/mlp.onnx');
  assert.equal(report.counts.searched, FIXTURE.configurations - 1);
  const [study, counts] = renderText(report).split('\n');
  assert.equal(study, 'Study fixture (complete, grid): model builtin:mlp, SLO p99 <= 4.00 ms');
  assert.match(counts!, /; 6 configuration\(s\) measured of 12 in the space, plus the baseline$/);
});

test('describeStudy: auto resolves as the loop does, a path model keeps the file it resolved to', () => {
  const record = (definition: Record<string, unknown>, modelPath: string): StudyRecord => ({
    id: 1, name: 's', definition: parseStudy({ name: 's', ...definition }), modelPath, modelSha256: 'ab', machineId: 1, createdAt: '', state: 'complete', strategyUsed: null, strategyReason: null, machineChecks: [],
  });
  const space = { processes: [1, 2], threads: [1, 2], numa: ['none', 'local'], batch: [1, 8] }; // 12 feasible on 2 CPUs
  const wide = describeStudy(record({ space }, '/cache/mlp-1.onnx'), topology);
  assert.deepEqual([wide.model, wide.strategy, wide.strategyUsed, wide.space?.size], ['builtin:mlp', 'auto', 'grid', 12]);
  assert.equal(strategyLabel(wide.strategy, wide.strategyUsed), 'auto (grid)');
  const tight = describeStudy(record({ space, budget: { trials: 5 } }, '/cache/mlp-1.onnx'), topology);
  assert.equal(strategyLabel(tight.strategy, tight.strategyUsed), 'auto (bayes)');
  const named = describeStudy(record({ space, strategy: 'random', model: 'models/m.onnx' }, '/work/models/m.onnx'), null);
  assert.deepEqual([named.model, strategyLabel(named.strategy, named.strategyUsed)], ['models/m.onnx (/work/models/m.onnx)', 'random']);
  assert.equal(describeStudy(record({ model: '/work/m.onnx' }, '/work/m.onnx'), null).model, '/work/m.onnx');
  assert.equal(describeStudy({ ...record({}, '/x.onnx'), definition: { old: true } }, topology).model, '/x.onnx', 'unreadable definition: the file');
});
