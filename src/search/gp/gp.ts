import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { dimensionTerms, matern52, type DimKind } from './kernel.js';
import { nelderMead } from './nelder-mead.js';

/** Hyperparameters in standardised-target units. */
export interface GpHyperparameters {
  lengthScales: number[];
  signalVariance: number;
  noiseVariance: number;
}

export interface GpPrediction {
  /** Posterior mean of the latent (noise-free) function, in the units of y. */
  mean: Float64Array;
  /** Posterior variance of the latent function (observation noise excluded). */
  variance: Float64Array;
}

export interface GaussianProcess {
  readonly hyper: GpHyperparameters;
  /** Observation noise variance in the units of y. */
  readonly noiseVariance: number;
  /** Log marginal likelihood of the standardised targets at the fitted hyperparameters. */
  readonly logMarginalLikelihood: number;
  predict(points: readonly (readonly number[])[]): GpPrediction;
}

export interface FitOptions {
  /** Nelder-Mead evaluations of the final refinement; each costs one Cholesky of the n x n kernel matrix. */
  maxEvaluations?: number;
}

const MIN_NOISE = 1e-6;
const LOG_SCALE_BOUNDS: [number, number] = [Math.log(1e-2), Math.log(1e2)];
const LOG_VARIANCE_BOUNDS: [number, number] = [Math.log(1e-3), Math.log(1e2)];
const LOG_NOISE_BOUNDS: [number, number] = [Math.log(1e-8), Math.log(10)];

const clamp = (v: number, [lo, hi]: [number, number]): number => Math.min(hi, Math.max(lo, v));

/**
 * Weak log-normal priors (MAP rather than pure maximum likelihood) keep a fit on a handful of
 * points from collapsing to zero noise or infinite length scales: length scales centred on half
 * the unit range, unit signal variance, noise around 1% of the standardised variance.
 */
function logPrior(theta: readonly number[], dims: number): number {
  let lp = 0;
  for (let d = 0; d < dims; d++) lp -= (theta[d]! - Math.log(0.5)) ** 2 / (2 * 1.5 ** 2);
  lp -= theta[dims]! ** 2 / 2;
  lp -= (theta[dims + 1]! - Math.log(1e-2)) ** 2 / (2 * 2 ** 2);
  return lp;
}

function toHyper(theta: readonly number[], dims: number): GpHyperparameters {
  return {
    lengthScales: theta.slice(0, dims).map((t) => Math.exp(clamp(t, LOG_SCALE_BOUNDS))),
    signalVariance: Math.exp(clamp(theta[dims]!, LOG_VARIANCE_BOUNDS)),
    noiseVariance: MIN_NOISE + Math.exp(clamp(theta[dims + 1]!, LOG_NOISE_BOUNDS)),
  };
}

function scaledDistance(terms: readonly number[], inverseSquaredScales: readonly number[]): number {
  let r2 = 0;
  for (let d = 0; d < terms.length; d++) r2 += terms[d]! * inverseSquaredScales[d]!;
  return r2;
}

interface Factorised {
  cholesky: CholeskyDecomposition;
  alpha: Matrix;
  logLikelihood: number;
}

/**
 * Kernel matrix from the lower triangle mirrored (ml-matrix's Cholesky checks exact symmetry),
 * its Cholesky factor, and the log marginal likelihood; null when it is not positive definite.
 */
function factorise(terms: number[][][], y: Matrix, hyper: GpHyperparameters): Factorised | null {
  const n = terms.length;
  const inv = hyper.lengthScales.map((l) => 1 / (l * l));
  const k = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = hyper.signalVariance * matern52(scaledDistance(terms[i]![j]!, inv));
      k.set(i, j, v);
      k.set(j, i, v);
    }
    k.set(i, i, hyper.signalVariance + hyper.noiseVariance);
  }
  const cholesky = new CholeskyDecomposition(k);
  if (!cholesky.isPositiveDefinite()) return null;
  const alpha = cholesky.solve(y);
  const l = cholesky.lowerTriangularMatrix;
  let logDet = 0;
  let fit = 0;
  for (let i = 0; i < n; i++) {
    logDet += 2 * Math.log(l.get(i, i));
    fit += y.get(i, 0) * alpha.get(i, 0);
  }
  return { cholesky, alpha, logLikelihood: -0.5 * fit - 0.5 * logDet - 0.5 * n * Math.log(2 * Math.PI) };
}

