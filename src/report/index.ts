export { buildReport, selectStudy, type ReportOptions } from './build.js';
export { configurationPoints } from './points.js';
export { kneeOf, recommend } from './recommend.js';
export { parameterEffects } from './effects.js';
export { renderText } from './render-text.js';
export { renderMarkdown } from './render-markdown.js';
export { renderCsv } from './render-csv.js';
export { renderHtml } from './render-html.js';
export { renderCompareText, renderCompareMarkdown, renderCompareJson, COMPARE_SCHEMA } from './compare.js';
export * from './types.js';

import type { Report } from './types.js';

/** The stable JSON of one report (docs/report-json.md). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
