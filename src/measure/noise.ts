import { coefficientOfVariation } from 'simple-statistics';

/**
 * Workers of one configuration do the same work on equal CPUs, so their throughputs should agree;
 * a coefficient of variation above 10% (perf_analyzer's agreement threshold for stable windows)
 * means something outside the configuration interfered: a busy neighbour, an unlucky core, a
 * worker starved by oversubscription.
 */
export const WORKER_TPS_CV_LIMIT = 0.1;

/** Coefficient of variation (sample) of the workers' TPS; 0 with fewer than two workers or no throughput. */
export function workerDisagreement(perWorkerTps: number[]): number {
  if (perWorkerTps.length < 2) return 0;
  if (perWorkerTps.reduce((sum, tps) => sum + tps, 0) <= 0) return 0;
  return coefficientOfVariation(perWorkerTps);
}

export interface NoiseEvidence {
  perWorkerTps: number[];
  /** The window's verdict from isStable. */
  stable: boolean;
  /** isStable's reason (or the runner's own) for that verdict. */
  stabilityReason: string;
}

const percent = (fraction: number): string => `${Math.round(fraction * 100)}%`;

/** Why a trial's figures should not be trusted as they are (empty when they can be). */
export function noiseReasons(evidence: NoiseEvidence): string[] {
  const reasons: string[] = [];
  const cv = workerDisagreement(evidence.perWorkerTps);
  if (cv > WORKER_TPS_CV_LIMIT) reasons.push(`workers disagree: TPS CV ${percent(cv)} > ${percent(WORKER_TPS_CV_LIMIT)}`);
  if (!evidence.stable) reasons.push(evidence.stabilityReason);
  return reasons;
}
