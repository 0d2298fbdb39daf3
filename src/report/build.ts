import { AutotuneError } from '../errors.js';
import { paretoFront } from '../search/pareto.js';
import type { Store, StudyRecord, TrialRecord } from '../store/types.js';
import type { Fingerprint } from '../topology/types.js';
import { describeStudy } from './describe-study.js';
import { parameterEffects } from './effects.js';
import { configurationPoints } from './points.js';
import { capacitiesOf } from './capacity.js';
import { recommend } from './recommend.js';
import { REPORT_SCHEMA, type Report, type ReportTrial } from './types.js';
import { reportWarnings } from './warnings.js';

export interface ReportOptions {
  /** This machine's fingerprint, to warn when the study ran elsewhere; null skips the check. */
  here: Fingerprint | null;
}

/**
 * The study NAME, or with null the only (or most recently active) study of the database. An
 * unknown name lists the studies that are there.
 */
export function selectStudy(store: Store, name: string | null): StudyRecord {
  const studies = store.listStudies();
  if (studies.length === 0) throw new AutotuneError('input', `no studies in ${store.path} yet: run autotune tune first (or point --db at another database)`);
  if (name === null) {
    const latest = [...studies].sort((a, b) => (a.lastTrialAt ?? a.createdAt).localeCompare(b.lastTrialAt ?? b.createdAt)).at(-1)!;
    return store.getStudy(latest.name)!;
  }
  const study = store.getStudy(name);
  if (study === null) {
    throw new AutotuneError('input', `no study named "${name}" in ${store.path}; studies there: ${studies.map((s) => s.name).join(', ')}`);
  }
  return study;
}

/** Everything the report formats show, computed from the stored trials of one study. */
export function buildReport(store: Store, study: StudyRecord, options: ReportOptions): Report {
  const trials = store.listTrials(study.id);
  const points = configurationPoints(trials);
  if (points.length === 0) throw noCompletedTrial(study, trials);

  const machine = store.getMachine(study.machineId);
  const { definition, space, model, strategy, strategyUsed, strategyReason, userBatch } = describeStudy(study, machine?.topology ?? null);
  const sloMs = definition?.sloMs ?? null;
  const front = paretoFront(points);
  const baseline = points.find((p) => p.config.baseline && (userBatch === null || p.config.batch === userBatch)) ?? null;
  const capacities = capacitiesOf(trials, store.listStudyServingSteps(study.id), sloMs, userBatch);
  const recommendations = recommend({ front, points, trials, sloMs, userBatch, capacities });
  const deployments = store.listDeploymentChecks(study.id).map(({ latency, ...shown }) => shown);
  const onFront = new Set(front.map((p) => p.trialId));
  const count = (state: TrialRecord['state']): number => trials.filter((t) => t.state === state).length;

  return {
    schema: REPORT_SCHEMA,
    study: {
      id: study.id,
      name: study.name,
      state: study.state,
      createdAt: study.createdAt,
      model,
      modelPath: study.modelPath,
      strategy,
      strategyUsed,
      strategyReason,
      sloMs,
    },
    machine: {
      fingerprint: machine?.fingerprint ?? null,
      sameAsHere: machine === null || options.here === null ? null : machine.fingerprint.hash === options.here.hash,
    },
    counts: {
      trials: trials.length,
      complete: count('complete'),
      failed: count('failed'),
      pruned: count('pruned'),
      interrupted: count('interrupted'),
      running: count('running'),
      configurations: points.length,
      searched: points.filter((p) => !p.config.baseline).length,
      spaceSize: space?.size ?? null,
      leftOut: definition?.leftOut ?? [],
    },
    baseline,
    userBatch,
    front,
    dominated: points.length - front.length,
    points,
    recommendations,
    capacities,
    deployments,
    effects: parameterEffects(points),
    warnings: reportWarnings({
      store,
      study,
      trials,
      points,
      front,
      baseline,
      sloMs,
      studyMachine: machine?.fingerprint ?? null,
      here: options.here,
      space,
      capacities,
      deployments,
      picks: recommendations.map((r) => r.point),
    }),
    trials: trials.map((t) => reportTrial(t, onFront)),
  };
}

function noCompletedTrial(study: StudyRecord, trials: readonly TrialRecord[]): AutotuneError {
  const failed = trials.filter((t) => t.state === 'failed');
  const why = failed.length > 0 ? ` (${failed.length} failed; the first: ${failed[0]!.error ?? 'no reason stored'})` : '';
  return new AutotuneError(
    'input',
    `study "${study.name}" has no completed trial yet${why}: nothing to report; run autotune tune --study ${study.name}`,
  );
}

function reportTrial(t: TrialRecord, onFront: ReadonlySet<number>): ReportTrial {
  return {
    id: t.id,
    number: t.number,
    kind: t.kind,
    state: t.state,
    config: t.config,
    reason: t.reason,
    startedAt: t.startedAt,
    durationMs: t.durationMs,
    tps: t.tps,
    ips: t.ips,
    p50Ms: t.p50Ms,
    p90Ms: t.p90Ms,
    p99Ms: t.p99Ms,
    p999Ms: t.p999Ms,
    meanMs: t.meanMs,
    p99Ci: t.p99CiLow === null || t.p99CiHigh === null ? null : [t.p99CiLow, t.p99CiHigh],
    noisy: t.noisy,
    verified: t.verified,
    pinned: t.pinned,
    drift: t.drift,
    onFront: onFront.has(t.id),
    error: t.error,
  };
}

