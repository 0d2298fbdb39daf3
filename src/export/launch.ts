import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { launcherCommand } from '../native/launcher.js';
import { VARIABLES } from '../runtime/index.js';
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

/** How often a stopped instance's process group is checked for leftovers. */
const GROUP_POLL_MS = 50;

/**
 * Runs `command` as the trial's P instances right away, each started placed by the native
 * launcher (CPU set and memory policy applied before exec, like the measured workers). When one
 * instance exits on its own the others are stopped too: a partial fleet is not the measured one.
 *
 * Nothing outlives the launch. Each instance leads a process group of its own, so a stop reaches
 * the processes it started too, and an instance counts as exited only once its whole group has
 * (leftovers get SIGKILL after the grace time). If autotune itself is killed, even by SIGKILL, the
 * launcher's death signal kills each instance, and a watchdog kills what their groups still hold.
 */
export function launchInstances(chosen: Chosen, command: readonly string[], options: LaunchOptions): Launched {
  const instances = instancesOf(chosen);
  // Resolve every launcher command first, so a refusal starts nothing rather than half a fleet.
  const commands = instances.map((inst) =>
    launcherCommand(
      { cpus: inst.cpus, memPolicy: inst.memPolicy, mems: inst.mems },
      command.map((arg) => expandPlaceholders(arg, inst.index, options.basePort)),
      { dieWithParent: process.pid },
    ),
  );
  const children: ChildProcess[] = instances.map((inst, i) =>
    spawn(commands[i]!.file, commands[i]!.args, {
      stdio: options.stdio,
      env: { ...process.env, ...inst.env, [VARIABLES.port]: String(options.basePort + inst.index) },
      // Its own session and process group: a signal to -pid reaches everything the instance started.
      detached: true,
    }),
  );
  const watchdog = startWatchdog(children.map((c) => c.pid).filter((pid): pid is number => pid !== undefined));
  let stopping = false;
  let graceOver = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    for (const c of children) signalGroup(c, signal);
    if (stopping) return;
    stopping = true;
    killTimer = setTimeout(() => {
      graceOver = true;
      for (const c of children) signalGroup(c, 'SIGKILL');
    }, options.graceMs);
    killTimer.unref();
  };
  const exited = Promise.all(
    children.map(
      (child, index) =>
        new Promise<InstanceExit>((resolve) => {
          const done = async (code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
            if (!stopping) stop();
            await groupEmptied(child, () => graceOver);
            resolve({ index, pid: child.pid ?? -1, code, signal });
          };
          child.once('exit', (code, signal) => void done(code, signal));
          child.once('error', () => void done(127, null));
        }),
    ),
  ).finally(() => {
    clearTimeout(killTimer);
    watchdog?.stdin?.end('done\n');
  });
  return { pids: children.map((c) => c.pid ?? -1), stop, exited };
}

/** Signals the instance's whole process group; a group already gone is fine. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: nothing is left in the group.
  }
}

function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once nothing is left in the instance's group; after the grace time, what is left gets SIGKILL. */
async function groupEmptied(child: ChildProcess, graceOver: () => boolean): Promise<void> {
  let killed = false;
  while (groupAlive(child)) {
    if (graceOver() && !killed) {
      signalGroup(child, 'SIGKILL');
      killed = true;
    } else if (killed) {
      // A SIGKILLed process that stays is a zombie nobody reaps (its parent is gone): it holds no CPU.
      return;
    }
    await new Promise((r) => setTimeout(r, GROUP_POLL_MS));
  }
}

/**
 * A shell that waits on a pipe from this process: when autotune ends in an orderly way it writes
 * "done" and the watchdog exits; when autotune dies the pipe closes without it, and the watchdog
 * kills every instance's process group. In a session of its own, so a terminal's Ctrl-C (which
 * autotune forwards itself) does not reach it.
 */
function startWatchdog(groups: readonly number[]): ChildProcess | null {
  if (groups.length === 0) return null;
  const kill = groups.map((pid) => `-${pid}`).join(' ');
  const watchdog = spawn('/bin/sh', ['-c', `read line; [ "$line" = done ] || kill -s KILL -- ${kill} 2>/dev/null`], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}
