import { axisEntries, type AxisName } from '../domain/axes.js';
import type { TrialConfig } from '../domain/config.js';
import type { DimKind } from './gp/kernel.js';

/**
 * Maps configurations of one search space to the GP's input vectors, each axis as the table says:
 * log2 axes (processes, threads, batch) scaled to [0, 1] by the space's range (so the core limit
 * P x T <= C becomes the linear log2 P + log2 T <= log2 C), categorical ones as category indices
 * compared by 0/1 distance. Axes with a single value in the space carry no information and are
 * left out.
 */
export interface Encoding {
  kinds: DimKind[];
  /** Which axis each dimension encodes, in order. */
  fields: AxisName[];
  encode(config: TrialConfig): number[];
  /** Number of levels of each categorical dimension (0 for continuous ones). */
  levels: number[];
}

export function createEncoding(space: readonly TrialConfig[]): Encoding {
  const kinds: DimKind[] = [];
  const fields: AxisName[] = [];
  const levels: number[] = [];
  const parts: Array<(c: TrialConfig) => number> = [];
  // Continuous dimensions first, then categorical ones: the GP's kernel reads them in that order.
  const entries = axisEntries();
  for (const [field] of entries.filter(([, a]) => a.encoding === 'log2')) {
    const logs = space.map((c) => Math.log2(c[field] as number));
    const lo = Math.min(...logs);
    const hi = Math.max(...logs);
    if (!(hi > lo)) continue;
    kinds.push('continuous');
    fields.push(field);
    levels.push(0);
    parts.push((c) => (Math.log2(c[field] as number) - lo) / (hi - lo));
  }
  for (const [field] of entries.filter(([, a]) => a.encoding === 'categorical')) {
    const values = [...new Set(space.map((c) => String(c[field])))].sort();
    if (values.length < 2) continue;
    kinds.push('categorical');
    fields.push(field);
    levels.push(values.length);
    // A value outside the space (e.g. a resumed study's old axis) differs from every level.
    parts.push((c) => values.indexOf(String(c[field])));
  }
  return { kinds, fields, levels, encode: (c) => parts.map((part) => part(c)) };
}

/** Squared distance in the encoding: squared differences plus one per differing category. */
export function encodedDistance(a: readonly number[], b: readonly number[], kinds: readonly DimKind[]): number {
  let d = 0;
  for (let i = 0; i < kinds.length; i++) {
    const diff = a[i]! - b[i]!;
    d += kinds[i] === 'categorical' ? (diff === 0 ? 0 : 1) : diff * diff;
  }
  return d;
}
