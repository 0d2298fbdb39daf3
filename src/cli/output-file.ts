import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AutotuneError } from '../errors.js';

/**
 * Writes a file the user asked for (--html, export -o) whole or not at all: the content goes to a
 * temporary file beside it, is synced, and is renamed over the target, so a full disk, a
 * read-only file system or a kill mid-write never leaves a truncated page or an empty unit file.
 * Every refusal is one line naming the path and what to do.
 */
export function writeOutputFile(path: string, content: string, options: { mode?: number } = {}): void {
  if (isDirectory(path)) throw new AutotuneError('input', `cannot write ${path}: it is a directory; give a file path`);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', options.mode ?? 0o644);
    try {
      const bytes = Buffer.from(content);
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw writeError(path, error);
  }
}

/** mkdir -p for an output directory (export --format systemd -o DIR), with the same one-line refusals. */
export function makeOutputDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw writeError(path, error);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function writeError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return error;
  const why: Record<string, string> = {
    EROFS: 'the file system is read-only; choose another path',
    ENOSPC: 'the disk is full; free some space or choose another path',
    EDQUOT: 'the disk quota is exhausted; free some space or choose another path',
    EACCES: 'permission denied; choose a path you may write',
    EPERM: 'permission denied; choose a path you may write',
    ENOENT: `the directory ${dirname(path)} does not exist; create it or choose another path`,
    ENOTDIR: `a part of ${dirname(path)} is not a directory; choose another path`,
    EISDIR: 'it is a directory; give a file path',
    EEXIST: 'a file is in the way of the directory; choose another path',
  };
  return new AutotuneError('system', `cannot write ${path}: ${why[code] ?? `${code}; check the path and the disk`} (left as it was)`, {
    errno: code,
    cause: error,
  });
}