/**
 * Fits a zero-mean GP to standardised targets: hyperparameters by maximising the log marginal
 * likelihood plus the log prior over log-parameters, Nelder-Mead from three fixed starts (short,
 * medium and long length scales), so the fit is deterministic.
 */
export function fitGp(
  x: readonly (readonly number[])[],
  y: readonly number[],
  kinds: readonly DimKind[],
  options: FitOptions = {},
): GaussianProcess {
  const n = x.length;
  const dims = kinds.length;
  if (n === 0 || y.length !== n) throw new RangeError(`fitGp needs as many targets as points (got ${n} and ${y.length})`);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const yVar = y.reduce((s, v) => s + (v - yMean) ** 2, 0) / n;
  const yStd = yVar > 1e-24 ? Math.sqrt(yVar) : 1;
  const ys = Matrix.columnVector(y.map((v) => (v - yMean) / yStd));
  const terms = x.map((a, i) => x.slice(0, i).map((b) => dimensionTerms(a, b, kinds)));

  const objective = (theta: readonly number[]): number => {
    const f = factorise(terms, ys, toHyper(theta, dims));
    return f === null ? Number.POSITIVE_INFINITY : -(f.logLikelihood + logPrior(theta, dims));
  };
  const maxEvaluations = options.maxEvaluations ?? 25 * (dims + 2);
  const starts = [
    [...new Array<number>(dims).fill(Math.log(0.5)), 0, Math.log(1e-2)],
    [...new Array<number>(dims).fill(Math.log(0.15)), 0, Math.log(1e-1)],
    [...new Array<number>(dims).fill(Math.log(2)), 0, Math.log(1e-4)],
  ];
  // A short run from each start, then the most promising one refined: nearly the quality of full
  // runs from every start at less than half the Cholesky factorisations.
  const scout = Math.max(dims + 3, Math.floor(maxEvaluations / 4));
  let best = { x: starts[0]!, value: Number.POSITIVE_INFINITY };
  for (const start of starts) {
    const r = nelderMead(objective, start, { step: 0.7, maxEvaluations: scout, tolerance: 1e-4 });
    if (r.value < best.value) best = r;
  }
  best = nelderMead(objective, best.x, { step: 0.3, maxEvaluations, tolerance: 1e-4 });
  const hyper = toHyper(best.x, dims);
  // The noise floor keeps K positive definite for any finite data, so this cannot be null unless
  // the inputs are degenerate beyond repair (NaN).
  const fitted = factorise(terms, ys, hyper);
  if (fitted === null) throw new RangeError('fitGp: kernel matrix is not positive definite (non-finite inputs?)');
  const inv = hyper.lengthScales.map((l) => 1 / (l * l));

  return {
    hyper,
    noiseVariance: hyper.noiseVariance * yStd * yStd,
    logMarginalLikelihood: fitted.logLikelihood,
    predict(points) {
      const m = points.length;
      const mean = new Float64Array(m);
      const variance = new Float64Array(m);
      if (m === 0) return { mean, variance };
      const cross = new Matrix(n, m);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          cross.set(i, j, hyper.signalVariance * matern52(scaledDistance(dimensionTerms(x[i]!, points[j]!, kinds), inv)));
        }
      }
      const solved = fitted.cholesky.solve(cross);
      for (let j = 0; j < m; j++) {
        let mu = 0;
        let explained = 0;
        for (let i = 0; i < n; i++) {
          const c = cross.get(i, j);
          mu += c * fitted.alpha.get(i, 0);
          explained += c * solved.get(i, j);
        }
        mean[j] = yMean + yStd * mu;
        variance[j] = yStd * yStd * Math.max(hyper.signalVariance - explained, 1e-12 * hyper.signalVariance);
      }
      return { mean, variance };
    },
  };
}
