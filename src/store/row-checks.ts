import { z } from 'zod';

import { AutotuneError } from '../errors.js';
import type { HistogramSnapshot } from '../domain/latency.js';
import { storedConfigSchema, type Plan, type TrialConfig } from '../domain/config.js';
import type { TrialDisturbance, Verification, WorkerReadBack } from '../domain/results.js';
import type { NewDeploymentCheck } from './types.js';
import type { MachineCheck } from '../topology/health.js';
import type { Fingerprint, Topology } from '../topology/types.js';

/**
 * Rows are checked as they are read: a database may have been edited by hand, written by another
 * program or damaged, and what comes out of a JSON column is otherwise trusted as a typed value
 * (a config of `[]` printed as "pundefined tundefined"). A bad row is one line naming the file,
 * the study, the trial and the column.
 */
export interface RowPlace {
  path: string;
  /** `study "night"` or `study "night", trial #3 (id 7)`. */
  where: () => string;
}

const int = z.number().int();
const count = int.nonnegative();
const positive = int.positive();
const ids = z.array(count);
const finite = z.number().refine(Number.isFinite, 'expected a finite number');


const plan = z.object({
  workers: z.array(
    z.object({
      index: count,
      cpus: ids,
      mainCpu: count.nullable(),
      poolCpus: z.array(ids),
      memPolicy: z.enum(['default', 'bind', 'preferred', 'interleave', 'local']),
      mems: ids,
      nodes: ids,
    }),
  ),
  oversubscribed: z.boolean(),
  pinned: z.boolean(),
  notes: z.array(z.string()),
});

const readBack = z.array(
  z.object({
    index: count,
    pid: int,
    threads: z.array(z.object({ tid: int, name: z.string(), cpus: ids, mems: ids, lastCpu: int })),
    pagesPerNode: z.record(z.string(), finite),
    memPolicy: z.object({ mode: z.string(), nodes: ids }).nullable(),
    // Trials stored before the allocator axis ran with glibc's malloc and read no maps.
    allocators: z.array(z.string()).default([]),
  }),
);

const verification = z.object({ verified: z.boolean(), mismatches: z.array(z.string()) });

const histogram = z.object({
  unit: z.literal('us'),
  subBuckets: positive,
  counts: z.array(z.tuple([int, count])),
  total: count,
  minUs: finite,
  maxUs: finite,
  sumUs: finite,
  sumSquaresUs: finite,
});

const fingerprint = z.object({
  cpuModel: z.string(),
  packages: count,
  nodes: count,
  cores: count,
  threads: count,
  kernel: z.string(),
  onnxruntimeVersion: z.string(),
  hash: z.string(),
});

/** The parts of a stored topology that reports read (the space is rebuilt from them). */
const topology = z
  .object({
    nodes: z.array(z.object({ id: count, cpus: ids }).loose()),
    cores: z.array(z.object({ cpus: ids }).loose()),
    allowed: z.object({ cpus: ids, mems: ids }).loose(),
  })
  .loose();

const strings = z.array(z.string());

const machineChecks = z.array(
  z.object({
    id: z.string(),
    status: z.enum(['ok', 'warn', 'unknown']),
    finding: z.string(),
    effect: z.string().nullable(),
    fix: z.string().nullable(),
  }),
);

const disturbance = z.object({
  cpus: ids,
  windowMs: finite,
  busyMs: finite,
  ownMs: finite,
  othersMs: finite,
  stealMs: finite,
  throttled: z.object({ periods: int, throttledMs: finite, path: z.string() }).nullable(),
});

function fail(place: RowPlace, column: string, problem: string): AutotuneError {
  return new AutotuneError(
    'store',
    `${place.path}: ${place.where()}: ${column} ${problem}: the database was edited or damaged; restore it from a backup, or use another --db`,
  );
}

/** The JSON of a column, without a shape check (for the study definition, which the study schema checks). */
export function jsonColumn(text: unknown, place: RowPlace, column: string): unknown {
  if (typeof text !== 'string') throw fail(place, column, `holds ${text === null ? 'NULL' : typeof text}, not JSON text`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw fail(place, column, `is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * The column's value once it has the fields readers rely on. The value is returned as stored, not
 * as the schema would trim it, so fields a newer writer added are kept.
 */
function checked<T>(schema: z.ZodType<unknown>, text: unknown, place: RowPlace, column: string): T {
  const value = jsonColumn(text, place, column);
  parsed(schema, value, place, column);
  return value as T;
}

function parsed(schema: z.ZodType<unknown>, value: unknown, place: RowPlace, column: string): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const at = issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
  throw fail(place, column, `is malformed${at} (${issue.message})`);
}

const ratioInterval = z.object({ ratio: finite, ci: z.tuple([finite, finite]).nullable(), method: z.string() });
const deploymentCheck = z.object({
  trialId: positive,
  capacityTrialId: positive,
  pick: z.string(),
  targets: z.array(z.string()),
  sloMs: finite,
  promisedRps: finite,
  offeredRps: finite,
  arrivals: z.enum(['poisson', 'constant']),
  scheduled: count,
  completed: count,
  failed: count,
  censored: count,
  deliveredRps: finite,
  comparison: z.object({
    confidence: finite,
    deliveredP99Ms: finite,
    promisedP99Ms: finite,
    p99: ratioInterval,
    throughput: ratioInterval,
    verdict: z.enum(['kept', 'better', 'missed', 'undecided']),
    reason: z.string(),
  }),
  latency: histogram,
  startedAt: z.string(),
  finishedAt: z.string(),
});

/** The parsed configuration, not the stored one: axes added since it was stored come back at their baseline. */
export const checkConfig = (text: unknown, place: RowPlace): TrialConfig =>
  parsed(storedConfigSchema, jsonColumn(text, place, 'config'), place, 'config') as TrialConfig;
export const checkPlan = (text: unknown, place: RowPlace): Plan => checked(plan, text, place, 'plan');
export const checkReadBack = (text: unknown, place: RowPlace): WorkerReadBack[] => checked(readBack, text, place, 'read_back');
export const checkVerification = (text: unknown, place: RowPlace): Verification => checked(verification, text, place, 'verification');
export const checkHistogram = (text: unknown, place: RowPlace): HistogramSnapshot => checked(histogram, text, place, 'histogram');
export const checkStrings = (text: unknown, place: RowPlace, column: string): string[] => checked(strings, text, place, column);
export const checkFingerprint = (text: unknown, place: RowPlace): Fingerprint => checked(fingerprint, text, place, 'fingerprint');
export const checkTopology = (text: unknown, place: RowPlace): Topology => checked(topology, text, place, 'topology');
export const checkMachineChecks = (text: unknown, place: RowPlace): MachineCheck[] => checked(machineChecks, text, place, 'machine_checks');
export const checkDeploymentCheck = (text: unknown, place: RowPlace): NewDeploymentCheck => checked(deploymentCheck, text, place, 'record');
export const checkDisturbance = (text: unknown, place: RowPlace): TrialDisturbance => checked(disturbance, text, place, 'disturbance');

/** Columns SQLite holds as numbers; a hand edit can leave text in a REAL column (SQLite keeps it). */
export function checkNumbers<R extends object>(row: R, columns: ReadonlyArray<keyof R & string>, place: RowPlace): R {
  for (const column of columns) {
    const value = row[column] as unknown;
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw fail(place, column, `holds ${JSON.stringify(value)}, not a number`);
    }
  }
  return row;
}
