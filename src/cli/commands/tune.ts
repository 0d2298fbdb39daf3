import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AutotuneError, stoppedBy } from '../../errors.js';
import { DEFAULT_DB_PATH, openStore } from '../../store/index.js';
import type { StudyEventListener } from '../../study/events.js';
import { readStudyFile } from '../../study/file.js';
import { applyStudyFlags, type StudyFlags } from '../../study/flags.js';
import { runStudy } from '../../study/loop.js';
import { axisEntries, flagName } from '../../domain/axes.js';
import { parseStudy, type StudyDefinition } from '../../domain/study.js';
import { isInteractive } from '../interactive.js';
import { formatSummary } from '../reporters/format.js';
import { createJsonLinesReporter } from '../reporters/json-lines.js';
import { createPlainReporter } from '../reporters/plain.js';

interface TuneFlags extends StudyFlags {
  study?: string;
  db?: string;
  force: boolean;
  json: boolean;
  ui: boolean;
}

function collect(raw: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), raw];
}

export function register(program: Command): void {
  const command = program
    .command('tune')
    .description('Search placements of a model on this machine; every trial is saved, and the same command resumes.')
    .argument('[study-file]', 'study definition, YAML or JSON (see studies/); flags override its fields')
    .option('--study <name>', 'resume the stored study NAME (its definition comes from the database)')
    .option('--name <name>', 'study name (default: the file name, or the model name)')
    .option('--model <model>', 'ONNX file or builtin:NAME (default builtin:mlp)')
    .option('--shape <input=dims>', 'dims of an input, B marks the batch (repeatable): x=B,3,224,224', collect)
    .option('--value <input=number>', 'fixed value of a scalar input (repeatable): sr=16000', collect)
    .option('--inputs <file>', 'sample-input JSON file instead of synthesized inputs')
    .option('--slo <ms>', 'p99 latency objective in milliseconds');
  for (const [name, a] of axisEntries()) command.option(`${flagName(name)} <list>`, `${a.description}: ${a.flagHelp}`);
  command
    .option('--oversubscribe', 'let workers share CPUs instead of dropping P x T above the usable CPUs')
    .option('--trials <n>', 'trial budget (the baseline counts; drift re-runs do not)')
    .option('--time <duration>', 'time budget of this run: 90m, 8h')
    .option('--strategy <name>', 'auto | grid | random | bayes (auto: grid when the space fits the budget, else bayes)')
    .option('--seed <n>', 'seed of the random and Bayesian strategies')
    .option('--warmup <duration>', 'warm-up per trial: seconds or 500ms')
    .option('--min-time <duration>', 'shortest measured window per trial')
    .option('--max-time <duration>', 'longest measured window per trial')
    .option('--min-samples <n>', 'fewest inferences per window')
    .option('--ci <fraction>', 'stop a window when the 95% CI of p99 is within this fraction')
    .option('--baseline-every <n|duration>', 're-run the baseline every N trials or every 30m to detect drift')
    .option('--repeats <n>', 'measure every configuration N times')
    .option('--baseline-batch <n>', 'the batch your service runs today: the total gain is stated against the baseline at it')
    .option('--confirm-pairs <n>', 'confirmation: pairs of runs (pick, baseline) each pick gets before the study ends (>= 3)')
    .option('--arrivals <process>', 'serving phase (with --slo): poisson | constant arrivals')
    .option('--dispatch <how>', 'serving phase: shared (one queue, first idle worker) | split (a stream per worker)')
    .option('--max-delay <duration>', 'serving phase, batch > 1: longest wait for a batch to fill (2ms)')
    .option('--serving-max-time <duration>', 'serving phase: longest window per offered rate (10s)')
    .option('--serving-configs <n>', 'serving phase: configurations whose capacity is measured besides the baseline (4)')
    .option('--db <file>', `SQLite database (default ${DEFAULT_DB_PATH})`)
    .option('--force', 'resume even on another machine or with a changed model', false)
    .option('--json', 'print the event stream as JSON lines', false)
    .option('--no-ui', 'plain log lines even in a terminal')
    .action(async (file: string | undefined, flags: TuneFlags) => {
      await tune(file, flags);
    });
}

