import { z } from 'zod';
import { AutotuneError } from '../errors.js';
import { AXIS_NAMES, spaceSchema, type AxisName } from './axes.js';
import { positiveInt } from './axis-forms.js';
import { durationSeconds } from './duration.js';
import { ARRIVAL_PROCESSES, DISPATCHES, type ArrivalProcess, type Dispatch, type InputOptions, type LoadSettings, type MeasureSettings } from './results.js';

/**
 * The one schema of a study, for study files (JSON or YAML) and for the same fields given as CLI
 * flags. Its output is itself valid input (durations become seconds, shorthands are expanded,
 * defaults filled in), so the definition stored with a study re-parses to the same definition:
 * `autotune tune --study NAME` resumes from the database alone.
 */

/** Long enough to describe a study; short enough for the unit, container and pod names derived from it. */
export const MAX_STUDY_NAME = 64;

/** Seconds as a number, or a string with a unit ('500ms', '30m', '8h'). */
const duration = z.union(
  [
    z.number().positive({ error: 'expected a positive duration' }),
    z.string().transform((text, ctx) => {
      const seconds = durationSeconds(text);
      if (seconds === null || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: write seconds or e.g. 500ms, 30s, 30m, 8h` });
        return z.NEVER;
      }
      return seconds;
    }),
  ],
  { error: 'expected a duration: seconds, or e.g. 500ms, 30s, 30m, 8h' },
);

const shapeDim = z.union([positiveInt, z.literal('B')], { error: 'expected a positive integer or B (the batch)' });

const modelSchema = z.union(
  [
    z.string().min(1).transform((spec) => ({ spec, shapes: {}, values: {}, sampleFile: null })),
    z
      .object({
        spec: z.string({ error: 'expected a model file path or builtin:NAME' }).min(1, { error: 'expected a model file path or builtin:NAME' }),
        shapes: z.record(z.string(), z.array(shapeDim).min(1)).default({}),
        values: z.record(z.string(), z.number({ error: 'expected a number' })).default({}),
        sampleFile: z.string().min(1).nullable().default(null),
      })
      .strict(),
  ],
  { error: 'expected a model (file path or builtin:NAME) or {spec, shapes, values, sampleFile}' },
);

export const studySchema = z
  .object({
    name: z
      .string({ error: 'expected a study name' })
      .max(MAX_STUDY_NAME, { error: `expected at most ${MAX_STUDY_NAME} characters` })
      .regex(/^[A-Za-z0-9][\w.-]*$/, { error: 'expected letters, digits, ".", "_" or "-" (starting with a letter or digit)' }),
    model: modelSchema.default({ spec: 'builtin:mlp', shapes: {}, values: {}, sampleFile: null }),
    space: spaceSchema.default(spaceSchema.parse({})),
    /**
     * Written by autotune when it resolves `auto` on a machine (the study file leaves it out): the
     * values it left out of the space there, and why.
     */
    leftOut: z
      .array(z.object({ axis: z.enum(AXIS_NAMES as [AxisName, ...AxisName[]]), value: z.string(), reason: z.string() }).strict())
      .default([]),
    /** Allow workers to share CPUs; P x T above the usable CPUs is otherwise dropped as infeasible. */
    oversubscribe: z.boolean({ error: 'expected true or false' }).default(false),
    /** Fixed: autotune trades p99 latency against throughput. Stated so a study file reads whole. */
    objectives: z
      .object({ p99: z.literal('minimize').default('minimize'), tps: z.literal('maximize').default('maximize') })
      .strict()
      .default({ p99: 'minimize', tps: 'maximize' }),
    sloMs: z.number().positive({ error: 'expected a positive number of milliseconds' }).nullable().default(null),
    budget: z
      .object({
        /** Measured configurations, the baseline included; drift re-runs of the baseline are not counted. */
        trials: positiveInt.nullable().default(null),
        /** Wall time of one `autotune tune` run (a resumed run gets the whole time again). */
        time: duration.nullable().default(null),
      })
      .strict()
      .default({ trials: null, time: null }),
    measure: z
      .object({
        warmup: duration.default(1),
        minTime: duration.default(2),
        maxTime: duration.default(10),
        minSamples: positiveInt.default(200),
        ci: z.number().positive().max(1, { error: 'expected a fraction like 0.05' }).default(0.05),
      })
      .strict()
      .refine((m) => m.maxTime >= m.minTime, { error: 'maxTime must not be below minTime', path: ['maxTime'] })
      .default({ warmup: 1, minTime: 2, maxTime: 10, minSamples: 200, ci: 0.05 }),
    strategy: z.enum(['auto', 'grid', 'random', 'bayes'], { error: 'expected auto, grid, random or bayes' }).default('auto'),
    seed: z.int({ error: 'expected an integer' }).nonnegative({ error: 'expected an integer >= 0' }).default(1),
    drift: z
      .object({
        /** Re-run the baseline after this many trials (null: not by count). */
        everyTrials: positiveInt.nullable().default(10),
        /** ... or after this many minutes since the last check (null: not by time). */
        everyMinutes: z.number().positive({ error: 'expected a positive number of minutes' }).nullable().default(null),
        /** Relative TPS change of the baseline that counts as drift when above its confidence interval too. */
        threshold: z.number().positive().max(1, { error: 'expected a fraction like 0.1' }).default(0.1),
      })
      .strict()
      .default({ everyTrials: 10, everyMinutes: null, threshold: 0.1 }),
    /** How many times each configuration is measured. */
    repeats: positiveInt.default(1),
    /** onnxruntime's default set-up as the user runs it today: the total gain is stated against it. */
    baseline: z
      .object({
        /** The batch the user's service runs today; null: the smallest batch of the space. */
        batch: positiveInt.nullable().default(null),
      })
      .strict()
      .default({ batch: null }),
    /**
     * Before a study ends, its picks (and the noisy front points) are measured again, each run
     * paired with a run of the baseline at the same batch (A B A B ...): gains are paired ratios.
     */
    confirm: z
      .object({ pairs: z.int({ error: 'expected a whole number of pairs' }).min(3, { error: 'a confirmation takes at least 3 pairs' }).max(20, { error: 'at most 20 pairs' }).default(3) })
      .strict()
      .default({ pairs: 3 }),
    /** With an SLO: the serving phase measures each candidate's capacity under it, open loop. */
    serving: z
      .object({
        arrivals: z.enum(ARRIVAL_PROCESSES as readonly [ArrivalProcess, ...ArrivalProcess[]], { error: `expected ${ARRIVAL_PROCESSES.join(' or ')}` }).default('poisson'),
        dispatch: z.enum(DISPATCHES as readonly [Dispatch, ...Dispatch[]], { error: `expected ${DISPATCHES.join(' or ')}` }).default('shared'),
        /** With batch > 1, the longest a partial batch waits for more requests. */
        maxQueueDelay: duration.default(0.002),
        /** Per rate step: the window ends once the SLO verdict is 95% certain, but not before minTime nor after maxTime. */
        minTime: duration.default(1),
        maxTime: duration.default(10),
        /** The search stops when the rate bracket is this fraction of the closed-loop throughput. */
        resolution: z.number().positive().max(0.5, { error: 'expected a fraction like 0.05' }).default(0.05),
        /** Configurations measured besides the baseline, best closed-loop throughput first. */
        configurations: positiveInt.default(4),
      })
      .strict()
      .refine((m) => m.maxTime >= m.minTime, { error: 'maxTime must not be below minTime', path: ['maxTime'] })
      .default({ arrivals: 'poisson', dispatch: 'shared', maxQueueDelay: 0.002, minTime: 1, maxTime: 10, resolution: 0.05, configurations: 4 }),
  })
  .strict();

export type StudyDefinition = z.output<typeof studySchema>;
export type StudyInput = z.input<typeof studySchema>;
/** A value `auto` left out of a study's space on its machine, in the words the report uses. */
export type LeftOutValue = StudyDefinition['leftOut'][number];

/** `numa local, interleave (one NUMA node here: ...); threadPlacement scatter (...)`: what the log and the report say. */
export function describeLeftOut(leftOut: readonly LeftOutValue[]): string {
  const groups = new Map<string, { axis: string; reason: string; values: string[] }>();
  for (const l of leftOut) {
    const key = `${l.axis}\n${l.reason}`;
    const group = groups.get(key) ?? { axis: l.axis, reason: l.reason, values: [] };
    group.values.push(l.value);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => `${g.axis} ${g.values.join(', ')} (${g.reason})`).join('; ');
}
export type { IntAxis } from './axis-forms.js';

/** Validates a study (from a file, flags or the database); errors name the field path. */
export function parseStudy(input: unknown, where = 'study'): StudyDefinition {
  const result = studySchema.safeParse(input);
  if (result.success) return result.data;
  const issue = mostSpecific(result.error.issues[0]!);
  throw new AutotuneError('usage', `${formatPath(where, issue.path)}: ${issueMessage(issue)}`);
}

/** The useful message of a failed parse of one schema piece (an axis, for `trial`'s flags), without its path. */
export function schemaErrorText(error: z.ZodError): string {
  return issueMessage(mostSpecific(error.issues[0]!));
}

type Issue = z.core.$ZodIssue;

/**
 * A failed union reports one issue per alternative; the one alternative that got past the type
 * check (e.g. the list, for `threads: [1, 2, -1]`) holds the useful message, so follow it. When
 * none did, the union's own message lists what is accepted.
 */
function mostSpecific(issue: Issue): Issue {
  if (issue.code !== 'invalid_union') return issue;
  const partial = issue.errors.filter(
    (branch) => !branch.every((i) => (i.code === 'invalid_type' || i.code === 'invalid_value') && i.path.length === 0),
  );
  if (partial.length !== 1) return issue;
  const inner = mostSpecific(partial[0]![0]!);
  return { ...inner, path: [...issue.path, ...inner.path] };
}

function issueMessage(issue: Issue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

function formatPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), root);
}

export function measureSettings(definition: StudyDefinition): MeasureSettings {
  const m = definition.measure;
  return {
    warmupMs: m.warmup * 1000,
    minMs: m.minTime * 1000,
    maxMs: m.maxTime * 1000,
    minSamples: m.minSamples,
    p99CiBound: m.ci,
  };
}

/** The serving phase's windows: the study's warm-up, the serving section's window times. */
export function servingMeasureSettings(definition: StudyDefinition): MeasureSettings {
  const { serving, measure } = definition;
  return { ...measureSettings(definition), warmupMs: measure.warmup * 1000, minMs: serving.minTime * 1000, maxMs: serving.maxTime * 1000 };
}

export function loadSettings(definition: StudyDefinition): LoadSettings {
  const { serving, seed } = definition;
  return { arrivals: serving.arrivals, dispatch: serving.dispatch, maxQueueDelayMs: serving.maxQueueDelay * 1000, seed };
}

/** The batch of the baseline as the user runs it today. */
export function userBatch(definition: StudyDefinition, spaceBatches: readonly number[]): number {
  return definition.baseline.batch ?? Math.min(...spaceBatches);
}

export function inputOptions(definition: StudyDefinition): InputOptions {
  const { shapes, values, sampleFile } = definition.model;
  return { shapes, values, sampleFile };
}
