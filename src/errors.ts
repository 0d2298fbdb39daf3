/**
 * The one error class of autotune. Anything a user can cause (bad input, a missing model, a node
 * that does not exist, a locked database) becomes an AutotuneError with a one-line message that
 * says what was wrong and how to fix it; the CLI's single top-level catch prints that line and
 * exits with `exitCode`. Anything else reaching the top is a bug and is reported as such.
 */
export type ErrorKind =
  | 'usage' // bad CLI flag or study field
  | 'input' // a file that is missing, malformed or incompatible
  | 'system' // the OS refused (errno), or a capability is missing
  | 'trial' // a trial failed while running
  | 'store' // database locked, corrupt, newer schema, mismatched machine/model
  | 'interrupted' // the user stopped the run (Ctrl-C, SIGINT)
  | 'terminated'; // something stopped the run with SIGTERM (a service manager, kill)

const EXIT_CODES: Record<ErrorKind, number> = {
  usage: 2,
  input: 3,
  system: 4,
  trial: 5,
  store: 6,
  interrupted: 130,
  // 128 + the signal, as a shell reports a process the signal ended.
  terminated: 143,
};

/** The kind of error a run stopped by `signal` ends with, so the exit code names the signal. */
export function stoppedBy(signal: NodeJS.Signals): ErrorKind {
  return signal === 'SIGTERM' ? 'terminated' : 'interrupted';
}

export class AutotuneError extends Error {
  readonly kind: ErrorKind;
  /** errno name (EINVAL, EPERM, ...) when the error came from a syscall. */
  readonly errno: string | undefined;

  constructor(kind: ErrorKind, message: string, options?: { errno?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AutotuneError';
    this.kind = kind;
    this.errno = options?.errno;
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/**
 * `text` as one line: control characters (newlines included) written as visible escapes. Error
 * messages quote names and paths that come from the database or the user; a newline in one must
 * not make the one-line error two lines, nor a generated file's comment a command.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export function isAutotuneError(e: unknown): e is AutotuneError {
  return e instanceof AutotuneError;
}
