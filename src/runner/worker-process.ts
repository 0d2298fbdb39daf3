import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { LD_PRELOAD } from '../domain/axes.js';
import type { LaunchPlacement } from '../native/index.js';
import { launcherCommand } from '../native/index.js';
import type { ParentMessage, WorkerMessage } from './messages.js';

/** The compiled worker entry next to this module (dist/src/runner/worker.js). */
export const WORKER_ENTRY = fileURLToPath(new URL('./worker.js', import.meta.url));

/** Lines of a worker's stderr kept for error messages (onnxruntime logs there). */
const STDERR_TAIL_LINES = 20;

export type WorkerMessageType = WorkerMessage['type'];
type MessageOf<T extends WorkerMessageType> = Extract<WorkerMessage, { type: T }>;

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerCallbacks {
  onMessage(worker: WorkerProcess, message: WorkerMessage): void;
  onExit(worker: WorkerProcess, exit: WorkerExit): void;
  onError(worker: WorkerProcess, error: Error): void;
  onStderrLine(worker: WorkerProcess, line: string): void;
}

/**
 * One worker child: spawned through the launcher (or node directly when unpinned, its allocator
 * then preloaded through its environment), with the IPC channel as fd 3 — the launcher execs node
 * in place, so the pid and the channel stay the same. The command line carries the trial's tag so
 * its processes can be found from outside.
 */
export class WorkerProcess {
  readonly pid: number;
  /** performance.now() of the last message (or of the spawn). */
  lastHeard = performance.now();
  exit: WorkerExit | null = null;
  readonly exited: Promise<WorkerExit>;
  private readonly child: ChildProcess;
  private readonly stderrTail: string[] = [];
  /** The latest message of each type. */
  private readonly received = new Map<WorkerMessageType, WorkerMessage>();
  private waiting: Array<{ accepts: (message: WorkerMessage) => boolean; resolve: (message: WorkerMessage) => void }> = [];

  constructor(
    readonly index: number,
    placement: LaunchPlacement | null,
    /** The allocator library the worker starts with preloaded, or null for glibc's malloc. */
    preload: string | null,
    tag: string,
    callbacks: WorkerCallbacks,
    /** Passed down as the worker's SHARED_COUNTERS_FD (stdio slot 4): the open-loop counters. */
    sharedFd: number | null = null,
  ) {
    const argv = [process.execPath, WORKER_ENTRY, '--autotune-trial', tag, '--worker', String(index)];
    // A worker must not outlive the tuner however it dies (SIGKILL included): the launcher sets the
    // parent-death signal before exec; an unpinned worker leaves when its IPC channel closes.
    const command = placement
      ? launcherCommand(placement, argv, { dieWithParent: process.pid, preload: preload ?? undefined })
      : { file: argv[0]!, args: argv.slice(1) };
    const env = placement === null && preload !== null ? { ...process.env, [LD_PRELOAD]: preload } : process.env;
    const stdio: Array<'ignore' | 'pipe' | 'ipc' | number> = ['ignore', 'pipe', 'pipe', 'ipc'];
    if (sharedFd !== null) stdio.push(sharedFd);
    this.child = spawn(command.file, command.args, { stdio, env });
    this.exited = new Promise((resolve) => {
      // 'close' comes once the process is reaped and its IPC channel has hit EOF; node emits the
      // channel's last messages on the next tick, so the exit is reported a turn later, after them.
      this.child.once('close', (code, signal) => {
        setImmediate(() => {
          this.exit = { code, signal };
          callbacks.onExit(this, this.exit);
          resolve(this.exit);
        });
      });
    });
    // A failed spawn (no pid) emits 'error' and never 'exit'; later errors (a send racing the
    // worker's exit) are followed by 'exit', which reports them.
    this.child.on('error', (error) => {
      if (this.child.pid === undefined) {
        this.exit = { code: null, signal: null };
        callbacks.onError(this, error);
      }
    });
    this.pid = this.child.pid ?? -1;
    this.child.stdout?.resume();
    this.child.stderr?.setEncoding('utf8');
    let partial = '';
    this.child.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim() !== '')) {
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
        callbacks.onStderrLine(this, line);
      }
    });
    this.child.on('message', (message: WorkerMessage) => {
      this.lastHeard = performance.now();
      this.received.set(message.type, message);
      const done = this.waiting.filter((w) => w.accepts(message));
      if (done.length > 0) this.waiting = this.waiting.filter((w) => !done.includes(w));
      for (const w of done) w.resolve(message);
      callbacks.onMessage(this, message);
    });
  }

  get alive(): boolean {
    return this.exit === null;
  }

  send(message: ParentMessage): void {
    if (this.alive && this.child.connected) this.child.send(message);
  }

  has(type: WorkerMessageType): boolean {
    return this.received.has(type);
  }

  /**
   * Resolves with a message of this type that `accepts` takes: at once when the latest one already
   * qualifies, else with the next that does (messages that repeat, like 'served', say which window).
   */
  when<T extends WorkerMessageType>(type: T, accepts: (message: MessageOf<T>) => boolean = () => true): Promise<MessageOf<T>> {
    const matches = (m: WorkerMessage): boolean => m.type === type && accepts(m as MessageOf<T>);
    const seen = this.received.get(type);
    if (seen && matches(seen)) return Promise.resolve(seen as MessageOf<T>);
    return new Promise((resolve) => this.waiting.push({ accepts: matches, resolve: (m) => resolve(m as MessageOf<T>) }));
  }

  /**
   * The stderr line that best says why the worker died: the launcher's refusal or the error line
   * of a Node crash (not its stack frames or the trailing "Node.js v20" banner), else the last line.
   */
  stderrReason(): string | null {
    const tail = [...this.stderrTail].reverse();
    return (
      tail.find((line) => /^autotune-launch:|^\w*Error\b.*:/.test(line)) ??
      tail.find((line) => !/^\s+at |^Node\.js v/.test(line)) ??
      null
    );
  }

  /** SIGKILL (the worker holds nothing that needs a clean shutdown) and wait until it is reaped. */
  async kill(): Promise<WorkerExit> {
    if (this.alive && this.pid > 0) this.child.kill('SIGKILL');
    return this.exit ?? this.exited;
  }
}
