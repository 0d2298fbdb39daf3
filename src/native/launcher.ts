import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { AutotuneError } from '../errors.js';
import type { MemPolicyMode } from '../domain/config.js';
import { formatCpuList } from '../topology/cpulist.js';
import { packageRoot } from './addon.js';
import { checkIds, checkMemPolicy } from './validate.js';

/** build/Release/autotune-launch (native/launcher.c), built by `npm install` via node-gyp. */
export function launcherPath(): string {
  return join(packageRoot(), 'build', 'Release', 'autotune-launch');
}

export interface LaunchPlacement {
  /** The whole CPU set of the process, or null to leave the inherited one. */
  cpus: number[] | null;
  memPolicy: MemPolicyMode;
  /** Nodes for bind/preferred/interleave; empty for default and local. */
  mems: number[];
}

/**
 * The file and arguments that start `command` already placed: the launcher applies the CPU set
 * and memory policy to itself and execs the command, so every thread it ever has inherits them.
 * Exit codes of the launcher: 126 the placement was refused, 127 the command could not run.
 */
export interface LaunchOptions {
  /**
   * The pid of the process that spawns the launcher (normally process.pid): the command then gets
   * SIGKILL when that process dies, even by SIGKILL, so nothing it started outlives it.
   */
  dieWithParent?: number;
  /** An absolute library path the command (not the launcher) starts with preloaded: LD_PRELOAD, replacing an inherited one. */
  preload?: string;
}

export function launcherCommand(placement: LaunchPlacement, command: string[], options: LaunchOptions = {}): { file: string; args: string[] } {
  if (command.length === 0 || command[0] === '') {
    throw new AutotuneError('usage', 'cannot launch: no command given to run under the placement');
  }
  const args: string[] = [];
  if (placement.cpus !== null) {
    args.push('--cpus', formatCpuList(checkIds(placement.cpus, 'CPU', `launch ${command[0]} pinned`)));
  }
  const mems = checkMemPolicy(placement.memPolicy, placement.mems, `launch ${command[0]} with memory policy ${String(placement.memPolicy)}`);
  if (placement.memPolicy !== 'default') args.push('--policy', placement.memPolicy);
  if (mems.length > 0) args.push('--mems', formatCpuList(mems));
  if (options.dieWithParent !== undefined) args.push('--die-with-parent', String(options.dieWithParent));
  if (options.preload !== undefined) args.push('--preload', options.preload);
  const file = launcherPath();
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new AutotuneError('system', `cannot launch ${command[0]}: the launcher ${file} is missing or not executable; run npm run install to build it`);
  }
  return { file, args: [...args, '--', ...command] };
}
