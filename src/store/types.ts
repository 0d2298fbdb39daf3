import type { TrialConfig } from '../domain/config.js';
import type { HistogramSnapshot } from '../domain/latency.js';
import type { ArrivalProcess, CapacityOutcome, LoadSettings, ServingResult, ServingStep, TrialResult } from '../domain/results.js';
import type { PromiseComparison } from '../measure/index.js';
import type { MachineCheck } from '../topology/health.js';
import type { Fingerprint, Topology } from '../topology/types.js';

export type StudyState = 'running' | 'complete' | 'interrupted' | 'failed';
export const STUDY_STATES: readonly StudyState[] = ['running', 'complete', 'interrupted', 'failed'];

export type TrialState = 'running' | 'complete' | 'failed' | 'pruned' | 'interrupted';
export const TRIAL_STATES: readonly TrialState[] = ['running', 'complete', 'failed', 'pruned', 'interrupted'];

/**
 * Why a trial was run: a search proposal, a (re-)run of the baseline, a repeat of a measured
 * configuration, a confirmation run of a pick (paired with baseline runs), or a capacity search
 * under the SLO (open loop).
 */
export type TrialKind = 'search' | 'baseline' | 'repeat' | 'confirm' | 'capacity';
export const TRIAL_KINDS: readonly TrialKind[] = ['search', 'baseline', 'repeat', 'confirm', 'capacity'];

export interface MachineRecord {
  id: number;
  fingerprint: Fingerprint;
  topology: Topology;
}

export interface StudyRecord {
  id: number;
  name: string;
  /** The study definition as the study module validated it; the store keeps it as JSON. */
  definition: unknown;
  modelPath: string;
  modelSha256: string;
  machineId: number;
  createdAt: string;
  state: StudyState;
  /** The strategy the loop ran (what `auto` resolved to) and why; null before the first run says. */
  strategyUsed: string | null;
  strategyReason: string | null;
  /** What `autotune doctor`'s checks found when tune last ran the study. */
  machineChecks: MachineCheck[];
}

export interface NewStudy {
  name: string;
  definition: unknown;
  modelPath: string;
  modelSha256: string;
  machineId: number;
}

export interface StudyListing {
  id: number;
  name: string;
  state: StudyState;
  createdAt: string;
  modelPath: string;
  /** `definition.strategy` when the definition names one, else null. */
  strategy: string | null;
  /** Trials per state, every state present (0 when none). */
  counts: Record<TrialState, number>;
  total: number;
  /** When the latest trial started, null before the first. */
  lastTrialAt: string | null;
  /** Whether a tuner holds the study's lock and is alive; null when no lock is held at all. */
  tunerAlive: boolean | null;
}

export interface NewTrial {
  config: TrialConfig;
  reason: string;
  kind: TrialKind;
  /** A confirmation run of the baseline: the confirmation run it is paired with. */
  pairedWith?: number | null;
  /** Confirmation round (1, 2, 3...) of a confirm trial and of the baseline runs paired with it. */
  round?: number | null;
}

/** What a completed capacity trial found. */
export interface CapacityRecord {
  load: LoadSettings;
  capacity: CapacityOutcome;
}

export interface TrialRecord {
  id: number;
  studyId: number;
  /** 1, 2, 3... within the study, in the order the trials were started. */
  number: number;
  kind: TrialKind;
  state: TrialState;
  config: TrialConfig;
  reason: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Why it failed (failed), why it was pruned (pruned); null otherwise. */
  error: string | null;
  tps: number | null;
  ips: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  meanMs: number | null;
  p99CiLow: number | null;
  p99CiHigh: number | null;
  noisy: boolean;
  noiseReasons: string[];
  verified: boolean | null;
  pinned: boolean | null;
  drift: boolean;
  driftReason: string | null;
  pairedWith: number | null;
  round: number | null;
  /** Set on a completed capacity trial. */
  capacity: CapacityRecord | null;
}

/** One open-loop window of a capacity trial, as stored. */
export interface StoredStep {
  trialId: number;
  index: number;
  step: ServingStep;
}

/**
 * One `autotune verify` run: running servers driven open loop at the rate the study promised for
 * a pick, and what they delivered against that promise.
 */
