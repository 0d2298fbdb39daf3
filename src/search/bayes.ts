import type { TrialConfig } from '../domain/config.js';
import { createEncoding } from './encoding.js';
import { expectedHypervolumeImprovement, feasibilityScore, normalCdf, type LogNormalPrediction } from './ehvi.js';
import { fitGp } from './gp/gp.js';
import { hypervolume2d } from './hypervolume.js';
import { spaceFillingDesign } from './initial-design.js';
import { dominates, paretoFront, type Objectives } from './pareto.js';
import { createRng } from './rng.js';
import { type Observation, type Proposal, type SearchContext, type Strategy } from './strategy.js';
import { configKey } from '../domain/config.js';

export interface BayesOptions {
  /** Size of the space-filling start (default: 2 x encoded dimensions + 2, at most a tenth of the space). */
  initial?: number;
  /** Most observations the GPs are fitted on; beyond it the best Pareto layers and the most recent are kept. */
  maxTrainingPoints?: number;
  /** Normal samples for the Monte Carlo expected hypervolume improvement. */
  monteCarloSamples?: number;
  /** Most configurations queued for re-measurement at the end of a budget. */
  maxRemeasure?: number;
  /** A configuration is never measured more often than this. */
  maxMeasurements?: number;
}

interface Measured {
  config: TrialConfig;
  observations: Observation[];
}

interface Summary extends Objectives {
  config: TrialConfig;
  noisy: boolean;
  measurements: number;
}

/** Within this factor on both objectives of the front counts as "near" it, for re-measurement. */
const NEAR_FRONT = 1.05;

/**
 * Multi-objective Bayesian optimisation over the enumerated space: one GP per objective (log TPS,
 * log p99), expected hypervolume improvement scored on every unmeasured feasible configuration,
 * after a seeded space-filling start. Pure given (context, seed): everything is recomputed from
 * the history on every call.
 */
export function createBayesStrategy(options: BayesOptions = {}): Strategy {
  const maxTrainingPoints = options.maxTrainingPoints ?? 60;
  const samples = options.monteCarloSamples ?? 128;
  const maxRemeasure = options.maxRemeasure ?? 5;
  const maxMeasurements = options.maxMeasurements ?? 2;

  return {
    name: 'bayes',
    next(context: SearchContext): Proposal | null {
      const measured = groupByConfig(context.history);
      const failed = new Set(context.failed.map(configKey));
      const candidates = context.space.filter((c) => !measured.has(configKey(c)) && !failed.has(configKey(c)));

      const remeasure = remeasureQueue([...measured.values()], context.sloMs, maxRemeasure, maxMeasurements);
      const endgame = context.remaining !== null && context.remaining <= remeasure.length;
      if (remeasure[0] !== undefined && (endgame || candidates.length === 0)) return remeasure[0];
      if (candidates.length === 0) return null;

      const encoding = createEncoding(context.space);
      const initial = options.initial ?? Math.min(2 * encoding.kinds.length + 2, Math.max(3, Math.floor(context.space.length / 10)));
      const modelled = [...measured.values()].filter((m) => !m.config.baseline);
      if (modelled.length < initial || modelled.length < 2) {
        const design = spaceFillingDesign(context.space, encoding, initial, createRng(context.seed));
        const pending = design.find((c) => !measured.has(configKey(c)) && !failed.has(configKey(c)));
        if (pending !== undefined) {
          return { config: pending, reason: `bayes: space-filling start ${modelled.length + 1}/${initial}` };
        }
        if (modelled.length < 2) {
          const rng = createRng(context.seed + modelled.length);
          return { config: candidates[rng.int(candidates.length)]!, reason: 'bayes: random start (design points failed)' };
        }
      }

      const training = selectTraining(modelled.flatMap((m) => m.observations), maxTrainingPoints);
      const x = training.map((o) => encoding.encode(o.config));
      const gpTps = fitGp(x, training.map((o) => safeLog(o.tps)), encoding.kinds);
      const gpP99 = fitGp(x, training.map((o) => safeLog(o.p99Ms)), encoding.kinds);
      const points = [...candidates, ...modelled.map((m) => m.config)].map((c) => encoding.encode(c));
      const tps = gpTps.predict(points);
      const p99 = gpP99.predict(points);
      const predictions: LogNormalPrediction[] = points.map((_, i) => ({
        logTpsMean: tps.mean[i]!,
        logTpsSd: Math.sqrt(tps.variance[i]!),
        logP99Mean: p99.mean[i]!,
        logP99Sd: Math.sqrt(p99.variance[i]!),
      }));

      const slo = context.sloMs;
      if (slo !== null && !context.history.some((o) => o.p99Ms <= slo)) {
        const best = argmax(candidates.length, (i) => feasibilityScore(predictions[i]!, slo) + 1e-9 * predictions[i]!.logTpsMean);
        const chance = normalCdf(feasibilityScore(predictions[best]!, slo));
        return { config: candidates[best]!, reason: `bayes: most likely to meet the ${slo} ms SLO (${(100 * chance).toFixed(0)}%)` };
      }

      // Measured points enter the front as the model's posterior means, so a lucky window does not
      // make a configuration look better than the model believes it is; the baseline is not
      // modelled (unpinned, onnxruntime's own threads) and enters as measured.
      const current: Objectives[] = modelled.map((_, j) => {
        const p = predictions[candidates.length + j]!;
        return { tps: Math.exp(p.logTpsMean), p99Ms: Math.exp(p.logP99Mean) };
      });
      for (const m of measured.values()) if (m.config.baseline) current.push(summarise(m));
      const ref: Objectives = { tps: 0, p99Ms: slo ?? 1.1 * Math.max(...current.map((c) => c.p99Ms)) };
      const front = paretoFront(current.filter((c) => c.tps > ref.tps && c.p99Ms < ref.p99Ms));
      const normals = normalPairs(samples, context.seed);
      const gains = candidates.map((_, i) => expectedHypervolumeImprovement(predictions[i]!, front, ref, normals));
      const best = argmax(candidates.length, (i) => gains[i]!);
      if (gains[best]! > 0) {
        const volume = hypervolume2d(front, ref);
        const gain = volume > 0 ? `${((100 * gains[best]!) / volume).toFixed(1)}%` : 'from an empty front';
        return { config: candidates[best]!, reason: `bayes: expected hypervolume gain ${gain}` };
      }
      // Nothing is expected to improve the front: learn where the model knows least.
      const unsure = argmax(candidates.length, (i) => predictions[i]!.logTpsSd + predictions[i]!.logP99Sd);
      return { config: candidates[unsure]!, reason: 'bayes: no expected gain left, exploring the least known' };
    },
  };
}

