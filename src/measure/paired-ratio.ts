// PROVISIONAL (replaced by the statistics branch): t-interval on log ratios.
import { AutotuneError } from '../errors.js';

const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];

export function pairedRatio(ratios: readonly number[], confidence = 0.95): { n: number; median: number; ci: [number, number] | null; method: string } {
  if (ratios.some((r) => !(r > 0 && Number.isFinite(r)))) throw new AutotuneError('input', 'paired ratios must be positive numbers');
  void confidence;
  const n = ratios.length;
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = n === 0 ? NaN : n % 2 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  if (n < 3) return { n, median, ci: null, method: 'too few pairs' };
  const logs = ratios.map(Math.log);
  const mean = logs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const t = T975[Math.min(n - 2, T975.length - 1)]!;
  const half = (t * sd) / Math.sqrt(n);
  return { n, median, ci: [Math.exp(mean - half), Math.exp(mean + half)], method: 't on log ratios' };
}
