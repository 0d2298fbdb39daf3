import test from 'node:test';
import assert from 'node:assert/strict';
import { completeConfig, type TrialConfig } from '../../src/domain/config.js';
import { paretoFront } from '../../src/search/pareto.js';
import { MARKS, scatterRows } from '../../src/ui/plot.js';
import type { PlotPoint } from '../../src/ui/state.js';

const config = (processes: number, baseline = false): TrialConfig => completeConfig({ processes, threads: 1, numa: 'none', batch: 1, smt: 'cores', spinning: true, baseline });

function points(raw: Array<[number, number, boolean?]>): PlotPoint[] {
  const base = raw.map(([tps, p99Ms, baseline], i) => ({ trialId: i + 1, config: config(i + 1, baseline ?? false), tps, p99Ms }));
  const front = new Set(paretoFront(base));
  return base.map((p) => ({ ...p, onFront: front.has(p) }));
}

const text = (rows: ReturnType<typeof scatterRows>): string[] => rows.map((r) => r.map((s) => s.text).join(''));
const grid = (lines: string[]): string[] => lines.slice(1, -2).map((l) => l.slice(l.indexOf('│') + 1));

test('front points are marked, others not, every line within the width', () => {
  const pts = points([[100, 20, true], [400, 10], [300, 30], [800, 15], [200, 40]]);
  for (const width of [40, 60, 120]) {
    const lines = text(scatterRows(pts, { width, height: 10, sloMs: null }));
    for (const line of lines) assert.ok(line.length <= width, `"${line}" within ${width}`);
    const cells = grid(lines).join('');
    assert.equal([...cells].filter((c) => c === MARKS.front).length, pts.filter((p) => p.onFront).length);
    assert.equal([...cells].filter((c) => c === MARKS.baseline).length, 1);
    assert.equal([...cells].filter((c) => c === MARKS.point).length, 2);
  }
});

test('the highest-TPS point sits at the right edge, the lowest p99 on the bottom row', () => {
  const lines = grid(text(scatterRows(points([[100, 20], [800, 5], [400, 50]]), { width: 60, height: 8, sloMs: null })));
  assert.equal(lines.at(-1)!.trimEnd().at(-1), MARKS.front);
  assert.equal(lines.at(-1)!.trimEnd().length, 60 - 9);
});

test('the SLO is a labelled line when near the data, a note when far from it', () => {
  const pts = points([[100, 20], [800, 5]]);
  const near = text(scatterRows(pts, { width: 60, height: 8, sloMs: 12 }));
  const sloLine = near.find((l) => l.includes(`${MARKS.slo}${MARKS.slo}${MARKS.slo}`) && l.trimStart().startsWith('12'));
  assert.ok(sloLine, near.join('\n'));
  const far = text(scatterRows(pts, { width: 60, height: 8, sloMs: 1000 }));
  assert.match(far[0]!, /SLO 1000 ms above the plot/);
  assert.equal(grid(far).some((l) => l.includes(MARKS.slo.repeat(3))), false);
});

test('one point and no point draw without dividing by zero', () => {
  const one = text(scatterRows(points([[500, 10]]), { width: 50, height: 6, sloMs: null }));
  assert.equal(grid(one).join('').split(MARKS.front).length - 1, 1);
  assert.doesNotMatch(one.join(''), /NaN|Infinity/);
  assert.deepEqual(text(scatterRows([], { width: 50, height: 6, sloMs: 5 })), ['no completed trial yet']);
});
