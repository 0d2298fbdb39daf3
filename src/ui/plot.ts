import type { PlotPoint } from './state.js';

/**
 * A character-cell scatter plot of p99 latency (up) against TPS (right): front points '*',
 * the baseline 'B', other trials 'o', the SLO a dashed line. Pure, so its layout is tested without
 * a terminal; the component only colours the segments.
 */
export type CellKind = 'text' | 'axis' | 'point' | 'front' | 'baseline' | 'slo';

export interface Segment {
  text: string;
  kind: CellKind;
}

export const MARKS = { point: 'o', front: '*', baseline: 'B', slo: '-' } as const;

const LABEL_WIDTH = 7;

export function scatterRows(points: readonly PlotPoint[], options: { width: number; height: number; sloMs: number | null }): Segment[][] {
  const plotWidth = Math.max(8, options.width - LABEL_WIDTH - 2);
  const height = Math.max(3, options.height);
  if (points.length === 0) return [[{ text: 'no completed trial yet', kind: 'text' }]];

  const tps = points.map((p) => p.tps);
  const p99 = points.map((p) => p.p99Ms);
  const x = range(Math.min(...tps), Math.max(...tps));
  const yLow = Math.min(...p99);
  const yHigh = Math.max(...p99);
  // The SLO widens the latency axis only when it is near the data, or the points would be squeezed
  // into a few rows; otherwise the title says which side of the plot it lies.
  const slo = options.sloMs;
  const sloShown = slo !== null && slo >= yLow / 2 && slo <= yHigh * 2;
  const y = range(sloShown ? Math.min(yLow, slo) : yLow, sloShown ? Math.max(yHigh, slo) : yHigh);

  const grid: CellKind[][] = Array.from({ length: height }, () => Array<CellKind>(plotWidth).fill('text'));
  const column = (v: number): number => Math.round(((v - x.low) / (x.high - x.low)) * (plotWidth - 1));
  const rowOf = (v: number): number => height - 1 - Math.round(((v - y.low) / (y.high - y.low)) * (height - 1));
  const sloRow = sloShown ? rowOf(slo) : null;
  if (sloRow !== null) grid[sloRow]!.fill('slo');
  const rank: Record<CellKind, number> = { text: 0, axis: 0, slo: 1, point: 2, baseline: 3, front: 4 };
  for (const p of points) {
    const kind: CellKind = p.onFront ? 'front' : p.config.baseline ? 'baseline' : 'point';
    const cells = grid[rowOf(p.p99Ms)]!;
    const c = column(p.tps);
    if (rank[kind] > rank[cells[c]!]) cells[c] = kind;
  }

  // The SLO note first: when the width cuts the legend, the marks' meaning is in the help.
  const sloNote = slo === null ? 'no SLO' : sloShown ? `${MARKS.slo}${MARKS.slo} SLO ${slo} ms` : `SLO ${slo} ms ${slo < yLow ? 'below' : 'above'} the plot`;
  const legend = `p99 ms  ${sloNote} · ${MARKS.front} Pareto front, ${MARKS.baseline} baseline, ${MARKS.point} trial`;
  const rows: Segment[][] = [[{ text: fit(legend, options.width), kind: 'text' }]];
  grid.forEach((cells, r) => {
    const label = r === 0 ? y.high : r === height - 1 ? y.low : r === sloRow ? slo : null;
    rows.push([{ text: `${label === null ? '' : number(label)}`.padStart(LABEL_WIDTH), kind: 'text' }, { text: ' │', kind: 'axis' }, ...segments(cells)]);
  });
  rows.push([{ text: `${' '.repeat(LABEL_WIDTH)} └${'─'.repeat(plotWidth)}`, kind: 'axis' }]);
  const left = number(x.low);
  const right = `${number(x.high)} TPS`;
  const gap = Math.max(1, plotWidth - left.length - right.length);
  rows.push([{ text: fit(`${' '.repeat(LABEL_WIDTH + 2)}${left}${' '.repeat(gap)}${right}`, options.width), kind: 'text' }]);
  return rows;
}

function segments(cells: readonly CellKind[]): Segment[] {
  const out: Segment[] = [];
  for (const kind of cells) {
    const ch = kind === 'text' || kind === 'axis' ? ' ' : MARKS[kind];
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += ch;
    else out.push({ text: ch, kind });
  }
  return out;
}

/** A degenerate range (one point, or all equal) is widened so the point lands mid-plot. */
function range(low: number, high: number): { low: number; high: number } {
  if (high > low) return { low, high };
  const pad = Math.abs(low) * 0.1 || 1;
  return { low: low - pad, high: high + pad };
}

function number(v: number): string {
  return v >= 1000 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
