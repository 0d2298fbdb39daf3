import { Command, CommanderError } from 'commander';
import { AutotuneError, oneLine } from '../errors.js';
import { commands } from './commands/index.js';

/**
 * The one top-level catch of autotune: an AutotuneError prints its one line and exits with its
 * code; anything else is a bug, so it says so and keeps the stack for the report.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('autotune')
    .description('Find the fastest placement of ONNX Runtime inference on this CPU server.')
    .exitOverride()
    // commander's own errors (unknown option, missing value) get the same one-line form as ours.
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`autotune: ${oneLine(s.trim().replace(/^error: /, ''))} (run with --help for usage)\n`),
    });
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its message; help and version are not errors.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof AutotuneError) {
    process.stderr.write(`autotune: ${oneLine(error.message)}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`autotune: internal error (please report it): ${oneLine(firstLine(detail))}\n`);
  if (process.env.AUTOTUNE_DEBUG) process.stderr.write(`${detail}\n`);
  return 1;
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? s;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(error);
  },
);
