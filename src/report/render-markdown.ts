import { fmt } from './recommend.js';
import { gainText, headline, pointHeader, pointRow } from './render-text.js';
import type { Report } from './types.js';

export function renderMarkdown(report: Report): string {
  const out: string[] = [`# autotune report: ${report.study.name}`, '', ...headline(report).map((l) => `- ${l}`), ''];
  out.push('## Recommendations', '');
  out.push(...mdTable(['PICK', 'CONFIG', 'TPS', 'P99 MS', 'TRIAL', 'GAIN', 'WHY'], report.recommendations.map((r) => [
    r.pick, r.point.label, fmt(r.point.tps), fmt(r.point.p99Ms), String(r.point.trialId), gainText(r.gain, r.point.config.baseline), r.reason,
  ])));
  out.push('', `## Pareto front (p99 vs TPS)`, '', `${report.front.length} configuration(s) on the front, ${report.dominated} dominated.`, '');
  out.push(...mdTable(pointHeader, report.front.map(pointRow)));
  out.push('', '## What mattered', '');
  for (const effect of report.effects) {
    if (effect.levels.length === 0) continue;
    out.push(`### ${effect.parameter}`, '');
    if (effect.finding !== null) out.push(effect.finding, '');
    out.push(...mdTable([effect.parameter, 'CONFIGS', 'BEST TPS', 'MEDIAN TPS', 'BEST P99', 'MEDIAN P99'], effect.levels.map((l) => [
      l.level, String(l.configurations), fmt(l.bestTps), fmt(l.medianTps), fmt(l.bestP99Ms), fmt(l.medianP99Ms),
    ])), '');
  }
  if (report.warnings.length > 0) out.push('## Warnings', '', ...report.warnings.map((w) => `- **${w.kind}**: ${w.message}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}

export function mdTable(header: readonly string[], rows: readonly string[][]): string[] {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}
