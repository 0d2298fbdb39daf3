import type { RatioInterval } from '../measure/index.js';
import { formatSeconds } from '../measure/index.js';
import type { DeploymentCheck } from '../store/types.js';
import { ciText, fmt } from './recommend.js';

/** Past this share of the SLO, the generator's lateness is itself a reason the promise may be missed. */
const GENERATOR_LIMIT = 0.1;

const VERDICTS = { kept: 'KEPT', better: 'KEPT (better than promised)', missed: 'MISSED', undecided: 'UNDECIDED' } as const;

function ratioText(r: RatioInterval): string {
  return `${r.ratio.toFixed(3)}x [${r.ci === null ? 'no interval' : `${r.ci[0].toFixed(3)}-${r.ci[1].toFixed(3)}`}] (${r.method})`;
}

/** One `autotune verify` run in lines: the promise, what was offered and delivered, the ratios and the verdict. */
export function deploymentCheckLines(check: Omit<DeploymentCheck, 'latency'>): string[] {
  const c = check.comparison;
  const each = `${Number(((1 - (1 - c.confidence) / 2) * 100).toPrecision(6))}%`;
  const offered = check.offeredRps === check.promisedRps ? 'the promised rate' : `${fmt(check.offeredRps)} req/s (not the promise)`;
  return [
    `verify ${check.id} at ${check.startedAt}: trial ${check.trialId} (pick ${check.pick}) on ${check.targets.join(' ')}`,
    `promised  ${fmt(check.promisedRps)} req/s under the ${fmt(check.sloMs)} ms SLO (capacity trial ${check.capacityTrialId}), p99 ${fmt(c.promisedP99Ms)} ms there [${each} CI ${ciText(c.promisedP99Ci)}]`,
    `offered   ${offered}, ${check.arrivals} arrivals (seed ${check.seed}) for ${formatSeconds(check.durationMs)} after ${formatSeconds(check.warmupMs)} warm-up: ` +
      `${check.scheduled} requests, ${check.completed} answered, ${check.failed} failed, ${check.censored} unanswered${check.firstFailure === null ? '' : ` (first failure: ${check.firstFailure})`}`,
    `delivered ${fmt(check.deliveredRps)} req/s, p99 ${fmt(c.deliveredP99Ms)} ms from the scheduled arrival [${each} CI ${ciText(c.deliveredP99Ci)}]` +
      (check.sendLatenessP99Us === null ? '' : `; requests left p99 ${fmt(check.sendLatenessP99Us / 1000)} ms late (the generator's own error, charged to latency)`),
    ...(check.sendLatenessP99Us !== null && check.sendLatenessP99Us / 1000 > GENERATOR_LIMIT * check.sloMs
      ? [`warning   the generator itself fell behind (p99 ${fmt(check.sendLatenessP99Us / 1000)} ms late, over ${GENERATOR_LIMIT * 100}% of the SLO): on the servers' machine it competes with them; run verify from another host`]
      : []),
    `throughput delivered/offered ${ratioText(c.throughput)}`,
    `p99 delivered/promised ${ratioText(c.p99)}`,
    `verdict   ${VERDICTS[c.verdict]}: ${c.reason}`,
  ];
}

/** The heading every report format gives the verify runs. */
export const DEPLOYMENTS_HEADING = 'Deployed: promises checked by autotune verify (open loop over HTTP, latency from the scheduled arrival)';
