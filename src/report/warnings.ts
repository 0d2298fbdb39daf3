import { unpinnedReasonIn } from '../runner/unpinned-note.js';
import { checkWarnings } from '../topology/health.js';
import type { Store, StudyRecord, TrialRecord } from '../store/types.js';
import type { Fingerprint } from '../topology/types.js';
import { configKey } from '../domain/config.js';
import { fmt } from './recommend.js';
import type { ReportCapacity, ReportDeployment, ReportPoint, ReportWarning } from './types.js';

export interface WarningInputs {
  store: Store;
  study: StudyRecord;
  trials: readonly TrialRecord[];
  points: readonly ReportPoint[];
  front: readonly ReportPoint[];
  baseline: ReportPoint | null;
  sloMs: number | null;
  studyMachine: Fingerprint | null;
  here: Fingerprint | null;
  capacities: readonly ReportCapacity[];
  deployments: readonly ReportDeployment[];
  /** The configurations the recommendations name. */
  picks: readonly ReportPoint[];
  /** Feasible configurations of the space and how many of its axes vary; null when unknown. */
  space: { size: number; variedAxes: number } | null;
}

/** What a careful engineer would point out before anyone deploys from this study. */
export function reportWarnings(input: WarningInputs): ReportWarning[] {
  const { study, trials, points, front, baseline, sloMs } = input;
  const out: ReportWarning[] = [];
  const add = (kind: ReportWarning['kind'], message: string): void => void out.push({ kind, message });

  if (sloMs !== null && points.length > 0 && !points.some((p) => p.p99Ms <= sloMs)) {
    const lowest = front[0]!;
    add('slo', `no configuration meets the ${fmt(sloMs)} ms SLO: the lowest p99 measured is ${fmt(lowest.p99Ms)} ms (${lowest.label}, trial ${lowest.trialId}); relax the SLO or deploy --pick latency`);
  }
  const lastCheck = input.deployments.at(-1);
  if (lastCheck !== undefined && lastCheck.comparison.verdict === 'missed') {
    add('promise-missed', `the deployed trial ${lastCheck.trialId} missed its promise when autotune verify last drove it (verify ${lastCheck.id}, ${lastCheck.startedAt}): ${lastCheck.comparison.reason}`);
  }
  const servedNone = input.capacities.filter((c) => !c.config.baseline);
  if (sloMs !== null && servedNone.length > 0 && servedNone.every((c) => c.capacityRps === null)) {
    const lowest = Math.min(...servedNone.map((c) => c.bracket[1]));
    add('slo', `no configuration sustains any rate tried at p99 <= ${fmt(sloMs)} ms open loop (${servedNone.length} measured, the lowest rate tried ${fmt(lowest)} req/s): relax the SLO, or deploy --pick latency and expect its p99 above the SLO under load`);
  }
  if (study.state !== 'complete') {
    add('state', `the study is ${study.state}: this report covers the trials finished so far (resume with autotune tune --study ${study.name})`);
  }
  if (baseline === null) add('baseline', 'no baseline measurement: the gain over onnxruntime\'s defaults is unknown');

  const unconfirmed = input.picks.filter((p) => !p.config.baseline && !trials.some((t) => t.kind === 'confirm' && t.state === 'complete' && configKey(t.config) === configKey(p.config)));
  if (unconfirmed.length > 0) {
    add('unconfirmed', `${unconfirmed.length} pick(s) not measured again beside the baseline yet (${list(unconfirmed)}): their figures are single measurements and their gains unpaired; resume the study (autotune tune --study ${study.name}) to confirm them`);
  }
  const noisy = front.filter((p) => p.noisy);
  if (noisy.length > 0) {
    const reasons = noisy.map((p) => trials.find((t) => t.id === p.trialId)?.noiseReasons[0]).find((r) => r !== undefined);
    const confirmed = noisy.filter((p) => trials.some((t) => t.kind === 'confirm' && configKey(t.config) === configKey(p.config)));
    const advice = confirmed.length === noisy.length ? 'most of their runs were noisy even when measured again: trust their order only as far as the gain intervals go' : 're-measure them (resume the study: it confirms noisy front points) before trusting the order';
    add('noisy', `${noisy.length} front point(s) measured noisily (${list(noisy)})${reasons ? `: ${reasons}` : ''}; ${advice}`);
  }
  const unverified = points.filter((p) => p.verified === false);
  if (unverified.length > 0) {
    const mismatch = input.store.getTrialResult(unverified[0]!.trialId)?.verification.mismatches[0];
    add('unverified', `placement did not verify for ${unverified.length} configuration(s) (${list(unverified)})${mismatch ? `: ${mismatch}` : ''}; their figures may not be for the placement they name`);
  }
  const unpinned = points.filter((p) => !p.config.baseline && !p.pinned);
  if (unpinned.length > 0) {
    const why = unpinnedReasonIn(input.store.getTrialResult(unpinned[0]!.trialId)?.plan.notes ?? []);
    add('unpinned', `${unpinned.length} configuration(s) ran unpinned, so placement was not applied and the OS placed their threads (${list(unpinned)})${why ? `; pinning was unavailable: ${why}` : ''}`);
  }
  if (input.studyMachine !== null && input.here !== null && input.studyMachine.hash !== input.here.hash) {
    const m = input.studyMachine;
    add('machine', `the study ran on another machine (${m.cpuModel}, ${m.threads} CPUs, fingerprint ${m.hash}; this one is ${input.here.hash}): its placements may not fit here`);
  }
  const drifted = trials.filter((t) => t.drift);
  if (drifted.length > 0) {
    add('drift', `${drifted.length} trial(s) were measured while the baseline drifted (${drifted[0]!.driftReason ?? 'baseline moved'}); they count only where a configuration has no clean measurement`);
  }
  for (const line of checkWarnings(study.machineChecks)) add('machine-check', `${line} (found when tune last started this study)`);
  const failed = trials.filter((t) => t.state === 'failed');
  if (failed.length > 0) add('failed', `${failed.length} trial(s) failed; the first: ${failed[0]!.error ?? 'no reason stored'}`);
  if (input.space !== null) {
    const searched = points.filter((p) => !p.config.baseline).length;
    const enough = Math.min(input.space.size, 10 + 2 * input.space.variedAxes);
    if (searched < enough) {
      add('coverage', `only ${searched} of ${input.space.size} configurations in the space were measured (a search over ${input.space.variedAxes} varied parameter(s) needs about ${enough}): the front may move with more trials`);
    }
  }
  return out;
}

function list(points: readonly ReportPoint[]): string {
  const shown = points.slice(0, 3).map((p) => `${p.label} trial ${p.trialId}`);
  return points.length > 3 ? `${shown.join(', ')}, ...` : shown.join(', ');
}
