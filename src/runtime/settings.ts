import { AutotuneError } from '../errors.js';
import { parseCpuList } from '../topology/cpulist.js';
import { EXECUTION_MODES, GRAPH_OPTIMIZATIONS, VARIABLES, type ExecutionMode, type GraphOptimization, type VariableName } from '../domain/variables.js';

export type { ExecutionMode, GraphOptimization };

/** What autotune measured for this instance, read from its environment. */
export interface TunedSettings {
  /** intraOpNumThreads; null: left to onnxruntime, as the baseline measured it. */
  intraOpThreads: number | null;
  /** One group of 0-based CPU ids per intra-op pool thread; null when not pinned. */
  intraOpAffinities: number[][] | null;
  spinning: boolean;
  batch: number;
  /** How long a partial batch waits for more requests; 0 without a serving phase's setting and batch 1. */
  maxQueueDelayMs: number;
  executionMode: ExecutionMode;
  /** null: 1 when the intra-op count is set (what autotune measured), else onnxruntime's default. */
  interOpThreads: number | null;
  /** 0-based CPU groups for the inter-op pool (parallel execution); null when not set. */
  interOpAffinities: number[][] | null;
  graphOptimization: GraphOptimization;
  /** null: onnxruntime's default (on). */
  cpuArena: boolean | null;
  instance: number | null;
  port: number | null;
  model: string | null;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Default when a study measured no serving settings: batches then go out as soon as one is free. */
const NO_QUEUE_DELAY = 0;

/**
 * Parses the AUTOTUNE_* variables of `env`. A missing required variable or a malformed one is one
 * AutotuneError naming it and what it should hold; nothing is defaulted silently that autotune
 * always sets, so a server started outside the tuned fleet says so instead of running untuned.
 */
export function readTunedSettings(env: Environment): TunedSettings {
  const read = new Reader(env);
  const intraOpThreads = read.optional(VARIABLES.intraOpThreads, (v) => read.count(VARIABLES.intraOpThreads, v));
  const settings: TunedSettings = {
    intraOpThreads,
    intraOpAffinities: read.optional(VARIABLES.intraOpAffinities, (v) => read.affinities(VARIABLES.intraOpAffinities, v)),
    spinning: read.flag(VARIABLES.spinning, read.required(VARIABLES.spinning)),
    batch: read.count(VARIABLES.batch, read.required(VARIABLES.batch)),
    maxQueueDelayMs: read.optional(VARIABLES.maxQueueDelayMs, (v) => read.milliseconds(VARIABLES.maxQueueDelayMs, v)) ?? NO_QUEUE_DELAY,
    executionMode: read.optional(VARIABLES.executionMode, (v) => read.choice(VARIABLES.executionMode, v, EXECUTION_MODES)) ?? 'sequential',
    interOpThreads: read.optional(VARIABLES.interOpThreads, (v) => read.count(VARIABLES.interOpThreads, v)),
    interOpAffinities: read.optional(VARIABLES.interOpAffinities, (v) => read.affinities(VARIABLES.interOpAffinities, v)),
    graphOptimization: read.optional(VARIABLES.graphOptimization, (v) => read.choice(VARIABLES.graphOptimization, v, GRAPH_OPTIMIZATIONS)) ?? 'all',
    cpuArena: read.optional(VARIABLES.cpuArena, (v) => read.flag(VARIABLES.cpuArena, v)),
    instance: read.optional(VARIABLES.instance, (v) => read.whole(VARIABLES.instance, v, 0)),
    port: read.optional(VARIABLES.port, (v) => read.port(v)),
    model: read.optional(VARIABLES.model, (v) => v),
  };
  const groups = settings.intraOpAffinities?.length;
  if (groups !== undefined) {
    // onnxruntime never pins the calling thread, so it takes one group per other pool thread.
    if (intraOpThreads === null) throw bad(VARIABLES.intraOpAffinities, `is set but ${VARIABLES.intraOpThreads} is not: the affinities need the thread count they were planned for`);
    if (groups !== intraOpThreads - 1) {
      throw bad(VARIABLES.intraOpAffinities, `has ${groups} group(s) for ${intraOpThreads} intra-op threads: it takes ${intraOpThreads - 1} (one per pool thread; the calling thread is never pinned)`);
    }
  }
  return settings;
}

function bad(name: VariableName, what: string): AutotuneError {
  return new AutotuneError('input', `${name} ${what}; start the server with autotune launch or an exported script, which set it`);
}

class Reader {
  constructor(private readonly env: Environment) {}

  required(name: VariableName): string {
    const value = this.env[name];
    if (value === undefined || value.trim() === '') throw bad(name, 'is not set');
    return value.trim();
  }

  optional<T>(name: VariableName, parse: (value: string) => T): T | null {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? null : parse(value.trim());
  }

  whole(name: VariableName, value: string, min: number): number {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw bad(name, `is "${value}": expected a whole number >= ${min}`);
    return n;
  }

  count(name: VariableName, value: string): number {
    return this.whole(name, value, 1);
  }

  port(value: string): number {
    const port = this.whole(VARIABLES.port, value, 1);
    if (port > 65535) throw bad(VARIABLES.port, `is "${value}": expected a port number 1-65535`);
    return port;
  }

  milliseconds(name: VariableName, value: string): number {
    const ms = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(ms)) throw bad(name, `is "${value}": expected milliseconds >= 0, like 2 or 0.5`);
    return ms;
  }

  flag(name: VariableName, value: string): boolean {
    if (value !== '0' && value !== '1') throw bad(name, `is "${value}": expected 1 or 0`);
    return value === '1';
  }

  choice<T extends string>(name: VariableName, value: string, choices: readonly T[]): T {
    if (!(choices as readonly string[]).includes(value)) throw bad(name, `is "${value}": expected ${choices.join(', ')}`);
    return value as T;
  }

  /** onnxruntime's format: `;` between threads, `,` and ranges within one, CPU ids counted from 1. */
  affinities(name: VariableName, value: string): number[][] {
    return value.split(';').map((group, i) => {
      let ids: number[];
      try {
        ids = parseCpuList(group, `${name} group ${i + 1}`);
      } catch (e) {
        throw bad(name, `is "${value}": ${(e as Error).message}`);
      }
      if (ids.length === 0) throw bad(name, `is "${value}": group ${i + 1} is empty (write one CPU list per pool thread, separated by ';')`);
      if (ids.includes(0)) throw bad(name, `is "${value}": onnxruntime counts CPUs from 1 here, so 0 is not a CPU (CPU 0 is written 1)`);
      return ids.map((id) => id - 1);
    });
  }
}
