import { AutotuneError, isAutotuneError } from '../errors.js';
import { AUTO } from '../domain/axes.js';
import type { TrialConfig } from '../domain/config.js';
import { pinningUnavailable as probePinning, runServing as realRunServing, runTrial as realRunTrial } from '../runner/index.js';
import type { ModelInfo, RunnerEvent, ServingResult, TrialResult } from '../runner/types.js';
import { capacitiesOf } from '../report/capacity.js';
import { strategyLabel } from '../report/describe-study.js';
import { baselineConfig, buildSpace, machineOf, resolveAuto } from '../search/space.js';
import { type Observation, type SearchContext, type Strategy } from '../search/strategy.js';
import { configKey } from '../domain/config.js';
import { openStore as realOpenStore, type Store, type StudyRecord, type TrialKind, type TrialRecord } from '../store/index.js';
import { fingerprint, onnxruntimeVersion } from '../topology/fingerprint.js';
import { checkWarnings, runMachineChecks, type MachineCheck } from '../topology/health.js';
import { readTopology as realReadTopology } from '../topology/read-topology.js';
import type { Topology } from '../topology/types.js';
import { resolveModel } from '../workload/resolve-model.js';
import { createStrategy, estimateTrialMs, resolveStrategy } from '../search/choose-strategy.js';
import { nextConfirmationRun } from './confirm.js';
import { driftBetween, driftBounds, type BaselineRun } from './drift.js';
import type { StudyEvent, StudyEventListener, StudyInfo, StudySummary } from './events.js';
import { createOrResumeStudy } from './open-study.js';
import { inputOptions, loadSettings, measureSettings, servingMeasureSettings, userBatch, type StudyDefinition } from '../domain/study.js';
import { nextCapacityRun, type CapacityRun } from './serving-phase.js';
import { summarizeTrials } from './summary.js';

/**
 * What the loop runs trials with, reads the machine with and stores into. The defaults are the real
 * ones; a test injects a runner whose speed it controls, to check exactly which trials drift flags.
 */
export interface StudyDependencies {
  runTrial: typeof realRunTrial;
  runServing: typeof realRunServing;
  readTopology: () => Topology;
  openStore: (path: string) => Store;
  /** Why trials run unpinned here, or null when they can be pinned. */
  pinningUnavailable: () => string | null;
  /** autotune doctor's checks, run once at the start. */
  checkMachine: (topology: Topology) => Promise<MachineCheck[]>;
}

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
  dependencies?: Partial<StudyDependencies>;
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
/** Rate steps a capacity search usually takes (bisection to 5% of the ceiling). */
const TYPICAL_CAPACITY_STEPS = 5;
/** The later phases get at most this share of a time budget; the search the rest. */
const MAX_RESERVE = 0.5;

/**
 * The study loop: open the store, fingerprint the machine, resolve the model, create or resume the
 * study under its lock, then ask -> trial -> tell until the budget, the time or the space runs out,
 * or the caller's signal stops it. Trial 1 is the baseline; the baseline is re-run every N trials or
 * minutes to detect drift. Then the picks are confirmed against paired baseline runs and, with an
 * SLO, the candidates' capacity under it is measured open loop. Every completed measurement is
 * committed before the next trial starts.
 */
