import type { Command } from 'commander';
import { AutotuneError } from '../../errors.js';
import {
  renderCompareJson,
  renderCompareMarkdown,
  renderCompareText,
  renderCsv,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderText,
} from '../../report/index.js';
import { DEFAULT_DB_PATH, openStore } from '../../store/index.js';
import { writeOutputFile } from '../output-file.js';
import { hereFingerprint, loadReport } from './report-source.js';

interface ReportFlags {
  db?: string;
  json: boolean;
  csv: boolean;
  markdown: boolean;
  html?: string;
  compare?: string[];
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Pareto front, recommendations, parameter effects and warnings of a study.')
    .argument('[study]', 'study name (default: the only or most recent study)')
    .option('--db <file>', `SQLite database (default ${DEFAULT_DB_PATH})`)
    .option('--json', 'the report as JSON (shape: docs/report-json.md)', false)
    .option('--csv', 'one CSV row per trial', false)
    .option('--markdown', 'the report as Markdown', false)
    .option('--html <file>', 'write a self-contained HTML report with charts to FILE')
    .option('--compare <studies...>', 'two studies side by side: --compare A B')
    .action(async (study: string | undefined, flags: ReportFlags) => {
      await report(study ?? null, flags);
    });
}

async function report(study: string | null, flags: ReportFlags): Promise<void> {
  const formats = [flags.json, flags.csv, flags.markdown, flags.html !== undefined].filter(Boolean).length;
  if (formats > 1) throw new AutotuneError('usage', 'choose one of --json, --csv, --markdown, --html FILE');
  if (flags.compare !== undefined && (flags.compare.length !== 2 || study !== null)) {
    throw new AutotuneError('usage', '--compare takes exactly two study names and no other study: autotune report --compare A B');
  }
  const store = openStore(flags.db ?? DEFAULT_DB_PATH, { readonly: true });
  try {
    const here = hereFingerprint();
    const names = flags.compare ?? [study];
    const reports = names.map((name) => loadReport(store, name, here));
    const compare = reports.length > 1;
    if (flags.html !== undefined) {
      writeOutputFile(flags.html, await renderHtml(reports));
      process.stdout.write(`wrote ${flags.html}\n`);
      return;
    }
    let text: string;
    if (flags.csv) text = renderCsv(reports);
    else if (flags.json) text = compare ? renderCompareJson(reports) : renderJson(reports[0]!);
    else if (flags.markdown) text = compare ? renderCompareMarkdown(reports) : renderMarkdown(reports[0]!);
    else text = compare ? renderCompareText(reports) : renderText(reports[0]!);
    process.stdout.write(text);
  } finally {
    store.close();
  }
}
