import type { Plan, TrialConfig, WorkerPlan, MemPolicyMode, NumaPolicy, SmtUse } from '../domain/config.js';

/** Configurations and plans are shared vocabulary (domain/config.ts); re-exported for placement's callers. */
export type { Plan, TrialConfig, WorkerPlan, MemPolicyMode, NumaPolicy, SmtUse };

/** Whether a configuration can be placed here; `reason` is the one-line error planPlacement throws. */
export type Feasibility = { ok: true } | { ok: false; reason: string };

export interface PlanOptions {
  /** Let workers share CPUs (and P x T exceed the usable CPUs). */
  oversubscribe: boolean;
  /** False where pinning is unsupported: every worker gets all allowed CPUs, no memory policy. */
  pinning: boolean;
}