async function tune(file: string | undefined, flags: TuneFlags): Promise<void> {
  const dbPath = flags.db ?? DEFAULT_DB_PATH;
  const definition = loadDefinition(file, flags, dbPath);
  const stop = new AbortController();
  const abortNow = new AbortController();
  const write = (text: string): void => void process.stdout.write(text);
  const interactive = isInteractive({ ui: flags.ui, json: flags.json });
  const dashboard = interactive ? await startDashboard(() => stop.abort()) : null;
  const listener: StudyEventListener =
    dashboard?.listener ?? (flags.json ? createJsonLinesReporter(write) : createPlainReporter(write));

  // First Ctrl-C (or SIGTERM): abort the current trial cleanly and save; second: stop waiting now.
  let stoppedWith: NodeJS.Signals = 'SIGINT';
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) {
      stoppedWith = signal;
      stop.abort();
      if (!flags.json && !dashboard) process.stderr.write('stopping: cleaning up the current trial (Ctrl-C again to abort now)\n');
    } else abortNow.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outcome = await runStudy({
      definition,
      dbPath,
      cacheDir: process.env.AUTOTUNE_CACHE ?? resolve('.autotune', 'models'),
      force: flags.force,
      signal: stop.signal,
      abortNow: abortNow.signal,
      onEvent: listener,
    });
    if (dashboard) {
      await dashboard.done();
      write(`${formatSummary(outcome.summary, definition.sloMs).join('\n')}\n`);
    }
    if (outcome.reason === 'interrupted') process.exitCode = new AutotuneError(stoppedBy(stoppedWith), 'interrupted').exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A study file, a stored study (--study), or flags alone; flags override the fields of the first two. */
function loadDefinition(file: string | undefined, flags: TuneFlags, dbPath: string): StudyDefinition {
  if (file !== undefined && flags.study !== undefined) {
    throw new AutotuneError('usage', `give a study file or --study ${flags.study}, not both (use --name to name the file's study)`);
  }
  if (file !== undefined) return parseStudy(applyStudyFlags(readStudyFile(file), flags), `${file}: study`);
  if (flags.study !== undefined) {
    if (flags.name !== undefined) {
      throw new AutotuneError('usage', `give --study ${flags.study} to resume a stored study or --name ${flags.name} to start one, not both`);
    }
    if (!existsSync(dbPath)) {
      throw new AutotuneError(
        'usage',
        `there is no database at ${dbPath} to resume study "${flags.study}" from: --study resumes a study stored there; to start one, use --name ${flags.study} (with --model or a study file)`,
      );
    }
    const store = openStore(dbPath, { readonly: true });
    try {
      const study = store.getStudy(flags.study);
      if (!study) {
        const names = store.listStudies().map((s) => s.name);
        throw new AutotuneError('usage', `no study "${flags.study}" in ${dbPath}${names.length > 0 ? `: it has ${names.join(', ')}` : ': it has none yet'}`);
      }
      return parseStudy(applyStudyFlags(study.definition as Record<string, unknown>, flags), `stored study ${flags.study}`);
    } finally {
      store.close();
    }
  }
  return parseStudy(applyStudyFlags({}, flags));
}

/** The seam to the Ink dashboard (src/ui, loaded only when interactive so pipes never pay for React). */
interface Dashboard {
  listener: StudyEventListener;
  done(): Promise<void>;
}

interface DashboardModule {
  startDashboard(options: { stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream; onQuit: () => void }): Dashboard;
}

const UI_ENTRY = '../../ui/index.js';

async function startDashboard(onQuit: () => void): Promise<Dashboard | null> {
  let ui: DashboardModule;
  try {
    ui = (await import(UI_ENTRY)) as DashboardModule;
  } catch (error) {
    // Until the dashboard is built, a terminal gets the plain logger.
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes('/ui/index.js')) return null;
    throw error;
  }
  return ui.startDashboard({ stdout: process.stdout, stdin: process.stdin, onQuit });
}
