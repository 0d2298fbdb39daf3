/**
 * One candidate configuration and the placement plan derived from it.
 */
export type NumaPolicy = 'none' | 'local' | 'interleave' | 'spread';
export const NUMA_POLICIES: readonly NumaPolicy[] = ['none', 'local', 'interleave', 'spread'];

/** 'cores': one hardware thread per physical core first; 'all': every hardware thread. */
export type SmtUse = 'cores' | 'all';
export const SMT_USES: readonly SmtUse[] = ['cores', 'all'];

export interface TrialConfig {
  processes: number;
  /** intraOpNumThreads per process (the calling thread included, as onnxruntime counts it). */
  threads: number;
  numa: NumaPolicy;
  batch: number;
  smt: SmtUse;
  /** session.intra_op.allow_spinning */
  spinning: boolean;
  /**
   * onnxruntime's default set-up: one process, intraOpNumThreads left unset, no pinning, no memory
   * policy. Every study measures it first so reports can state the gain. For a baseline,
   * processes is 1 and threads records the count onnxruntime chose by itself (physical cores).
   */
  baseline: boolean;
}

export type MemPolicyMode = 'default' | 'bind' | 'preferred' | 'interleave' | 'local';

export interface WorkerPlan {
  index: number;
  /** CPUs this worker process may run on (its whole affinity mask); ascending. */
  cpus: number[];
  /** CPU the worker pins its main (calling) thread to, or null when unpinned. */
  mainCpu: number | null;
  /** One CPU list per onnxruntime intra-op pool thread (threads - 1 entries). */
  poolCpus: number[][];
  /** Memory policy applied by the launcher before the worker starts. */
  memPolicy: MemPolicyMode;
  /** Nodes of the memory policy (empty for default/local). */
  mems: number[];
  /** NUMA nodes the worker's CPUs belong to. */
  nodes: number[];
}

export interface Plan {
  workers: WorkerPlan[];
  /** True when workers share CPUs (only when the user asked for oversubscription). */
  oversubscribed: boolean;
  /** False for the baseline and when pinning is unsupported here: the OS places everything. */
  pinned: boolean;
  notes: string[];
}

/** Whether a configuration can be placed here; `reason` is the one-line error planPlacement throws. */
export type Feasibility = { ok: true } | { ok: false; reason: string };

export interface PlanOptions {
  /** Let workers share CPUs (and P x T exceed the usable CPUs). */
  oversubscribe: boolean;
  /** False where pinning is unsupported: every worker gets all allowed CPUs, no memory policy. */
  pinning: boolean;
}
