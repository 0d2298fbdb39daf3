import { EventEmitter } from 'node:events';

/** A stand-in TTY for startDashboard: records what Ink writes, with a size that can change. */
export class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  readonly writes: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return true;
  }
  /** Ink's frames: writes that carry the dashboard, not bare cursor moves. */
  frames(): string[] {
    return this.writes.filter((w) => w.includes('autotune'));
  }
}

/** A stdin that is not a terminal: the dashboard then does not read keys. */
export class FakeInput extends EventEmitter {
  readonly isTTY = false;
}

export const asStdout = (t: FakeTerminal): NodeJS.WriteStream => t as unknown as NodeJS.WriteStream;
export const asStdin = (t: FakeInput): NodeJS.ReadStream => t as unknown as NodeJS.ReadStream;
