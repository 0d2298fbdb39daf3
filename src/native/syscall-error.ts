import { getSystemErrorMap } from 'node:util';
import { AutotuneError } from '../errors.js';

export interface SyscallFailure {
  errno: string;
  /** libuv's lower-case description, e.g. "invalid argument". */
  message: string;
}

/** The errno of an error thrown by the addon, or null when it is something else (a bug). */
export function syscallFailure(e: unknown): SyscallFailure | null {
  if (!(e instanceof Error) || typeof (e as { errno?: unknown }).errno !== 'number') return null;
  const errno = (e as unknown as { errno: number }).errno;
  const known = getSystemErrorMap().get(-errno);
  return known ? { errno: known[0], message: known[1] } : { errno: `errno ${errno}`, message: 'unknown error' };
}

export type Subject = 'thread' | 'process' | 'memory' | 'pages';

/** What a refusal means for placement and what to do about it; EINVAL callers say which ids are allowed. */
export function errnoHint(failure: SyscallFailure, subject: Subject): string {
  switch (failure.errno) {
    case 'ESRCH':
      return subject === 'process' ? 'no such process' : 'no such thread';
    case 'EPERM':
      if (subject === 'memory') {
        return "refused by the sandbox: memory policy needs CAP_SYS_NICE under Docker's default seccomp profile; run with --cap-add SYS_NICE";
      }
      if (subject === 'pages') return "refused by the sandbox: Docker's default seccomp profile always refuses move_pages";
      return 'not permitted: the thread belongs to another user, or the sandbox refuses it';
    case 'ENOSYS':
      return 'this kernel was built without this call (no NUMA support?)';
    default:
      return failure.message;
  }
}

/**
 * Turns an addon error into the one-line AutotuneError `cannot ACTION: ERRNO (hint)`; anything
 * that is not a syscall failure is a bug and is rethrown as it is.
 */
export function raiseSyscallError(e: unknown, action: string, hint: (failure: SyscallFailure) => string): never {
  if (e instanceof AutotuneError) throw e;
  const failure = syscallFailure(e);
  if (failure === null) throw e;
  throw new AutotuneError('system', `cannot ${action}: ${failure.errno} (${hint(failure)})`, { errno: failure.errno, cause: e });
}