function groupByConfig(history: readonly Observation[]): Map<string, Measured> {
  const groups = new Map<string, Measured>();
  for (const o of history) {
    const key = configKey(o.config);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { config: o.config, observations: [o] });
    else group.observations.push(o);
  }
  return groups;
}

function summarise(m: Measured): Summary {
  const n = m.observations.length;
  return {
    config: m.config,
    tps: m.observations.reduce((s, o) => s + o.tps, 0) / n,
    p99Ms: m.observations.reduce((s, o) => s + o.p99Ms, 0) / n,
    noisy: m.observations.some((o) => o.noisy),
    measurements: Math.max(n, ...m.observations.map((o) => o.repeat)),
  };
}

/**
 * What to re-measure before the budget ends, most useful first: noisy configurations on or near the
 * front, then the rest of the front (highest TPS first), then other noisy ones. "Near" means a
 * point that would be non-dominated if it were 5% better on both objectives; with an SLO only
 * configurations within 5% of meeting it count. Each configuration is measured at most
 * `maxMeasurements` times, so the queue empties.
 */
function remeasureQueue(
  measured: readonly Measured[],
  sloMs: number | null,
  maxRemeasure: number,
  maxMeasurements: number,
): Proposal[] {
  const summaries = measured.filter((m) => !m.config.baseline).map(summarise);
  const contenders = sloMs === null ? summaries : summaries.filter((s) => s.p99Ms <= sloMs * NEAR_FRONT);
  const near = new Set(
    contenders.filter((s) => {
      const boosted = { tps: s.tps * NEAR_FRONT, p99Ms: s.p99Ms / NEAR_FRONT };
      return !contenders.some((o) => o !== s && dominates(o, boosted));
    }),
  );
  const open = summaries.filter((s) => s.measurements < maxMeasurements).sort((a, b) => b.tps - a.tps);
  const queue: Proposal[] = [
    ...open.filter((s) => s.noisy && near.has(s)).map((s) => ({ config: s.config, reason: 're-measure: noisy trial near the front' })),
    ...open.filter((s) => !s.noisy && near.has(s)).map((s) => ({ config: s.config, reason: 're-measure: on or near the front' })),
    ...open.filter((s) => s.noisy && !near.has(s)).map((s) => ({ config: s.config, reason: 're-measure: noisy trial' })),
  ];
  return queue.slice(0, maxRemeasure);
}

/**
 * The GP cost grows with the cube of its points; past the cap, keep half from the best Pareto
 * layers (where the acquisition needs accuracy) and fill the rest with the most recent.
 */
function selectTraining(observations: Observation[], cap: number): Observation[] {
  if (observations.length <= cap) return observations;
  const chosen = new Set<Observation>();
  let rest = observations;
  while (chosen.size < cap / 2 && rest.length > 0) {
    const layer = paretoFront(rest);
    for (const o of layer.slice(0, Math.ceil(cap / 2) - chosen.size)) chosen.add(o);
    const inLayer = new Set(layer);
    rest = rest.filter((o) => !inLayer.has(o));
  }
  for (let i = observations.length - 1; i >= 0 && chosen.size < cap; i--) chosen.add(observations[i]!);
  return observations.filter((o) => chosen.has(o));
}

function normalPairs(n: number, seed: number): Array<[number, number]> {
  const rng = createRng(seed ^ 0x5bd1e995);
  return Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
}

function argmax(n: number, score: (i: number) => number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (score(i) > score(best)) best = i;
  return best;
}

function safeLog(v: number): number {
  return Math.log(Math.max(v, 1e-9));
}
