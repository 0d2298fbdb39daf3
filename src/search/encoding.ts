import type { TrialConfig } from '../placement/types.js';
import type { DimKind } from './gp/kernel.js';

/**
 * Maps configurations of one search space to the GP's input vectors: processes, threads and batch
 * as log2 scaled to [0, 1] by the space's range (so the core limit P x T <= C becomes the linear
 * log2 P + log2 T <= log2 C), NUMA policy, SMT use and spinning as category indices compared by
 * 0/1 distance. Dimensions with a single value in the space carry no information and are left out.
 */
export interface Encoding {
  kinds: DimKind[];
  /** Which configuration field each dimension encodes, in order. */
  fields: EncodedField[];
  encode(config: TrialConfig): number[];
  /** Number of levels of each categorical dimension (0 for continuous ones). */
  levels: number[];
}

export type EncodedField = 'processes' | 'threads' | 'batch' | 'numa' | 'smt' | 'spinning';
const CONTINUOUS = ['processes', 'threads', 'batch'] as const;
const CATEGORICAL = ['numa', 'smt', 'spinning'] as const;

export function createEncoding(space: readonly TrialConfig[]): Encoding {
  const kinds: DimKind[] = [];
  const fields: EncodedField[] = [];
  const levels: number[] = [];
  const parts: Array<(c: TrialConfig) => number> = [];

  for (const field of CONTINUOUS) {
    const logs = space.map((c) => Math.log2(c[field]));
    const lo = Math.min(...logs);
    const hi = Math.max(...logs);
    if (!(hi > lo)) continue;
    kinds.push('continuous');
    fields.push(field);
    levels.push(0);
    parts.push((c) => (Math.log2(c[field]) - lo) / (hi - lo));
  }
  for (const field of CATEGORICAL) {
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
