// PROVISIONAL (replaced by the statistics branch): binomial SLO test with Bonferroni-spent looks.
export type SloVerdict = 'meets' | 'misses' | 'undecided';

export interface SloTest {
  update(requests: number, exceeding: number): SloVerdict;
  final(requests: number, exceeding: number): { verdict: SloVerdict };
}

/** P(X <= k), X ~ Binomial(n, p): pmf terms built one from the other, in log space. */
function cdf(n: number, p: number, k: number): number {
  const top = Math.min(k, n);
  let logPmf = n * Math.log1p(-p);
  let total = Math.exp(logPmf);
  const odds = Math.log(p) - Math.log1p(-p);
  for (let i = 0; i < top; i++) {
    logPmf += Math.log((n - i) / (i + 1)) + odds;
    total += Math.exp(logPmf);
    if (total >= 1) return 1;
  }
  return total;
}

export function createSloTest(options: { quantile?: number; confidence?: number } = {}): SloTest {
  const p = 1 - (options.quantile ?? 0.99);
  const alpha = 1 - (options.confidence ?? 0.95);
  let look = 0;
  let nextCheckpoint = 100;
  const decide = (n: number, k: number, a: number): SloVerdict => {
    if (n === 0) return 'undecided';
    if (cdf(n, p, k) < a) return 'meets';
    if (k > 0 && 1 - cdf(n, p, k - 1) < a) return 'misses';
    return 'undecided';
  };
  let settled: SloVerdict = 'undecided';
  return {
    update(n, k) {
      if (settled !== 'undecided' || n < nextCheckpoint) return settled;
      look++;
      while (nextCheckpoint <= n) nextCheckpoint = Math.ceil(nextCheckpoint * 1.5);
      settled = decide(n, k, (alpha * 6) / (Math.PI * Math.PI * look * look));
      return settled;
    },
    final(n, k) {
      if (settled !== 'undecided') return { verdict: settled };
      look++;
      return { verdict: decide(n, k, (alpha * 6) / (Math.PI * Math.PI * look * look)) };
    },
  };
}
