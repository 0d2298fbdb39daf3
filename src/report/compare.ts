import { strategyLabel } from './describe-study.js';
import { fmt } from './recommend.js';
import { alignTable, gainText } from './render-text.js';
import { mdTable, mdText } from './render-markdown.js';
import { PICK_KINDS, type Report } from './types.js';

export const COMPARE_SCHEMA = 'autotune.compare/1';

/** Two (or more) studies side by side: one column per study, one row per figure that matters. */
export function compareRows(reports: readonly Report[]): { header: string[]; rows: string[][] } {
  const header = ['', ...reports.map((r) => r.study.name)];
  const row = (name: string, cell: (r: Report) => string): string[] => [name, ...reports.map(cell)];
  const rows = [
    row('model', (r) => r.study.model),
    row('strategy', (r) => strategyLabel(r.study.strategy, r.study.strategyUsed) ?? '?'),
    row('machine', (r) => (r.machine.fingerprint ? `${r.machine.fingerprint.cpuModel} (${r.machine.fingerprint.threads} CPUs)` : '?')),
    row('SLO p99 ms', (r) => (r.study.sloMs === null ? '-' : fmt(r.study.sloMs))),
    row('configurations', (r) => `${r.counts.searched}${r.counts.spaceSize === null ? '' : ` of ${r.counts.spaceSize}`}${r.baseline ? ' + baseline' : ''}`),
    row('front / dominated', (r) => `${r.front.length} / ${r.dominated}`),
    row('baseline', (r) => (r.baseline ? `${fmt(r.baseline.tps)} samples/s, p99 ${fmt(r.baseline.p99Ms)} ms` : '-')),
  ];
  for (const pick of PICK_KINDS) {
    const rec = (r: Report) => r.recommendations.find((x) => x.pick === pick);
    rows.push(row(`${pick}: config`, (r) => rec(r)?.point.label ?? 'none'));
    rows.push(row(`${pick}: TPS / p99`, (r) => { const x = rec(r); return x ? `${fmt(x.point.tps)} / ${fmt(x.point.p99Ms)} ms` : '-'; }));
    rows.push(row(`${pick}: gain`, (r) => { const x = rec(r); return x ? gainText(x.gain, x.point.config.baseline) : '-'; }));
  }
  rows.push(row('warnings', (r) => (r.warnings.length === 0 ? '-' : r.warnings.map((w) => w.kind).join(', '))));
  return { header, rows };
}

export function renderCompareText(reports: readonly Report[]): string {
  const { header, rows } = compareRows(reports);
  return `${alignTable(header, rows).join('\n')}\n`;
}

export function renderCompareMarkdown(reports: readonly Report[]): string {
  const { header, rows } = compareRows(reports);
  return `# autotune comparison: ${reports.map((r) => mdText(r.study.name)).join(' vs ')}\n\n${mdTable(header, rows).join('\n')}\n`;
}

export function renderCompareJson(reports: readonly Report[]): string {
  return `${JSON.stringify({ schema: COMPARE_SCHEMA, studies: reports }, null, 2)}\n`;
}
