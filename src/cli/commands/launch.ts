import type { Command } from 'commander';
import { AutotuneError, stoppedBy } from '../../errors.js';
import { launchInstances } from '../../export/index.js';
import { DEFAULT_DB_PATH } from '../../store/index.js';
import { isDecimal } from '../../study/flags.js';
import { chooseTrial, parseBasePort } from './report-source.js';

interface LaunchFlags {
  db?: string;
  pick: string;
  basePort: string;
  grace: string;
}

export function register(program: Command): void {
  program
    .command('launch')
    .description('Run your command as the measured instances, each pinned as in the trial; Ctrl-C stops them all.')
    .usage('[study] [options] -- COMMAND [ARGS...]')
    .argument('[study-and-command...]', 'optional study name, then -- and the command ({instance} and {port} are replaced)')
    .option('--pick <pick>', 'slo | latency | knee | a trial id', 'slo')
    .option('--base-port <n>', '{port} of instance 0; instance i gets base + i', '8000')
    .option('--grace <seconds>', 'after Ctrl-C, how long instances get before SIGKILL', '10')
    .option('--db <file>', `SQLite database (default ${DEFAULT_DB_PATH})`)
    .action(async (operands: string[], flags: LaunchFlags, command: Command) => {
      // Commander hands over the operands before and after `--` as one list; the raw argv tells them apart.
      const raw = (command.parent as (Command & { rawArgs?: string[] }) | null)?.rawArgs ?? [];
      const dash = raw.indexOf('--');
      const after = dash < 0 ? [] : raw.slice(dash + 1);
      const before = operands.slice(0, operands.length - after.length);
      if (after.length === 0) throw new AutotuneError('usage', 'launch needs the command after --: autotune launch [STUDY] -- my-server --port {port}');
      if (before.length > 1) throw new AutotuneError('usage', `launch takes at most one study before --, got: ${before.join(' ')}`);
      await launch(before[0] ?? null, after, flags);
    });
}

async function launch(study: string | null, argv: string[], flags: LaunchFlags): Promise<void> {
  const basePort = parseBasePort(flags.basePort);
  const graceS = Number(flags.grace);
  if (!isDecimal(flags.grace, { fraction: true })) throw new AutotuneError('usage', `--grace ${flags.grace}: expected seconds >= 0`);
  const chosen = chooseTrial(flags.db, study, flags.pick);
  const launched = launchInstances(chosen, argv, { basePort, stdio: 'inherit', graceMs: graceS * 1000 });
  process.stderr.write(`launch: ${launched.pids.length} instance(s) of trial ${chosen.trialId} (${chosen.reason}); pids ${launched.pids.join(' ')}\n`);
  let signalled: NodeJS.Signals | null = null;
  const forward = (signal: NodeJS.Signals): void => {
    signalled = signal;
    launched.stop(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const exits = await launched.exited;
    for (const e of exits) process.stderr.write(`launch: instance ${e.index} (pid ${e.pid}) exited ${e.signal ?? `with code ${e.code}`}\n`);
    if (signalled !== null) throw new AutotuneError(stoppedBy(signalled), `stopped by ${signalled}: all ${exits.length} instance(s) and what they started exited`);
    const failed = exits.find((e) => e.code !== 0);
    if (failed !== undefined) process.exitCode = failed.code ?? 1;
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}
