import { effectSpec, renderSvg, scatterSpec, servingSpec } from './charts.js';
import { fmt } from './recommend.js';
import { gainText, headline, pointHeader, pointRow } from './render-text.js';
import { CAPACITY_HEADER, capacityNotes, capacityRow } from './serving-text.js';
import { deploymentCheckLines, DEPLOYMENTS_HEADING } from './deployment-text.js';
import type { Report } from './types.js';

/**
 * One self-contained HTML file: charts rendered to inline SVG, styles inline, no script and no
 * remote resource, so it opens offline and can be mailed as it is. Several reports (--compare)
 * share the scatter, then follow one section each.
 */
export async function renderHtml(reports: readonly Report[]): Promise<string> {
  const title = `autotune report: ${reports.map((r) => r.study.name).join(' vs ')}`;
  const scatter = await renderSvg(scatterSpec(reports));
  const sections: string[] = [];
  for (const report of reports) sections.push(await studySection(report));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
th{background:#f2f2f2}.warn{color:#a33}.chart svg{max-width:100%;height:auto}
</style></head><body>
<h1>${esc(title)}</h1>
<div class="chart" id="scatter">${scatter}</div>
${sections.join('\n')}
</body></html>
`;
}

async function studySection(report: Report): Promise<string> {
  const charts: string[] = [];
  for (const effect of report.effects) {
    if (effect.levels.length < 2) continue;
    charts.push(`<div class="chart effect">${await renderSvg(effectSpec(report, effect))}${effect.finding ? `<p>${esc(effect.finding)}</p>` : ''}</div>`);
  }
  const recs = report.recommendations.map((r) => [r.pick, r.point.label, fmt(r.point.tps), fmt(r.point.p99Ms), String(r.point.trialId), gainText(r.gain, r.point.config.baseline), r.reason]);
  const serving =
    report.capacities.length === 0
      ? ''
      : `<h3>Capacity under the ${esc(fmt(report.study.sloMs ?? 0))} ms SLO (open loop)</h3><div class="chart serving">${await renderSvg(servingSpec(report))}</div>` +
        `${table(CAPACITY_HEADER, report.capacities.map(capacityRow))}<ul>${capacityNotes(report.capacities).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`;
  const deployments =
    report.deployments.length === 0
      ? ''
      : `<h3>${esc(DEPLOYMENTS_HEADING)}</h3>${report.deployments.map((d) => `<ul class="deployment">${deploymentCheckLines(d).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`).join('')}`;
  const effects = report.effects.flatMap((e) => e.levels.map((l) => [e.parameter, l.level, String(l.configurations), fmt(l.bestTps), fmt(l.medianTps), fmt(l.bestP99Ms), fmt(l.medianP99Ms)]));
  return `<section><h2>${esc(report.study.name)}</h2>
<ul>${headline(report).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
${report.warnings.length > 0 ? `<h3>Warnings</h3><ul class="warn">${report.warnings.map((w) => `<li><b>${esc(w.kind)}</b>: ${esc(w.message)}</li>`).join('')}</ul>` : ''}
<h3>Recommendations</h3>${table(['pick', 'config', 'TPS', 'p99 ms', 'trial', 'gain', 'why'], recs)}
${serving}
${deployments}
<h3>Pareto front (closed loop: p99 is service time at saturation, no queueing): ${report.front.length} on it, ${report.dominated} dominated</h3>${table(pointHeader, report.front.map(pointRow))}
<h3>What mattered</h3>${charts.join('\n')}
${table(['parameter', 'level', 'configs', 'best TPS', 'median TPS', 'best p99', 'median p99'], effects)}
<h3>All measured configurations</h3>${table(pointHeader, [...report.points].sort((a, b) => a.p99Ms - b.p99Ms).map(pointRow))}
</section>`;
}

function table(header: readonly string[], rows: readonly string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
