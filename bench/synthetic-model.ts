import { completeConfig, type NumaPolicy, type TrialConfig } from '../src/domain/config.js';
import type { Objectives } from '../src/search/pareto.js';
import { createRng, type Rng } from '../src/search/rng.js';
import { configKey } from '../src/domain/config.js';
import { keySeed, type Draw, type ReplayRow, type ReplayTable } from './table.js';

/**
 * SYNTHETIC performance model of one ONNX model on a 2-socket, 64-core server, used only to make a
 * large ground-truth table for the search benchmark. Nothing here was measured: the constants are
 * plausible orders of magnitude for a transformer-encoder block on a current x86 server, chosen so
 * that each effect below shows up in the response surface.
 *
 * Server: 2 NUMA nodes (one per socket), 32 physical cores per node (SMT 2, physical cores only
 * used here), one L3 per socket, DRAM bandwidth per node, a socket interconnect.
 *
 * One worker process with T intra-op threads runs inferences of batch B back to back (closed
 * loop). The time of one inference is
 *   compute  = (overhead + B x perSample x batchEfficiency(B)) x ((1 - f) + f / T)   Amdahl, the
 *              parallel fraction f growing with B (more rows to split), batching efficiency from
 *              better vectorisation falling from 1 to about 0.45;
 *   sync     = layers x barrier x log2(2T), doubled when the worker's threads span both sockets;
 *   memory   = (weights missing from the worker's share of L3 + B x activations) / stream
 *              bandwidth of T threads, x (1 + remote penalty x remote fraction), x the bandwidth
 *              saturation of the busiest DRAM node or the interconnect (solved as a fixed point,
 *              since demand depends on the inference rate).
 * The worker's L3 share is its fraction of the threads on each socket it uses (cache contention
 * when workers share an L3).
 *
 * NUMA policies (how the placement planner lays workers out):
 *   local       each worker on one node, workers alternating between nodes, memory on that node;
 *               a 64-thread worker spans both nodes with its memory on node 0;
 *   interleave  workers packed onto consecutive cores (node 0 fills first), pages interleaved
 *               over the nodes the worker spans;
 *   spread      each worker's threads split over both nodes, memory on its main thread's node;
 *   none        the OS places threads and pages: partly remote memory, cross-socket barriers,
 *               throughput lost to migrations and collisions, more tail jitter.
 *
 * p99 = inference time x (1 + base tail + stragglers growing with log2 T + saturation inflation
 * as the busiest resource nears 100% + OS jitter for 'none'). These noise-free figures are the
 * table's truth. A replayed measurement is a fresh seeded draw around them (SYNTHETIC_NOISE).
 */
export const SYNTHETIC_SERVER = {
  nodes: 2,
  coresPerNode: 32,
  l3PerNodeMb: 48,
  dramGbPerSecPerNode: 110,
  interconnectGbPerSec: 50,
  streamGbPerSecPerThread: 9,
} as const;

const MODEL = {
  overheadMs: 0.25,
  perSampleMs: 3.2,
  weightsMb: 30,
  activationsMbPerSample: 1.2,
  layers: 48,
  barrierMs: 0.0025,
  remotePenalty: 0.6,
} as const;

interface WorkerLayout {
  /** Fraction of the worker's threads on each node. */
  threadShare: number[];
  /** Fraction of the worker's pages on each node. */
  memoryShare: number[];
}

function layout(numa: NumaPolicy, processes: number, threads: number, index: number): WorkerLayout {
  const { nodes, coresPerNode } = SYNTHETIC_SERVER;
  const both = new Array<number>(nodes).fill(1 / nodes);
  const only = (node: number): number[] => Array.from({ length: nodes }, (_, n) => (n === node ? 1 : 0));
  const spans = threads > coresPerNode;
  switch (numa) {
    case 'local':
      return spans ? { threadShare: both, memoryShare: only(0) } : { threadShare: only(index % nodes), memoryShare: only(index % nodes) };
    case 'interleave': {
      if (spans) return { threadShare: both, memoryShare: both };
      const node = Math.floor((index * threads) / coresPerNode) % nodes;
      return { threadShare: only(node), memoryShare: only(node) };
    }
    case 'preferred': {
      // Compact like interleave; memory on the node holding most of the worker's threads.
      const node = spans ? 0 : Math.floor((index * threads) / coresPerNode) % nodes;
      return { threadShare: spans ? both : only(node), memoryShare: only(node) };
    }
    case 'spread':
      return threads === 1
        ? { threadShare: only(index % nodes), memoryShare: only(index % nodes) }
        : { threadShare: both, memoryShare: only(index % nodes) };
    case 'none': {
      // First touch puts pages near the main thread, then the scheduler moves threads about.
      const remote = 0.25 + 0.25 * Math.min(1, (processes * threads) / (nodes * coresPerNode));
      const home = index % nodes;
      return { threadShare: both, memoryShare: Array.from({ length: nodes }, (_, n) => (n === home ? 1 - remote : remote / (nodes - 1))) };
    }
  }
}

