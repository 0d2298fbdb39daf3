/**
 * Derivative-free minimiser for the GP's few log-hyperparameters, where the marginal likelihood is
 * cheap to evaluate but its gradient is not worth the code. Standard Nelder-Mead (reflection 1,
 * expansion 2, contraction 1/2, shrink 1/2).
 */
export interface MinimizeOptions {
  /** Initial simplex edge along each coordinate. */
  step: number;
  maxEvaluations: number;
  /** Stop when the simplex's function values span less than this. */
  tolerance: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
}

export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  options: MinimizeOptions,
): MinimizeResult {
  const n = start.length;
  let evaluations = 0;
  // Non-finite values (e.g. a kernel matrix that is not positive definite) rank worst.
  const evaluate = (x: number[]): { x: number[]; value: number } => {
    evaluations++;
    const value = f(x);
    return { x, value: Number.isFinite(value) ? value : Number.POSITIVE_INFINITY };
  };
  const simplex = [evaluate([...start])];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = x[i]! + options.step;
    simplex.push(evaluate(x));
  }
  const combine = (a: number[], b: number[], t: number): number[] => a.map((ai, i) => ai + t * (b[i]! - ai));

  while (evaluations < options.maxEvaluations) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (worst.value - best.value < options.tolerance) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;

    const reflected = evaluate(combine(centroid, worst.x, -1));
    if (reflected.value < best.value) {
      const expanded = evaluate(combine(centroid, worst.x, -2));
      simplex[n] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < simplex[n - 1]!.value) {
      simplex[n] = reflected;
    } else {
      const outside = reflected.value < worst.value;
      const contracted = evaluate(combine(centroid, outside ? reflected.x : worst.x, 0.5));
      if (contracted.value < Math.min(worst.value, reflected.value)) {
        simplex[n] = contracted;
      } else {
        for (let i = 1; i <= n; i++) simplex[i] = evaluate(combine(best.x, simplex[i]!.x, 0.5));
      }
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  return { x: simplex[0]!.x, value: simplex[0]!.value, evaluations };
}