export interface NewDeploymentCheck {
  /** The measured trial whose configuration was deployed. */
  trialId: number;
  /** The capacity trial that made the promise. */
  capacityTrialId: number;
  /** How the configuration was picked (slo, latency, knee or a trial id). */
  pick: string;
  /** The servers' base URLs, instance order. */
  targets: string[];
  sloMs: number;
  /** The rate the study promised (capacity under the SLO). */
  promisedRps: number;
  /** The rate verify offered (the promise, unless --rate said otherwise). */
  offeredRps: number;
  arrivals: ArrivalProcess;
  seed: number;
  warmupMs: number;
  durationMs: number;
  scheduled: number;
  completed: number;
  failed: number;
  firstFailure: string | null;
  censored: number;
  /** Responses that arrived inside the recorded window, per second of it. */
  deliveredRps: number;
  sendLatenessP99Us: number | null;
  comparison: PromiseComparison;
  latency: HistogramSnapshot;
  startedAt: string;
  finishedAt: string;
}

export interface DeploymentCheck extends NewDeploymentCheck {
  id: number;
  studyId: number;
}

/** A previous holder of a study lock whose process was gone, so the lock was taken over. */
export interface StaleLock {
  pid: number;
  host: string;
  startedAt: string;
  /** How it is known to be gone: its pid is gone or reused, a reboot, a heartbeat silent past the lease. */
  why: string;
}

/** Releases a study lock (idempotent); `tookOver` tells whether a dead tuner's lock was replaced. */
export interface StudyLockRelease {
  (): void;
  readonly tookOver: StaleLock | null;
}

export interface OpenStoreOptions {
  /** Open an existing database for reading only: no file is created and no migration runs. */
  readonly?: boolean;
  /** How long a write waits for another connection's write to finish (default 5000). */
  busyTimeoutMs?: number;
  /**
   * How long a lock holder whose pid cannot be checked from here (another host or PID namespace)
   * may miss heartbeats before its lock is taken over (default 30000).
   */
  lockLeaseMs?: number;
}

export interface Store {
  readonly path: string;
  /** Releases the locks this store took and closes the database (idempotent). */
  close(): void;

  upsertMachine(fingerprint: Fingerprint, topology: Topology): number;
  getMachine(id: number): MachineRecord | null;

  createStudy(study: NewStudy): StudyRecord;
  getStudy(name: string): StudyRecord | null;
  listStudies(): StudyListing[];
  setStudyState(studyId: number, state: StudyState): void;
  /** Stores the machine checks a tune run found at its start (replacing an earlier run's). */
  setMachineChecks(studyId: number, checks: readonly MachineCheck[]): void;
  /** Replaces the stored definition, e.g. when a resumed study is given a larger budget. */
  updateStudyDefinition(studyId: number, definition: unknown): void;
  /**
   * Only one tuner per study: throws AutotuneError('store') naming the holder when it is alive.
   * While held, a heartbeat keeps the lease; createTrial refuses once the lock was taken over.
   */
  acquireStudyLock(studyId: number): StudyLockRelease;

  /** A new trial in state 'running' with the next number of its study. */
  createTrial(studyId: number, trial: NewTrial): TrialRecord;
  /** Stores the whole result in one transaction; only a 'running' trial can complete. */
  completeTrial(trialId: number, result: TrialResult): void;
  failTrial(trialId: number, error: string): void;
  pruneTrial(trialId: number, reason: string): void;
  /** Marks the study's 'running' trials 'interrupted' (their tuner died); returns how many. */
  markInterrupted(studyId: number): number;
  listTrials(studyId: number): TrialRecord[];
  getTrial(trialId: number): TrialRecord | null;
  /** The full result of a completed trial (histogram, workers, read-back included), else null. */
  getTrialResult(trialId: number): TrialResult | null;
  /** Flags trials measured while the baseline moved; the only change a finished trial accepts. */
  flagDrift(trialIds: readonly number[], reason: string): void;

  /** Records the strategy the loop runs and why (auto's choice), shown by reports. */
  setStudyStrategy(studyId: number, strategy: string, reason: string): void;
  /** Stores one finished window of a running capacity trial, in its own transaction. */
  addServingStep(trialId: number, index: number, step: ServingStep): void;
  /** The stored windows of one trial, in order. */
  listServingSteps(trialId: number): StoredStep[];
  /** The stored windows of every trial of a study, by trial then window. */
  listStudyServingSteps(studyId: number): StoredStep[];
  /** Completes a capacity trial: what it found, and its placement as read back. */
  completeCapacityTrial(trialId: number, result: ServingResult): void;

  /** Stores one `autotune verify` run of the study in its own transaction; returns its id. */
  addDeploymentCheck(studyId: number, check: NewDeploymentCheck): number;
  /** The study's verify runs, oldest first. */
  listDeploymentChecks(studyId: number): DeploymentCheck[];
}
