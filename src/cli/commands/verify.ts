import type { Command } from 'commander';
import { AutotuneError } from '../../errors.js';
import { choose, parsePick, verifyDeployment } from '../../export/index.js';
import { deploymentCheckLines } from '../../report/deployment-text.js';
import { DEFAULT_DB_PATH, openStore } from '../../store/index.js';
import { parseDurationFlag } from '../../domain/duration.js';
import { isDecimal } from '../../study/flags.js';
import { hereFingerprint, loadReport, parseBasePort } from './report-source.js';

interface VerifyFlags {
  db?: string;
  pick: string;
  basePort: string;
  host: string;
  url?: string[];
  rate?: string;
  seed?: string;
  duration: string;
  warmup: string;
  json: boolean;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description("Drive the running instances at the rate the report promised (open loop, latency from the scheduled arrival) and compare what they deliver with the promise; stored with the study. Exit 1 when the promise is missed.")
    .argument('[study]', 'study name (default: the only or most recent study)')
    .option('--pick <pick>', 'slo | latency | knee | a trial id (as launched)', 'slo')
    .option('--base-port <n>', 'instance i listens on base + i (as launch --base-port)', '8000')
    .option('--host <host>', 'where the instances listen', '127.0.0.1')
    .option('--url <urls...>', 'the instances\' base URLs instead of --host/--base-port, one per instance')
    .option('--rate <rps>', 'offer this rate instead of the promised capacity')
    .option('--seed <n>', "arrival schedule seed (default: the serving phase's)")
    .option('--duration <duration>', 'recorded arrival window', '10s')
    .option('--warmup <duration>', 'arrivals sent but not recorded first', '1s')
    .option('--json', 'the stored result as one JSON object', false)
    .option('--db <file>', `SQLite database (default ${DEFAULT_DB_PATH})`)
    .action(async (study: string | undefined, flags: VerifyFlags) => {
      await verify(study ?? null, flags);
    });
}

async function verify(study: string | null, flags: VerifyFlags): Promise<void> {
  const pick = parsePick(flags.pick);
  const basePort = parseBasePort(flags.basePort);
  const rateRps = flags.rate === undefined ? null : Number(flags.rate);
  if (flags.rate !== undefined && (!isDecimal(flags.rate, { fraction: true }) || !(rateRps! > 0))) throw new AutotuneError('usage', `--rate ${flags.rate}: expected requests per second > 0`);
  if (flags.seed !== undefined && !isDecimal(flags.seed, { fraction: false })) throw new AutotuneError('usage', `--seed ${flags.seed}: expected a whole number >= 0`);
  const durationMs = parseDurationFlag(flags.duration, '--duration') * 1000;
  const warmupMs = parseDurationFlag(flags.warmup, '--warmup') * 1000;
  if (!(durationMs >= 1000)) throw new AutotuneError('usage', `--duration ${flags.duration}: verify needs at least 1s of arrivals`);
  const store = openStore(flags.db ?? DEFAULT_DB_PATH);
  try {
    const chosen = choose(store, loadReport(store, study, hereFingerprint()), pick);
    const instances = chosen.result.plan.workers.length;
    const urls = flags.url ?? Array.from({ length: instances }, (_, i) => `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${basePort + i}`);
    if (urls.length !== instances) process.stderr.write(`verify: trial ${chosen.trialId} was measured as ${instances} instance(s); driving the ${urls.length} given\n`);
    const check = await verifyDeployment(store, chosen, { urls, rateRps, seed: flags.seed === undefined ? null : Number(flags.seed), warmupMs, durationMs, pick: flags.pick });
    process.stdout.write(flags.json ? `${JSON.stringify(check)}\n` : `${deploymentCheckLines(check).join('\n')}\n`);
    if (check.comparison.verdict === 'missed') process.exitCode = 1;
  } finally {
    store.close();
  }
}
