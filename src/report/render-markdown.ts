import { fmt } from './recommend.js';
import { CAPACITY_HEADER, capacityNotes, capacityRow } from './serving-text.js';
import { deploymentCheckLines, DEPLOYMENTS_HEADING } from './deployment-text.js';
import { gainText, headline, pointHeader, pointRow } from './render-text.js';
import type { Report } from './types.js';

export function renderMarkdown(report: Report): string {
  const out: string[] = [`# autotune report: ${mdText(report.study.name)}`, '', ...headline(report).map((l) => `- ${mdText(l)}`), ''];
  out.push('## Recommendations', '');
  out.push(...mdTable(['PICK', 'CONFIG', 'TPS', 'P99 MS', 'TRIAL', 'GAIN', 'WHY'], report.recommendations.map((r) => [
    r.pick, r.point.label, fmt(r.point.tps), fmt(r.point.p99Ms), String(r.point.trialId), gainText(r.gain, r.point.config.baseline), r.reason,
  ])));
  if (report.capacities.length > 0) {
    out.push('', `## Capacity under the ${fmt(report.study.sloMs ?? 0)} ms SLO (open loop)`, '');
    out.push(...mdTable(CAPACITY_HEADER, report.capacities.map(capacityRow)), '', ...capacityNotes(report.capacities).map((l) => `- ${mdText(l)}`));
  }
  if (report.deployments.length > 0) {
    out.push('', `## ${mdText(DEPLOYMENTS_HEADING)}`);
    for (const d of report.deployments) out.push('', ...deploymentCheckLines(d).map((l) => `- ${mdText(l)}`));
  }
  out.push('', `## Pareto front (p99 vs TPS, closed loop)`, '', `${report.front.length} configuration(s) on the front, ${report.dominated} dominated. Closed-loop p99 is service time at saturation, with no queueing.`, '');
  out.push(...mdTable(pointHeader, report.front.map(pointRow)));
  out.push('', '## What mattered', '');
  for (const effect of report.effects) {
    if (effect.levels.length === 0) continue;
    out.push(`### ${mdText(effect.parameter)}`, '');
    if (effect.finding !== null) out.push(mdText(effect.finding), '');
    out.push(...mdTable([effect.parameter, 'CONFIGS', 'BEST TPS', 'MEDIAN TPS', 'BEST P99', 'MEDIAN P99'], effect.levels.map((l) => [
      l.level, String(l.configurations), fmt(l.bestTps), fmt(l.medianTps), fmt(l.bestP99Ms), fmt(l.medianP99Ms),
    ])), '');
  }
  if (report.warnings.length > 0) out.push('## Warnings', '', ...report.warnings.map((w) => `- **${mdText(w.kind)}**: ${mdText(w.message)}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}

/** Every cell goes through mdText, so a stored name can neither break the table nor inject markup. */
export function mdTable(header: readonly string[], rows: readonly string[][]): string[] {
  return [`| ${header.map(mdText).join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.map(mdText).join(' | ')} |`)];
}

/**
 * Text from the study (names, paths, reasons, stored error messages) as inline Markdown that
 * renders as exactly that text: one line (a newline would end a heading or a table row), no raw
 * HTML (`<`, `>` and `&` become entities, which Markdown passes through as text), and the
 * characters that open emphasis, code, links or tables, or a block at the start of a line,
 * backslash-escaped.
 */
export function mdText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/^(\s*)([#+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}