export async function runStudy(options: RunStudyOptions): Promise<StudyOutcome> {
  const deps: StudyDependencies = {
    runTrial: realRunTrial,
    runServing: realRunServing,
    readTopology: realReadTopology,
    openStore: realOpenStore,
    pinningUnavailable: () => probePinning(),
    checkMachine: (topology) => runMachineChecks(topology),
    ...options.dependencies,
  };
  const topology = deps.readTopology();
  // `auto` is written out for this machine once, here: the study stores (and resumes) the
  // configurations it searched, and says what it left out.
  const resolved = resolveAuto(options.definition.space, machineOf(topology));
  const definition: StudyDefinition = { ...options.definition, space: resolved.space, leftOut: resolved.leftOut };
  const emit = (event: DistributiveOmit<StudyEvent, 'time'>): void => options.onEvent?.({ ...event, time: new Date().toISOString() } as StudyEvent);
  const machine = fingerprint(topology, onnxruntimeVersion());
  const machineChecks = await deps.checkMachine(topology);
  const unpinned = deps.pinningUnavailable();
  const space = buildSpace(unpinned === null ? definition : withoutPlacementAxes(definition), topology);
  const model = await resolveModel(definition.model.spec, { cacheDir: options.cacheDir });

  const store = deps.openStore(options.dbPath);
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
      if (unpinned !== null && (listed(definition.space.numa).length > 1 || listed(definition.space.smt).length > 1)) {
        warnings.push(`trials run unpinned here (${unpinned}): numa and smt settings would all run the same way, so only numa none, smt ${listed(definition.space.smt)[0]} is searched`);
      }
      const interrupted = store.markInterrupted(study.id);
      if (interrupted > 0) warnings.push(`${interrupted} trial(s) of an earlier run were interrupted: they will be run again`);
      store.setStudyState(study.id, 'running');

      const trials = store.listTrials(study.id);
      const trialMs = estimateTrialMs(definition.measure, durations(trials));
      const choice = resolveStrategy(definition, space.configs.length, trialMs);
      store.setStudyStrategy(study.id, choice.name, choice.reason);
      const strategy = createStrategy(definition, choice.name);
      const info: StudyInfo = {
        studyId: study.id,
        name: definition.name,
        model: model.name,
        strategy: strategyLabel(definition.strategy, strategy.name) ?? strategy.name,
        strategyReason: choice.reason,
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
        leftOut: definition.leftOut,
        machineWarnings: machineChecks.filter((c) => c.status === 'warn').map((c) => `${c.id}: ${c.finding}`),
      };
      emit({ type: 'studyStarted', study: info });
      for (const message of warnings) emit({ type: 'warning', message });

      const session = new StudySession(deps, store, study, definition, topology, model, strategy, space.configs, emit, options);
      const reason = await session.run();
      const summary = summarizeTrials(store.listTrials(study.id), store.listStudyServingSteps(study.id), definition.sloMs, userBatch(definition, space.configs.map((c) => c.batch)));
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
 * search re-measures where it sees fit, so only a trial budget bounds it. Confirmation and capacity
 * trials come on top of the plan.
 */
function plannedTrials(definition: StudyDefinition, strategy: Strategy, spaceSize: number): number | null {
  const whole = strategy.name === 'bayes' ? null : spaceSize * definition.repeats + 1;
  if (definition.budget.trials !== null) return Math.min(definition.budget.trials, whole ?? Infinity);
  return definition.budget.time !== null ? null : whole;
}

/** The search's own trials: those the budget and the plan count. */
function isCounted(t: TrialRecord): boolean {
  return t.kind === 'search' || t.kind === 'repeat';
}

/**
 * The trials that count against the budget and the plan: the first baseline and every search or
 * repeat trial that completed or failed. Drift re-runs and confirmation runs of the baseline,
 * confirmation and capacity trials are not counted, and interrupted trials are run again.
 */
function countedTrials(trials: readonly TrialRecord[]): number {
  const done = trials.filter((t) => t.state === 'complete' || t.state === 'failed');
  return done.filter(isCounted).length + (done.some((t) => t.kind === 'baseline') ? 1 : 0);
}

function durations(trials: readonly TrialRecord[]): number[] {
  return trials.filter((t) => t.state === 'complete' && t.kind !== 'capacity' && t.durationMs !== null).map((t) => t.durationMs!);
}

/** One run of the loop over a locked study. */
class StudySession {
  readonly #startedAt = Date.now();
  readonly #userBatch: number;

  constructor(
    private readonly deps: StudyDependencies,
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
    this.#userBatch = userBatch(definition, space.map((c) => c.batch));
  }

  async run(): Promise<FinishReason> {
    const searched = await this.#search();
    if (searched === 'interrupted') return searched;
    for (;;) {
      if (this.#stopped()) return 'interrupted';
      if (this.#outOfTime()) return 'time';
      const trials = this.store.listTrials(this.study.id);
      const steps = this.store.listStudyServingSteps(this.study.id);
      const served = capacitiesOf(trials, steps, this.definition.sloMs, this.#userBatch).filter((c) => !c.config.baseline && c.capacityRps !== null);
      const confirmation = nextConfirmationRun(trials, {
        sloMs: this.definition.sloMs,
        pairs: this.definition.confirm.pairs,
        userBatch: this.#userBatch,
        baselineAt: (batch) => this.#baselineAt(batch),
        served: served.map((c) => c.config),
      });
      if (confirmation !== null) {
        const ok = await this.#measure(confirmation.config, confirmation.reason, confirmation.kind, { pairedWith: confirmation.pairedWith, round: confirmation.round });
        if (!ok) return 'interrupted';
        continue;
      }
      const sloMs = this.definition.sloMs;
      if (sloMs === null) return searched;
      const capacity = nextCapacityRun(trials, steps, {
        sloMs,
        configurations: this.definition.serving.configurations,
        userBatch: this.#userBatch,
        baselineAt: (batch) => this.#baselineAt(batch),
      });
      if (capacity === null) return searched;
      if (!(await this.#serve(capacity, sloMs))) return 'interrupted';
    }
  }

  /** The closed-loop search: baseline first, then the strategy's proposals, with drift checks. */
  async #search(): Promise<FinishReason> {
    for (;;) {
      if (this.#stopped()) return 'interrupted';
      const trials = this.store.listTrials(this.study.id);
      const baselines = trials.filter((t) => t.kind === 'baseline' && (t.state === 'complete' || t.state === 'failed'));
      if (baselines.length === 0) {
        // Trial 1: the reference every report states its gain against.
        if (!(await this.#measure(this.#baselineAt(this.#userBatch), 'baseline: onnxruntime defaults, unpinned', 'baseline'))) return 'interrupted';
        continue;
      }
      const budgetUsed = countedTrials(trials);
      const budget = this.definition.budget;
      if (budget.trials !== null && budgetUsed >= budget.trials) return 'budget';
      if (budget.time !== null && Date.now() - this.#startedAt >= budget.time * 1000 - this.#reserveMs(trials)) return 'time';
      const drift = this.#driftCheckDue(trials);
      if (drift !== null) {
        if (!(await this.#measure(this.#baselineAt(this.#userBatch), drift, 'baseline'))) return 'interrupted';
        continue;
      }
      const proposal = this.strategy.next(this.#context(trials, budget.trials === null ? null : budget.trials - budgetUsed));
      if (!proposal) return 'exhausted';
      const key = configKey(proposal.config);
      const measured = trials.filter((t) => t.state === 'complete' && isCounted(t) && configKey(t.config) === key).length;
      if (measured >= this.definition.repeats + MAX_EXTRA_MEASUREMENTS) {
        this.emit({ type: 'warning', message: `${this.strategy.name} proposed ${key} again after ${measured} measurements: stopping the search` });
        return 'exhausted';
      }
      if (!(await this.#measure(proposal.config, proposal.reason, measured > 0 ? 'repeat' : 'search'))) return 'interrupted';
    }
  }

  #stopped(): boolean {
    return (this.options.signal?.aborted ?? false) || (this.options.abortNow?.aborted ?? false);
  }

  #outOfTime(): boolean {
    const time = this.definition.budget.time;
    return time !== null && Date.now() - this.#startedAt >= time * 1000;
  }

  /**
   * Time the confirmation and serving phases will need, kept from the search's share of a time
   * budget: the picks' paired runs, then a capacity search per candidate.
   */
  #reserveMs(trials: readonly TrialRecord[]): number {
    const trialMs = estimateTrialMs(this.definition.measure, durations(trials));
    const confirming = 3 * this.definition.confirm.pairs * 2 * trialMs;
    const serving = this.definition.sloMs === null ? 0 : (this.definition.serving.configurations + 1) * TYPICAL_CAPACITY_STEPS * this.definition.serving.maxTime * 1000;
    return Math.min(MAX_RESERVE * (this.definition.budget.time ?? 0) * 1000, confirming + serving);
  }

  #baselineAt(batch: number): TrialConfig {
    return baselineConfig(this.topology, batch);
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

  /** The drift baseline runs: the user's batch, not paired with a confirmation run. */
  #driftRuns(trials: readonly TrialRecord[]): TrialRecord[] {
    return trials.filter((t) => t.kind === 'baseline' && t.state === 'complete' && t.pairedWith === null && t.config.batch === this.#userBatch);
  }

  /**
   * Why the baseline is due again, or null: after N search trials or M minutes since its last run;
   * and once more right after a run that showed drift, so a disturbed baseline run is measured again.
   */
  #driftCheckDue(trials: readonly TrialRecord[]): string | null {
    const { everyTrials, everyMinutes } = this.definition.drift;
    const runs = this.#driftRuns(trials);
    const last = runs.at(-1);
    if (last === undefined) return null;
    const after = trials.filter((t) => t.number > last.number && t.state === 'complete');
    const since = after.filter(isCounted).length;
    if (after.length === 0 && runs.length >= 2) {
      const before = runs.at(-2)!;
      const between = trials.filter((t) => t.number > before.number && t.number < last.number);
      if (between.length > 0 && this.#verdict(runs, before, last).drifted) return 'baseline: drift seen, measured again to tell a disturbed run from a changed machine';
    }
    if (since === 0) return null;
    if (everyTrials !== null && since >= everyTrials) return 'baseline: drift check';
    const sinceMs = Date.now() - Date.parse(last.finishedAt ?? last.startedAt);
    return everyMinutes !== null && sinceMs >= everyMinutes * 60_000 ? 'baseline: drift check' : null;
  }

  #verdict(runs: readonly TrialRecord[], before: TrialRecord, after: TrialRecord) {
    const asRun = (t: TrialRecord): BaselineRun => ({ trialId: t.id, number: t.number, tps: t.tps!, p99Ms: t.p99Ms! });
    return driftBetween(asRun(before), asRun(after), driftBounds(runs.map(asRun), this.definition.drift.threshold));
  }

  /** Runs and records one closed-loop trial; false when the run was stopped (the trial is then marked interrupted). */
  async #measure(config: TrialConfig, reason: string, kind: TrialKind, pairing: { pairedWith?: number | null; round?: number | null } = {}): Promise<boolean> {
    const trial = this.store.createTrial(this.study.id, { config, reason, kind, ...pairing });
    const started = Date.now();
    const counted = isCounted(trial) || (kind === 'baseline' && !this.store.listTrials(this.study.id).some((t) => t.kind === 'baseline' && t.id !== trial.id));
    this.emit({ type: 'trialStarted', trialId: trial.id, number: trial.number, config, reason, kind, counted });
    const result = await this.#run(trial, config, started, (onEvent) =>
      this.deps.runTrial(
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
    );
    if (result === 'stopped') return false;
    if (result === 'failed') return true;
    this.store.completeTrial(trial.id, result);
    this.emit({ type: 'trialFinished', trialId: trial.id, number: trial.number, result, durationMs: Date.now() - started });
    if (kind === 'baseline' && trial.pairedWith === null && config.batch === this.#userBatch) this.#checkDrift(trial);
    return true;
  }

  /** One capacity search under the SLO, each window stored as it ends; false when stopped. */
  async #serve(run: CapacityRun, sloMs: number): Promise<boolean> {
    const trial = this.store.createTrial(this.study.id, { config: run.config, reason: run.reason, kind: 'capacity' });
    const started = Date.now();
    this.emit({ type: 'trialStarted', trialId: trial.id, number: trial.number, config: run.config, reason: run.reason, kind: 'capacity', counted: false });
    let stored = 0;
    const result = await this.#run(trial, run.config, started, (onEvent) =>
      this.deps.runServing(
        {
          config: run.config,
          model: this.model,
          inputs: inputOptions(this.definition),
          measure: servingMeasureSettings(this.definition),
          oversubscribe: this.definition.oversubscribe,
          topology: this.topology,
          load: loadSettings(this.definition),
        },
        { kind: 'capacity', sloMs, ceilingRps: run.ceilingRps, resolution: this.definition.serving.resolution, prior: run.prior },
        {
          signal: this.options.signal,
          onEvent: (e) => {
            if (e.type === 'stepFinished') this.store.addServingStep(trial.id, stored++, e.step);
            onEvent(e);
          },
        },
      ),
    );
    if (result === 'stopped') return false;
    if (result === 'failed') return true;
    this.store.completeCapacityTrial(trial.id, result);
    this.emit({ type: 'capacityFinished', trialId: trial.id, number: trial.number, result, durationMs: Date.now() - started });
    return true;
  }

  /** Runs a trial's measurement with its events forwarded; a failure is stored, a stop marks it interrupted. */
  async #run<T extends TrialResult | ServingResult>(
    trial: TrialRecord,
    config: TrialConfig,
    started: number,
    measure: (onEvent: (e: RunnerEvent) => void) => Promise<T>,
  ): Promise<T | 'stopped' | 'failed'> {
    const onEvent = (e: RunnerEvent): void => {
      if (e.type === 'phase') this.emit({ type: 'trialPhase', trialId: trial.id, phase: e.phase });
      else if (e.type === 'progress') this.emit({ type: 'trialProgress', trialId: trial.id, progress: e.progress });
      else if (e.type === 'stepStarted') this.emit({ type: 'servingStep', trialId: trial.id, index: e.index, offeredRps: e.offeredRps, step: null });
      else if (e.type === 'stepFinished') this.emit({ type: 'servingStep', trialId: trial.id, index: e.index, offeredRps: e.step.offeredRps, step: e.step });
      else this.emit({ type: 'warning', message: `trial ${trial.number}: ${e.message}` });
    };
    try {
      return await untilAborted(measure(onEvent), this.options.abortNow);
    } catch (error) {
      if (this.#stopped()) {
        this.store.markInterrupted(this.study.id);
        return 'stopped';
      }
      if (!isAutotuneError(error)) {
        this.store.markInterrupted(this.study.id);
        throw error;
      }
      this.store.failTrial(trial.id, error.message);
      this.emit({ type: 'trialFailed', trialId: trial.id, number: trial.number, config, error: error.message, durationMs: Date.now() - started });
      return 'failed';
    }
  }

  /**
   * Judges the trials since the previous drift run of the baseline against it and this one: when
   * the two moved beyond the bound (TPS or p99), those trials are flagged.
   */
  #checkDrift(rerun: TrialRecord): void {
    const trials = this.store.listTrials(this.study.id);
    const runs = this.#driftRuns(trials);
    const index = runs.findIndex((t) => t.id === rerun.id);
    if (index < 1) return;
    const before = runs[index - 1]!;
    const after = runs[index]!;
    const verdict = this.#verdict(runs.slice(0, index + 1), before, after);
    if (!verdict.drifted) return;
    const flagged = trials
      .filter((t) => t.number > before.number && t.number < after.number && t.kind !== 'baseline' && t.state === 'complete')
      .map((t) => t.id);
    this.store.flagDrift(flagged, verdict.reason);
    this.emit({
      type: 'baselineDrift',
      trialId: rerun.id,
      referenceTps: before.tps!,
      measuredTps: after.tps!,
      referenceP99Ms: before.p99Ms!,
      measuredP99Ms: after.p99Ms!,
      reason: verdict.reason,
      flaggedTrials: flagged,
    });
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
  const smt = listed(definition.space.smt).slice(0, 1);
  return { ...definition, space: { ...definition.space, numa: ['none'], smt } };
}

/** A choice spec once resolveAuto has written it out. */
function listed<V>(spec: readonly V[] | typeof AUTO): readonly V[] {
  if (spec === AUTO) throw new Error('the study space was not resolved for this machine');
  return spec;
}
