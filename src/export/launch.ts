import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { launcherCommand } from '../native/launcher.js';
import { expandPlaceholders, instancesOf } from './instances.js';
import type { Chosen } from './pick.js';

export interface LaunchOptions {
  basePort: number;
  stdio: StdioOptions;
  /** After a stop, how long instances get to exit before SIGKILL. */
  graceMs: number;
}

export interface InstanceExit {
  index: number;
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Launched {
  pids: number[];
  /** Sends `signal` to every instance still running (SIGKILL after the grace time); idempotent. */
  stop(signal?: NodeJS.Signals): void;
  /** Resolves once every instance has exited, in instance order. */
  exited: Promise<InstanceExit[]>;
}

/**
 * Runs `command` as the trial's P instances right away, each started placed by the native
 * launcher (CPU set and memory policy applied before exec, like the measured workers). When one
 * instance exits on its own the others are stopped too: a partial fleet is not the measured one.
 */
export function launchInstances(chosen: Chosen, command: readonly string[], options: LaunchOptions): Launched {
  const instances = instancesOf(chosen.result);
  // Resolve every launcher command first, so a refusal starts nothing rather than half a fleet.
  const commands = instances.map((inst) =>
    launcherCommand(
      { cpus: inst.cpus, memPolicy: inst.memPolicy, mems: inst.mems },
      command.map((arg) => expandPlaceholders(arg, inst.index, options.basePort)),
    ),
  );
  const children: ChildProcess[] = instances.map((inst, i) =>
    spawn(commands[i]!.file, commands[i]!.args, {
      stdio: options.stdio,
      env: { ...process.env, ...inst.env, AUTOTUNE_PORT: String(options.basePort + inst.index) },
    }),
  );
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;
  const running = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    for (const c of children) if (running(c)) c.kill(signal);
    if (stopping) return;
    stopping = true;
    killTimer = setTimeout(() => {
      for (const c of children) if (running(c)) c.kill('SIGKILL');
    }, options.graceMs);
    killTimer.unref();
  };
  const exited = Promise.all(
    children.map(
      (child, index) =>
        new Promise<InstanceExit>((resolve) => {
          const done = (code: number | null, signal: NodeJS.Signals | null): void => {
            if (!stopping) stop();
            resolve({ index, pid: child.pid ?? -1, code, signal });
          };
          child.once('exit', done);
          child.once('error', () => done(127, null));
        }),
    ),
  ).finally(() => clearTimeout(killTimer));
  return { pids: children.map((c) => c.pid ?? -1), stop, exited };
}
