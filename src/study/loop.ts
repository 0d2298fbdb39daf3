import { AutotuneError, isAutotuneError } from '../errors.js';
import type { TrialConfig } from '../placement/types.js';
import { pinningUnavailable, runTrial } from '../runner/index.js';
import type { ModelInfo, RunnerEvent, TrialResult } from '../runner/types.js';
import { strategyLabel } from '../report/describe-study.js';
import { baselineConfig, buildSpace } from '../search/space.js';
import { configKey, type Observation, type SearchContext, type Strategy } from '../search/strategy.js';
import { openStore, type Store, type StudyRecord, type TrialKind, type TrialRecord } from '../store/index.js';
import { fingerprint, onnxruntimeVersion } from '../topology/fingerprint.js';
import { checkWarnings, runMachineChecks } from '../topology/health.js';
import { readTopology } from '../topology/read-topology.js';
import type { Topology } from '../topology/types.js';
import { resolveModel } from '../workload/resolve-model.js';
import { chooseStrategy } from './choose-strategy.js';
import { driftVerdict } from './drift.js';
import type { StudyEvent, StudyEventListener, StudyInfo, StudySummary } from './events.js';
import { createOrResumeStudy } from './open-study.js';
import { inputOptions, measureSettings, type StudyDefinition } from './schema.js';
import { summarizeTrials } from './summary.js';

export interface RunStudyOptions {
  definition: StudyDefinition;
  dbPath: string;
  /** Where built-in models are generated. */
  cacheDir: string;
  /** Resume on another machine or with a changed model. */
  force?: boolean;
  /** Stop: abort the current trial cleanly (its workers torn down), save, finish as interrupted. */
  signal?: AbortSignal;
  /** Stop now: do not wait for the current trial's teardown; what is complete is saved already. */
  abortNow?: AbortSignal;
  onEvent?: StudyEventListener;
}

export type FinishReason = Extract<StudyEvent, { type: 'studyFinished' }>['reason'];

export interface StudyOutcome {
  studyId: number;
  reason: FinishReason;
  summary: StudySummary;
}

/**
 * A configuration re-proposed after this many measurements beyond the asked repeats ends the
 * search: a strategy stuck on one point would otherwise spend a time-only budget on it.
 */
const MAX_EXTRA_MEASUREMENTS = 2;

/**
 * The study loop: open the store, fingerprint the machine, resolve the model, create or resume the
 * study under its lock, then ask -> trial -> tell until the budget, the time or the space runs out,
 * or the caller's signal stops it. Trial 1 is the baseline; the baseline is re-run every N trials or
 * minutes to detect drift. Every completed measurement is committed before the next trial starts.
 */
