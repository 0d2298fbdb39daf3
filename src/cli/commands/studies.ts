import type { Command } from 'commander';
import { oneLine } from '../../errors.js';
import { describeStudy, strategyLabel } from '../../report/describe-study.js';
import { DEFAULT_DB_PATH, openStore, type Store, type StudyListing } from '../../store/index.js';

/** A listing with the model as the user named it and the strategy the study ran. */
type ListedStudy = StudyListing & { model: string; strategyUsed: string | null };

export function register(program: Command): void {
  program
    .command('studies')
    .description('List the studies in the database with their state and trial counts.')
    .option('--db <file>', `SQLite database (default ${DEFAULT_DB_PATH})`)
    .option('--json', 'print the list as JSON', false)
    .action((flags: { db?: string; json: boolean }) => {
      const store = openStore(flags.db ?? DEFAULT_DB_PATH, { readonly: true });
      try {
        const studies = store.listStudies().map((listing) => described(store, listing));
        process.stdout.write(flags.json ? `${JSON.stringify(studies, null, 2)}\n` : renderStudies(studies, store.path));
      } finally {
        store.close();
      }
    });
}

function described(store: Store, listing: StudyListing): ListedStudy {
  const study = store.getStudy(listing.name);
  if (study === null) return { ...listing, model: listing.modelPath, strategyUsed: null };
  const { model, strategyUsed } = describeStudy(study, store.getMachine(study.machineId)?.topology ?? null);
  return { ...listing, model, strategyUsed };
}

/** A study left 'running' by a tuner that was killed is not running: say so. */
function stateLabel(s: ListedStudy): string {
  return s.state === 'running' && s.tunerAlive !== true ? 'stopped (tuner gone)' : s.state;
}

function renderStudies(studies: readonly ListedStudy[], path: string): string {
  if (studies.length === 0) return `no studies in ${path} yet: run autotune tune\n`;
  const header = ['STUDY', 'STATE', 'COMPLETE', 'FAILED', 'INTERRUPTED', 'TOTAL', 'STRATEGY', 'MODEL', 'CREATED', 'LAST TRIAL'];
  const rows = studies.map((s) => [
    oneLine(s.name),
    stateLabel(s),
    String(s.counts.complete),
    String(s.counts.failed),
    String(s.counts.interrupted),
    String(s.total),
    strategyLabel(s.strategy, s.strategyUsed) ?? '-',
    oneLine(s.model),
    s.createdAt.replace(/\.\d+Z$/, 'Z'),
    s.lastTrialAt?.replace(/\.\d+Z$/, 'Z') ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
