/**
 * Matérn 5/2 kernel with one length scale per dimension (ARD) over a mixed encoding: continuous
 * dimensions contribute their squared difference, categorical ones a 0/1 mismatch (Hamming), both
 * divided by their squared length scale inside the same distance, as Optuna's GPSampler does.
 */
export type DimKind = 'continuous' | 'categorical';

/** Per-dimension distance term between two encoded points, before length scaling. */
export function dimensionTerms(a: readonly number[], b: readonly number[], kinds: readonly DimKind[]): number[] {
  return kinds.map((kind, d) => {
    const diff = a[d]! - b[d]!;
    return kind === 'categorical' ? (diff === 0 ? 0 : 1) : diff * diff;
  });
}

/** Matérn 5/2 correlation at squared scaled distance r2 (1 at r = 0). */
export function matern52(r2: number): number {
  const s5r = Math.sqrt(5 * r2);
  return (1 + s5r + (5 / 3) * r2) * Math.exp(-s5r);
}
