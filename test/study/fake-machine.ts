import { AutotuneError } from '../../src/errors.js';
import type { TrialConfig } from '../../src/domain/config.js';
import { capacityOf, nextCapacityRate, type RunTrialOptions, type ServingPlan, type ServingRequest } from '../../src/runner/index.js';
import type { ServingResult, ServingStep, TrialRequest, TrialResult } from '../../src/runner/types.js';
import { configKey } from '../../src/domain/config.js';
import type { StudyDependencies } from '../../src/study/loop.js';
import { topology, trialResult } from '../store/fixtures.js';
import { servingStep } from '../runner/steps.js';

/**
 * A machine whose speed a test sets: each configuration's throughput and p99 at full speed, the
 * speed of each run (by the order runs are made), and each configuration's capacity under an SLO.
 * The study loop runs on it through its dependencies; everything else (the store, the strategies,
 * the confirmation and serving phases, the reports) is the real code.
 */
export interface FakeMachine {
  perf(config: TrialConfig): { tps: number; p99Ms: number };
  /** Throughput factor of run `index` (0-based, closed-loop runs only); p99 moves by `p99Speed`. */
  speed?: (index: number, config: TrialConfig) => number;
  p99Speed?: (index: number, config: TrialConfig) => number;
  /** Requests/s a configuration sustains under an SLO. */
  capacity?: (config: TrialConfig, sloMs: number) => number;
}

export interface FakeRuns {
  dependencies: Partial<StudyDependencies>;
  /** Every closed-loop run, in order. */
  runs: TrialConfig[];
  /** Every capacity search: its configuration and the steps it was given to resume from. */
  searches: Array<{ config: TrialConfig; prior: number }>;
}

export function fakeMachine(machine: FakeMachine, options: { abortAfterSteps?: { count: number; controller: AbortController } } = {}): FakeRuns {
  const runs: TrialConfig[] = [];
  const searches: FakeRuns['searches'] = [];
  let stepsMade = 0;
  const runTrial = async (request: TrialRequest, opts: RunTrialOptions = {}): Promise<TrialResult> => {
    if (opts.signal?.aborted) throw new AutotuneError('interrupted', 'trial stopped before it finished (interrupted)');
    const index = runs.length;
    runs.push(request.config);
    const { tps, p99Ms } = machine.perf(request.config);
    const speed = machine.speed?.(index, request.config) ?? 1;
    const p99Speed = machine.p99Speed?.(index, request.config) ?? speed;
    const base = trialResult(request.config, index + 1);
    const p99 = p99Ms / p99Speed;
    opts.onEvent?.({ type: 'phase', phase: 'measuring' });
    return {
      ...base,
      tps: tps * speed,
      latency: { ...base.latency, p99, p99Ci: [p99 * 0.98, p99 * 1.02], p50: p99 / 3 },
      noisy: false,
      noiseReasons: [],
      verification: { verified: true, mismatches: [] },
    };
  };
  const runServing = async (request: ServingRequest, plan: ServingPlan, opts: RunTrialOptions = {}): Promise<ServingResult> => {
    if (plan.kind !== 'capacity') throw new Error('the fake machine serves capacity searches only');
    searches.push({ config: request.config, prior: plan.prior.length });
    const capacity = machine.capacity?.(request.config, plan.sloMs) ?? 0;
    const search = { sloMs: plan.sloMs, ceilingRps: plan.ceilingRps ?? machine.perf(request.config).tps, resolution: plan.resolution };
    const all: ServingStep[] = [...plan.prior];
    for (let rate = nextCapacityRate(search, all); rate !== null; rate = nextCapacityRate(search, all)) {
      if (opts.signal?.aborted) throw new AutotuneError('interrupted', 'trial stopped before it finished (interrupted)');
      const step = servingStep(rate, { sloMs: plan.sloMs, verdict: rate <= capacity ? 'meets' : 'misses', scheduled: 1000 });
      all.push(step);
      opts.onEvent?.({ type: 'stepFinished', index: all.length - 1, step });
      stepsMade++;
      if (options.abortAfterSteps && stepsMade === options.abortAfterSteps.count) options.abortAfterSteps.controller.abort();
    }
    const base = trialResult(request.config, 1);
    return {
      config: request.config,
      plan: base.plan,
      model: request.model,
      readBack: base.readBack,
      verification: { verified: true, mismatches: [] },
      load: request.load,
      closed: null,
      steps: all.slice(plan.prior.length),
      capacity: capacityOf(search, all),
      noisy: false,
      noiseReasons: [],
      onnxruntimeVersion: '1.30.0',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
    };
  };
  return {
    runs,
    searches,
    dependencies: { runTrial, runServing, readTopology: () => topology, pinningUnavailable: () => null },
  };
}

/** `configKey` of a run, for asserting on the order of runs. */
export const keyOf = configKey;
