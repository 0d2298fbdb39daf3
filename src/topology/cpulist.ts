import { AutotuneError } from '../errors.js';

/**
 * The kernel's list format (cpuset(7)): `0-3,8-11`, `0-7:2` strides, empty for none.
 * sysfs files may end in a newline or a NUL byte; both are tolerated.
 */
export function parseCpuList(text: string, what = 'CPU list'): number[] {
  const trimmed = text.replace(/\0+$/, '').trim();
  if (trimmed === '') return [];
  const out = new Set<number>();
  for (const part of trimmed.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) {
      throw new AutotuneError('usage', `${what} "${trimmed}" is malformed at "${part}": use ids and ranges like 0-3,8,10-11`);
    }
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    const stride = m[3] === undefined ? 1 : Number(m[3]);
    if (hi < lo) {
      throw new AutotuneError('usage', `${what} "${trimmed}" has a descending range "${part}": write it low-high`);
    }
    if (stride < 1) throw new AutotuneError('usage', `${what} "${trimmed}" has a zero stride in "${part}"`);
    for (let i = lo; i <= hi; i += stride) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** Inverse of parseCpuList: ascending, deduplicated, ranges collapsed (`0-3,8`). */
export function formatCpuList(ids: Iterable<number>): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) end = sorted[++i]!;
    parts.push(start === end ? `${start}` : `${start}-${end}`);
    i++;
  }
  return parts.join(',');
}

/**
 * Hex masks (`cpumap`, `Cpus_allowed`): comma-separated 32-bit words, most significant first,
 * e.g. `00000000,000000ff`.
 */
export function parseCpuMask(text: string, what = 'CPU mask'): number[] {
  const trimmed = text.replace(/\0+$/, '').trim();
  if (trimmed === '') return [];
  const words = trimmed.split(',');
  const out: number[] = [];
  words.reverse().forEach((word, wordIndex) => {
    if (!/^[0-9a-fA-F]{1,8}$/.test(word)) {
      throw new AutotuneError('input', `${what} "${trimmed}" is not a hex mask of 32-bit words`);
    }
    const value = parseInt(word, 16);
    for (let bit = 0; bit < 32; bit++) {
      if (value & (1 << bit)) out.push(wordIndex * 32 + bit);
    }
  });
  return out.sort((a, b) => a - b);
}