/** Noise-free TPS and p99 of a configuration under the model. */
export function modelPerformance(config: Pick<TrialConfig, 'processes' | 'threads' | 'numa' | 'batch'>): { tps: number; p99Ms: number } {
  const { processes: P, threads: T, numa, batch: B } = config;
  const S = SYNTHETIC_SERVER;
  const workers = Array.from({ length: P }, (_, w) => layout(numa, P, T, w));
  const threadsOnNode = Array.from({ length: S.nodes }, (_, n) => workers.reduce((s, w) => s + w.threadShare[n]! * T, 0));

  const batchEfficiency = 0.45 + 0.55 / Math.sqrt(B);
  const parallel = 1 - 0.06 / (1 + B / 8);
  const work = MODEL.overheadMs + B * MODEL.perSampleMs * batchEfficiency;
  const compute = work * (1 - parallel + parallel / T);

  const perWorker = workers.map((w) => {
    const crossSocket = w.threadShare.filter((s) => s > 0).length > 1;
    const sync = MODEL.layers * MODEL.barrierMs * Math.log2(2 * T) * (crossSocket ? 2 : 1);
    const l3 = w.threadShare.reduce((s, share, n) => s + (threadsOnNode[n]! > 0 ? ((share * T) / threadsOnNode[n]!) * S.l3PerNodeMb : 0), 0);
    const missing = Math.min(1, Math.max(0.05, (MODEL.weightsMb - l3) / MODEL.weightsMb));
    const mb = MODEL.weightsMb * missing + B * MODEL.activationsMbPerSample;
    const remote = w.threadShare.reduce((s, share, n) => s + share * (1 - w.memoryShare[n]!), 0);
    const memory = (mb / (T * S.streamGbPerSecPerThread)) * (1 + MODEL.remotePenalty * remote);
    return { w, sync, mb, remote, memory, crossSocket };
  });

  // Demand (MB/ms = GB/s) on each node's DRAM and on the interconnect depends on the inference
  // rate, which depends on saturation: iterate to the fixed point, damped.
  let times = perWorker.map((p) => compute + p.sync + p.memory);
  let utilisation = 0;
  for (let iteration = 0; iteration < 60; iteration++) {
    const dram = new Array<number>(S.nodes).fill(0);
    let link = 0;
    perWorker.forEach((p, i) => {
      const rate = p.mb / times[i]!;
      p.w.memoryShare.forEach((share, n) => (dram[n]! += rate * share));
      link += rate * p.remote;
    });
    utilisation = Math.max(...dram.map((d) => d / S.dramGbPerSecPerNode), link / S.interconnectGbPerSec);
    const slowdown = Math.max(1, utilisation);
    times = perWorker.map((p, i) => 0.5 * times[i]! + 0.5 * (compute + p.sync + p.memory * slowdown));
  }

  const osLoss = numa === 'none' ? 0.93 - 0.1 * ((P * T) / (S.nodes * S.coresPerNode)) : 1;
  // Inference times are in ms; TPS is samples per second.
  const tps = 1000 * perWorker.reduce((s, _, i) => s + B / times[i]!, 0) * osLoss;
  const slowest = Math.max(...times) / osLoss;
  const saturation = Math.max(0, Math.min(utilisation, 1.5) - 0.7);
  const cross = perWorker.some((p) => p.crossSocket);
  const tail =
    1.08 + 0.03 * Math.log2(T) * (cross ? 2 : 1) + 1.5 * saturation * saturation + (numa === 'none' ? 0.35 : 0) + 0.01 * Math.sqrt(P);
  return { tps, p99Ms: slowest * tail };
}

/**
 * How a replayed measurement strays from the truth, on a machine shared with other work. The
 * spread grows with load (the share of the cores the configuration keeps busy: less slack for
 * everything else, more collisions), log-normal, p99 wider than TPS. 5% of draws are outliers: a
 * window in which the configuration got only 1/k of its CPU time (k from 2 to 3), so TPS falls
 * and p99 rises by k. The trial runner notices most such windows (unstable sub-windows, workers
 * disagreeing) but not a disturbance that lasts the whole window, and it sometimes flags a
 * normal window that merely wobbled.
 */
