import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AutotuneError } from '../errors.js';
import { formatCpuList, parseCpuList, parseCpuMask } from './cpulist.js';

/**
 * Reads files of one machine, live or a snapshot. `root` is a filesystem root (sysfs under
 * ROOT/sys, cgroup mounts under ROOT/<mount point>); `procRoot` is where procfs is (ROOT/proc
 * unless given). Collects warnings about what it had to work around, each once.
 */
export class FsReader {
  readonly warnings: string[] = [];
  private sawNul = false;
  private readonly masksUsed = new Set<string>();

  constructor(
    readonly root: string,
    readonly procRoot: string,
  ) {}

  /** ROOT/sys/devices/system/<rel> */
  sys(...rel: string[]): string {
    return join(this.root, 'sys', 'devices', 'system', ...rel);
  }

  proc(...rel: string[]): string {
    return join(this.procRoot, ...rel);
  }

  /** A path as it exists on the machine, placed under the root. */
  onMachine(machinePath: string): string {
    return join(this.root, machinePath);
  }

  exists(path: string): boolean {
    return existsSync(path);
  }

  isDir(path: string): boolean {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  }

  /** Directory entries, or [] when the directory is missing. */
  entries(path: string): string[] {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  }

  /** The file's text without trailing NUL bytes and whitespace, or null when it does not exist. */
  text(path: string): string | null {
    let raw: string;
    try {
      raw = readFileSync(path, 'latin1');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
      throw new AutotuneError('input', `cannot read ${path}: ${code ?? String(error)}`, { cause: error });
    }
    if (raw.includes('\0')) {
      if (!this.sawNul) this.warn(`files end in NUL bytes (first: ${path}); read without them`);
      this.sawNul = true;
    }
    return raw.replace(/[\0\s]+$/, '').replace(/\0/g, '');
  }

  /** An id file: null when missing; anything but an integer means a damaged snapshot, not id 0. */
  int(path: string): number | null {
    const t = this.text(path);
    if (t === null) return null;
    if (!/^-?\d+$/.test(t)) throw new AutotuneError('input', `${path} holds ${JSON.stringify(t.slice(0, 40))}, not an integer id: the sysfs tree is damaged`);
    return Number(t);
  }

  /**
   * A CPU/node set from the list file, else from the hex-mask file (old kernels have only masks).
   * null when neither exists; parse errors become input errors naming the file.
   */
  cpuSet(listPath: string, maskPath?: string): number[] | null {
    const list = this.text(listPath);
    if (list !== null) return this.parseText(list, listPath, 'list');
    if (maskPath === undefined) return null;
    const mask = this.text(maskPath);
    if (mask === null) return null;
    const kind = maskPath.replace(/.*\//, '');
    if (!this.masksUsed.has(kind)) {
      this.masksUsed.add(kind);
      this.warn(`no list file next to ${maskPath}: read the hex mask "${kind}" instead`);
    }
    return this.parseText(mask, maskPath, 'mask');
  }

  /** Text in list or hex-mask format; `what` names where it came from in error messages. */
  parseText(text: string, what: string, format: 'list' | 'mask'): number[] {
    return asInputError(() => (format === 'list' ? parseCpuList(text, what) : parseCpuMask(text, what)));
  }

  /** Like cpuSet, but the file must exist and list at least one id. */
  requiredCpuSet(listPath: string, maskPath?: string): number[] {
    const set = this.cpuSet(listPath, maskPath);
    if (set === null) {
      throw new AutotuneError('input', `${listPath} is missing: the tree is not a complete sysfs snapshot`);
    }
    if (set.length === 0) {
      throw new AutotuneError('input', `${listPath} is empty: expected a CPU list such as 0-3`);
    }
    return set;
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }
}

/** cpulist.ts reports bad syntax as a usage error (it also parses flags); in a file it is bad input. */
function asInputError(parse: () => number[]): number[] {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AutotuneError) throw new AutotuneError('input', error.message, { cause: error });
    throw error;
  }
}

export function intersect(a: readonly number[], b: readonly number[]): number[] {
  const set = new Set(b);
  return a.filter((x) => set.has(x));
}

export function minus(a: readonly number[], b: readonly number[]): number[] {
  const set = new Set(b);
  return a.filter((x) => !set.has(x));
}

export function listText(ids: readonly number[]): string {
  return ids.length === 0 ? '(none)' : formatCpuList(ids);
}