export async function runStudy(options: RunStudyOptions): Promise<StudyOutcome> {
  const { definition } = options;
  const emit = (event: DistributiveOmit<StudyEvent, 'time'>): void => options.onEvent?.({ ...event, time: new Date().toISOString() } as StudyEvent);
  const topology = readTopology();
  const machine = fingerprint(topology, onnxruntimeVersion());
  const machineChecks = await runMachineChecks(topology);
  const unpinned = pinningUnavailable();
  const space = buildSpace(unpinned === null ? definition : withoutPlacementAxes(definition), topology);
  const model = await resolveModel(definition.model.spec, { cacheDir: options.cacheDir });
  const strategy = chooseStrategy(definition, space.configs.length);

  const store = openStore(options.dbPath);
  try {
    const machineId = store.upsertMachine(machine, topology);
    const opened = createOrResumeStudy(store, { definition, model, machineId, fingerprint: machine, force: options.force ?? false });
    const release = store.acquireStudyLock(opened.study.id);
    try {
      const study = opened.study;
      store.setMachineChecks(study.id, machineChecks);
      const warnings = [...opened.warnings, ...checkWarnings(machineChecks).map((line) => `machine check ${line}`)];
      if (release.tookOver) {
        warnings.push(`took over the lock of a tuner that died (pid ${release.tookOver.pid} on ${release.tookOver.host}, started ${release.tookOver.startedAt})`);
      }
      if (opened.resumed && JSON.stringify(study.definition) !== JSON.stringify(definition)) {
        store.updateStudyDefinition(study.id, definition);
        warnings.push(`the study definition changed since "${definition.name}" began: continuing with the new one, completed trials kept`);
      }
      if (unpinned !== null && (definition.space.numa.length > 1 || definition.space.smt.length > 1)) {
        warnings.push(`trials run unpinned here (${unpinned}): numa and smt settings would all run the same way, so only numa none, smt ${definition.space.smt[0]} is searched`);
      }
      const interrupted = store.markInterrupted(study.id);
      if (interrupted > 0) warnings.push(`${interrupted} trial(s) of an earlier run were interrupted: they will be run again`);
      store.setStudyState(study.id, 'running');

      const trials = store.listTrials(study.id);
      const info: StudyInfo = {
        studyId: study.id,
        name: definition.name,
        model: model.name,
        strategy: strategyLabel(definition.strategy, strategy.name) ?? strategy.name,
        sloMs: definition.sloMs,
        dbPath: store.path,
        plannedTrials: plannedTrials(definition, strategy, space.configs.length),
        completedTrials: countedTrials(trials),
        resumed: opened.resumed,
        machine: {
          cpuModel: topology.cpuModel,
          nodes: topology.nodes.length,
          cores: topology.cores.length,
          threads: topology.online.length,
          usableCpus: topology.allowed.cpus.length,
        },
        spaceSize: space.configs.length,
        infeasibleDropped: space.infeasibleDropped,
        machineWarnings: machineChecks.filter((c) => c.status === 'warn').map((c) => `${c.id}: ${c.finding}`),
      };
      emit({ type: 'studyStarted', study: info });
      for (const message of warnings) emit({ type: 'warning', message });

      const session = new StudySession(store, study, definition, topology, model, strategy, space.configs, emit, options);
      const reason = await session.run();
      const summary = summarizeTrials(store.listTrials(study.id), definition.sloMs);
      store.setStudyState(study.id, reason === 'interrupted' ? 'interrupted' : 'complete');
      emit({ type: 'studyFinished', studyId: study.id, reason, summary });
      return { studyId: study.id, reason, summary };
    } finally {
      release();
    }
  } finally {
    store.close();
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
type Emit = (event: DistributiveOmit<StudyEvent, 'time'>) => void;

/**
 * Grid and random measure each configuration `repeats` times, so the space bounds them; Bayesian
 * search re-measures where it sees fit, so only a trial budget bounds it.
 */
function plannedTrials(definition: StudyDefinition, strategy: Strategy, spaceSize: number): number | null {
  const whole = strategy.name === 'bayes' ? null : spaceSize * definition.repeats + 1;
  if (definition.budget.trials !== null) return Math.min(definition.budget.trials, whole ?? Infinity);
  return definition.budget.time !== null ? null : whole;
}

/**
 * The trials that count against the budget and the plan: the first baseline and every search or
 * repeat trial that completed or failed. Drift re-runs of the baseline are not counted, and
 * interrupted trials are run again.
 */
function countedTrials(trials: readonly TrialRecord[]): number {
  const done = trials.filter((t) => t.state === 'complete' || t.state === 'failed');
  return done.filter((t) => t.kind !== 'baseline').length + (done.some((t) => t.kind === 'baseline') ? 1 : 0);
}

/** One run of the loop over a locked study. */
class StudySession {
  readonly #startedAt = Date.now();
  readonly #baseline: TrialConfig;

  constructor(
    private readonly store: Store,
    private readonly study: StudyRecord,
    private readonly definition: StudyDefinition,
    private readonly topology: Topology,
    private readonly model: ModelInfo,
    private readonly strategy: Strategy,
    private readonly space: readonly TrialConfig[],
    private readonly emit: Emit,
    private readonly options: RunStudyOptions,
  ) {
    this.#baseline = baselineConfig(topology, Math.min(...space.map((c) => c.batch)));
  }

  async run(): Promise<FinishReason> {
    for (;;) {
      if (this.options.signal?.aborted || this.options.abortNow?.aborted) return 'interrupted';
      const trials = this.store.listTrials(this.study.id);
      const baselines = trials.filter((t) => t.kind === 'baseline' && (t.state === 'complete' || t.state === 'failed'));
      if (baselines.length === 0) {
        // Trial 1: the reference every report states its gain against.
        if (!(await this.#measure(this.#baseline, 'baseline: onnxruntime defaults, unpinned', 'baseline', true))) return 'interrupted';
        continue;
      }
      const budgetUsed = countedTrials(trials);
      const budget = this.definition.budget;
      if (budget.trials !== null && budgetUsed >= budget.trials) return 'budget';
      if (budget.time !== null && Date.now() - this.#startedAt >= budget.time * 1000) return 'time';
      if (this.#driftCheckDue(trials)) {
        if (!(await this.#measure(this.#baseline, 'baseline: drift check', 'baseline', false))) return 'interrupted';
        continue;
      }
      const proposal = this.strategy.next(this.#context(trials, budget.trials === null ? null : budget.trials - budgetUsed));
      if (!proposal) return 'exhausted';
      const key = configKey(proposal.config);
      const measured = trials.filter((t) => t.state === 'complete' && configKey(t.config) === key).length;
      if (measured >= this.definition.repeats + MAX_EXTRA_MEASUREMENTS) {
        this.emit({ type: 'warning', message: `${this.strategy.name} proposed ${key} again after ${measured} measurements: stopping the search` });
        return 'exhausted';
      }
      if (!(await this.#measure(proposal.config, proposal.reason, measured > 0 ? 'repeat' : 'search', true))) return 'interrupted';
    }
  }

  #context(trials: readonly TrialRecord[], remaining: number | null): SearchContext {
    const seen = new Map<string, number>();
    const history: Observation[] = [];
    for (const t of trials) {
      if (t.state !== 'complete' || t.tps === null || t.p99Ms === null) continue;
      const key = configKey(t.config);
      const repeat = (seen.get(key) ?? 0) + 1;
      seen.set(key, repeat);
      history.push({ config: t.config, tps: t.tps, p99Ms: t.p99Ms, noisy: t.noisy || t.drift, repeat });
    }
    return {
      space: this.space,
      history,
      failed: trials.filter((t) => t.state === 'failed' && !t.config.baseline).map((t) => t.config),
      sloMs: this.definition.sloMs,
      seed: this.definition.seed,
      remaining,
    };
  }

  /** Due after N search trials or M minutes since the last baseline run, and only with a reference to compare to. */
  #driftCheckDue(trials: readonly TrialRecord[]): boolean {
    const { everyTrials, everyMinutes } = this.definition.drift;
    const reference = trials.find((t) => t.kind === 'baseline' && t.state === 'complete');
    if (!reference) return false;
    const lastBaseline = trials.filter((t) => t.kind === 'baseline' && t.state === 'complete').at(-1)!;
    const since = trials.filter((t) => t.number > lastBaseline.number && t.kind !== 'baseline' && t.state === 'complete').length;
    if (since === 0) return false;
    if (everyTrials !== null && since >= everyTrials) return true;
    const sinceMs = Date.now() - Date.parse(lastBaseline.finishedAt ?? lastBaseline.startedAt);
    return everyMinutes !== null && sinceMs >= everyMinutes * 60_000;
  }

  /** Runs and records one trial; false when the run was stopped (the trial is then marked interrupted). */
  async #measure(config: TrialConfig, reason: string, kind: TrialKind, counted: boolean): Promise<boolean> {
    const trial = this.store.createTrial(this.study.id, { config, reason, kind });
    const started = Date.now();
    this.emit({ type: 'trialStarted', trialId: trial.id, number: trial.number, config, reason, counted });
    const onEvent = (e: RunnerEvent): void => {
      if (e.type === 'phase') this.emit({ type: 'trialPhase', trialId: trial.id, phase: e.phase });
      else if (e.type === 'progress') this.emit({ type: 'trialProgress', trialId: trial.id, progress: e.progress });
      else this.emit({ type: 'warning', message: `trial ${trial.number}: ${e.message}` });
    };
    let result: TrialResult;
    try {
      result = await untilAborted(
        runTrial(
          {
            config,
            model: this.model,
            inputs: inputOptions(this.definition),
            measure: measureSettings(this.definition),
            oversubscribe: this.definition.oversubscribe,
            topology: this.topology,
          },
          { signal: this.options.signal, onEvent },
        ),
        this.options.abortNow,
      );
    } catch (error) {
      if (this.options.signal?.aborted || this.options.abortNow?.aborted) {
        this.store.markInterrupted(this.study.id);
        return false;
      }
      if (!isAutotuneError(error)) {
        this.store.markInterrupted(this.study.id);
        throw error;
      }
      this.store.failTrial(trial.id, error.message);
      this.emit({ type: 'trialFailed', trialId: trial.id, number: trial.number, config, error: error.message, durationMs: Date.now() - started });
      return true;
    }
    this.store.completeTrial(trial.id, result);
    this.emit({ type: 'trialFinished', trialId: trial.id, number: trial.number, result, durationMs: Date.now() - started });
    if (kind === 'baseline') this.#checkDrift(trial, result);
    return true;
  }

  /**
   * Compares a re-run of the baseline with the first one. When it moved beyond the threshold and
   * both confidence intervals, the trials measured since the previous baseline run are flagged:
   * the machine changed speed somewhere in that window.
   */
  #checkDrift(rerun: TrialRecord, measured: TrialResult): void {
    const trials = this.store.listTrials(this.study.id);
    const baselines = trials.filter((t) => t.kind === 'baseline' && t.state === 'complete');
    const reference = baselines[0];
    if (!reference || reference.id === rerun.id) return;
    const referenceResult = this.store.getTrialResult(reference.id);
    if (!referenceResult) return;
    const verdict = driftVerdict(referenceResult, measured, this.definition.drift.threshold);
    if (!verdict.drifted) return;
    const previous = baselines.filter((t) => t.number < rerun.number).at(-1)!;
    const flagged = trials
      .filter((t) => t.number > previous.number && t.number < rerun.number && t.kind !== 'baseline' && t.state === 'complete')
      .map((t) => t.id);
    const percent = (verdict.change * 100).toFixed(0);
    this.store.flagDrift(
      flagged,
      `baseline moved ${percent}% (${referenceResult.tps.toFixed(1)} -> ${measured.tps.toFixed(1)} samples/s, bound ±${(verdict.bound * 100).toFixed(0)}%) between trials ${previous.number} and ${rerun.number}`,
    );
    this.emit({ type: 'baselineDrift', trialId: rerun.id, referenceTps: referenceResult.tps, measuredTps: measured.tps, flaggedTrials: flagged });
  }
}

/** Resolves or rejects with the promise, or rejects as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AutotuneError('interrupted', 'stopped'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Unpinned, every numa policy and smt use gives the same plan (the OS places everything), so
 * searching them would measure one placement several times under different names and let noise
 * pick a "winner" among them.
 */
function withoutPlacementAxes(definition: StudyDefinition): StudyDefinition {
  const smt = definition.space.smt.slice(0, 1);
  return { ...definition, space: { ...definition.space, numa: ['none'], smt } };
}
