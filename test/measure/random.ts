/** Seeded generators so every distribution test sees the same sample on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sample(n: number, seed: number, draw: (u: () => number) => number): number[] {
  const u = mulberry32(seed);
  return Array.from({ length: n }, () => draw(u));
}

export const uniform = (lo: number, hi: number) => (u: () => number): number => lo + (hi - lo) * u();
export const exponential = (mean: number) => (u: () => number): number => -mean * Math.log(1 - u());
/** Log-normal by Box-Muller: a latency-like long right tail. */
export const logNormal = (median: number, sigma: number) => (u: () => number): number =>
  median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));

/** Standard normal draws by Box-Muller, using both values of each pair (half the log and sqrt calls). */
export function gaussian(u: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const theta = 2 * Math.PI * u();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

/** Binomial(n, p) by inversion: cheap while n * p is small (a few steps on average). */
export function binomial(u: () => number, n: number, p: number): number {
  if (p >= 1) return n;
  let pmf = (1 - p) ** n;
  let cdf = pmf;
  let k = 0;
  const v = u();
  const odds = p / (1 - p);
  while (v > cdf && k < n) {
    pmf *= ((n - k) / (k + 1)) * odds;
    cdf += pmf;
    k++;
  }
  return k;
}

/**
 * Exact binomial CDF as a rational comparison, to check the floating-point code against known
 * values: whether P(X <= k) <= bNum/bDen for X ~ Binomial(n, num/den). BigInt arithmetic, so no
 * rounding at all: term i is C(n, i) num^i (den - num)^(n - i), each from the last exactly.
 */
export function exactCdfAtMost(k: number, n: number, num: bigint, den: bigint, bNum: bigint, bDen: bigint): boolean {
  const rest = den - num;
  let term = rest ** BigInt(n);
  let sum = 0n;
  for (let i = 0; i <= Math.min(k, n); i++) {
    sum += term;
    term = (term * BigInt(n - i) * num) / (BigInt(i + 1) * rest);
  }
  return sum * bDen <= bNum * den ** BigInt(n);
}