export const SYNTHETIC_NOISE = {
  /** Log-normal sd of TPS at no load and at full load (linear in between). */
  tpsSd: [0.02, 0.05],
  /** Log-normal sd of p99 at no load and at full load. */
  p99Sd: [0.04, 0.12],
  outlierRate: 0.05,
  outlierFactor: [2, 3],
  /** Chance the noisy flag is set on an outlier. */
  outlierFlagged: 0.75,
  /** Chance the noisy flag is set on a normal draw, at no load and at full load. */
  falseAlarm: [0.02, 0.1],
} as const;

/** Share of the server's cores a configuration keeps busy, 0..1. */
export function loadOf(config: Pick<TrialConfig, 'processes' | 'threads'>): number {
  return Math.min(1, (config.processes * config.threads) / (SYNTHETIC_SERVER.nodes * SYNTHETIC_SERVER.coresPerNode));
}

const between = ([low, high]: readonly [number, number], t: number): number => low + (high - low) * t;

/** One noisy measurement of a configuration whose noise-free figures are `truth`, under `load`. */
export function syntheticDraw(truth: Objectives, load: number, rng: Rng): Draw {
  const N = SYNTHETIC_NOISE;
  const tps = truth.tps * Math.exp(between(N.tpsSd, load) * rng.normal());
  const p99Ms = truth.p99Ms * Math.exp(between(N.p99Sd, load) * rng.normal());
  if (rng.uniform() < N.outlierRate) {
    const k = between(N.outlierFactor, rng.uniform());
    return { tps: tps / k, p99Ms: p99Ms * k, noisy: rng.uniform() < N.outlierFlagged };
  }
  return { tps, p99Ms, noisy: rng.uniform() < between(N.falseAlarm, load) };
}

/** Power-of-two values from 1 to max. */
const powersOfTwo = (max: number): number[] => Array.from({ length: Math.log2(max) + 1 }, (_, i) => 2 ** i);

/**
 * The SYNTHETIC exhaustive table: every power-of-two (processes, threads) pair with P x T <= 64,
 * four NUMA policies, batch 1..256 in powers of two (1008 configurations). The baseline is
 * onnxruntime's default on this server: one process, one thread per physical core, unpinned
 * (the model's 'none'), at batch 1 (a study's default user batch: the smallest of the space).
 * `seed` mixes into every draw, for a second independent set of measurements.
 */
export function syntheticTable(options: { seed?: number; sloMs?: number } = {}): ReplayTable {
  const tableSeed = options.seed ?? 20240601;
  const cores = SYNTHETIC_SERVER.nodes * SYNTHETIC_SERVER.coresPerNode;
  const row = (config: TrialConfig): ReplayRow => ({ config, truth: modelPerformance(config) });
  const rows: ReplayRow[] = [];
  for (const processes of powersOfTwo(cores))
    for (const threads of powersOfTwo(cores)) {
      if (processes * threads > cores) continue;
      for (const numa of ['none', 'local', 'interleave', 'spread'] as const)
        for (const batch of powersOfTwo(256)) rows.push(row(completeConfig({ processes, threads, numa, batch, smt: 'cores', spinning: true, baseline: false })));
    }
  const N = SYNTHETIC_NOISE;
  return {
    name: 'synthetic-2s64c',
    description: 'SYNTHETIC: 2-socket 64-core server, transformer-encoder-like model, from bench/synthetic-model.ts (not measured)',
    synthetic: true,
    truthNote:
      `true values are the model's noise-free figures; every replayed measurement is a fresh seeded draw: log-normal sd ` +
      `${pct(N.tpsSd[0])}-${pct(N.tpsSd[1])} on TPS and ${pct(N.p99Sd[0])}-${pct(N.p99Sd[1])} on p99 growing with load, ` +
      `${pct(N.outlierRate)} outliers ${N.outlierFactor[0]}-${N.outlierFactor[1]}x worse on both (${pct(N.outlierFlagged)} of them flagged noisy)`,
    sloMs: options.sloMs ?? 20,
    rows,
    baseline: row(completeConfig({ processes: 1, threads: cores, numa: 'none', batch: 1, smt: 'cores', spinning: true, baseline: true })),
    measure(r, repeat, seed) {
      return syntheticDraw(r.truth, loadOf(r.config), createRng(keySeed(configKey(r.config), seed ^ tableSeed, repeat)));
    },
  };
}

const pct = (x: number): string => `${Math.round(100 * x)}%`;
