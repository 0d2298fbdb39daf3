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
