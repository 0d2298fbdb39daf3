import { z } from 'zod';
import { GRAPH_OPTIMIZATIONS, VARIABLES } from './variables.js';
import { AUTO, choiceSpace, chooseValues, intCount, intFlag, intSpace, intValues, onOffSpace, positiveInt, wordsFlag, type Auto, type IntAxis, type IntSpec, type LeftOut } from './axis-forms.js';

export { AUTO, type LeftOut } from './axis-forms.js';

/**
 * The axis table: every dimension of a configuration, once. Each entry says how a study file and
 * a flag write it, how its values resolve on a machine, onnxruntime's own default (the baseline),
 * how the Bayesian model encodes it, its key and label fragments, how a worker applies it and how
 * an export passes it on. The schema, flags, space, grid, encoding, keys, labels, report effects,
 * CSV, store and exports all iterate over this table, so a new dimension is one entry here plus
 * its apply hook.
 */

/** What resolving an axis on a machine needs to know about it (derived from the topology). */
export interface Machine {
  /** CPUs this process may use (sched_getaffinity, within the cgroup's cpuset). */
  usableCpus: number;
  /** Physical cores with at least one usable CPU: onnxruntime's own intra-op thread count. */
  cores: number;
  /** L3 domains with at least one usable CPU (1 where the machine reports none). */
  l3Domains: number;
  /** NUMA nodes with at least one usable CPU. */
  numaNodes: number;
  /** The preloadable allocators installed here, by the absolute path of their library. */
  allocators: Partial<Record<PreloadedAllocator, string>>;
}

/** Where a worker's threads go: neighbouring cores, one L3 domain first, or spread over L3 domains. */
export const THREAD_PLACEMENTS = ['compact', 'scatter'] as const;
export type ThreadPlacement = (typeof THREAD_PLACEMENTS)[number];

/** glibc's own malloc, or an allocator preloaded in its place. */
export const ALLOCATORS = ['glibc', 'jemalloc', 'tcmalloc'] as const;
export type Allocator = (typeof ALLOCATORS)[number];
export type PreloadedAllocator = Exclude<Allocator, 'glibc'>;

/**
 * The shared object each preloaded allocator comes in (by its soname, which ld.so finds in its own
 * search path, so an export runs wherever the package is installed) and the Debian package.
 */
export const ALLOCATOR_LIBRARIES: Record<PreloadedAllocator, { soname: string; package: string }> = {
  jemalloc: { soname: 'libjemalloc.so.2', package: 'libjemalloc2' },
  tcmalloc: { soname: 'libtcmalloc_minimal.so.4', package: 'libtcmalloc-minimal4' },
};

/** The variable that makes ld.so load a library before the program's own (the allocator's malloc wins). */
export const LD_PRELOAD = 'LD_PRELOAD';

/** Why an allocator cannot run here, and how to make it. */
export function allocatorMissing(allocator: PreloadedAllocator): string {
  const { soname, package: name } = ALLOCATOR_LIBRARIES[allocator];
  return `${soname} is not installed (apt-get install ${name})`;
}

/**
 * The allocator a mapped library file belongs to (its name as /proc/PID/maps shows it, a symlink
 * resolved: libtcmalloc_minimal.so.4.5.10), or null for any other file.
 */
export function allocatorOfLibrary(path: string): PreloadedAllocator | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name.startsWith('libjemalloc.so')) return 'jemalloc';
  if (name.startsWith('libtcmalloc')) return 'tcmalloc';
  return null;
}

/** The onnxruntime-node session options a configuration sets (InferenceSession.SessionOptions' fields). */
export interface SessionOptions {
  executionMode: 'sequential' | 'parallel';
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  enableCpuMemArena?: boolean;
  extra?: { session: Record<string, unknown> };
}

/** Where a worker takes an axis from: the placement plan, the inputs, its session options, its environment, or the launcher. */
export type AppliedBy = 'placement' | 'workload' | 'session' | 'environment' | 'launcher';

export type AxisValue = number | string | boolean;

export interface Axis<V extends AxisValue, S> {
  /** One line for help texts and docs. */
  description: string;
  /** The axis in a study's space (YAML/JSON), defaults included. */
  space: z.ZodDefault<z.ZodType<S>>;
  /** `--name TEXT` of `tune` and `trial`: the same input the study file would hold. */
  flag(text: string, flag: string): unknown;
  /** The forms the flag accepts, for --help. */
  flagHelp: string;
  /** The axis's values on this machine, in ascending (or listed) order. */
  values(spec: S, machine: Machine, name: string): V[];
  /** How many values `values` gives, without enumerating them. */
  count(spec: S, machine: Machine): number;
  /** onnxruntime's default (what the user runs today). */
  baseline(machine: Machine): V;
  /**
   * The value as a stored configuration holds it (JSON keyed by axis name). An axis added after
   * configurations were first stored defaults to its baseline: those trials ran with it.
   */
  stored: z.ZodType<V>;
  /**
   * The axis came after the first six: stored configurations may lack it, and reports speak of it
   * only where a study measured more than one of its values.
   */
  addedLater: boolean;
  /** log2: ordered by powers of two, scaled to the space's range; categorical: 0/1 distance. */
  encoding: 'log2' | 'categorical';
  /** Fragment of the configuration's identity; '' leaves the axis out of the key (its baseline value). */
  key(value: V): string;
  /** Fragment of the short label (`p2 t4 local b8 spin`); '' leaves it out. */
  label(value: V): string;
  /** The value as one word, for the report's levels, CSV cells and charts. */
  level(value: V): string;
  appliedBy: AppliedBy;
  /** For session axes: set the value on a non-baseline worker's session options. */
  session?(value: V, options: SessionOptions): void;
  /** What the value adds to an exported instance's environment. */
  env?(value: V): Record<string, string>;
  /**
   * Values that cannot matter, or cannot run, on this machine: `auto` leaves them out and the
   * study says why; a space that lists one that cannot run is refused. Never the baseline.
   */
  leftOut?(machine: Machine): Array<LeftOut<V>>;
  /**
   * False where the axis has no effect in this configuration (scatter for a one-thread worker):
   * there the configuration holds the axis's baseline, so the duplicates collapse into one.
   */
  appliesTo?(config: Readonly<Record<string, AxisValue>>): boolean;
}

function define<V extends AxisValue, S>(axis: Axis<V, S>): Axis<V, S> {
  return axis;
}

function intAxis(options: {
  description: string;
  default: IntSpec;
  baseline: (machine: Machine) => number;
  prefix: string;
  appliedBy: AppliedBy;
  env?: (value: number) => Record<string, string>;
  leftOut?: (machine: Machine) => Array<LeftOut<number>>;
  appliesTo?: (config: Readonly<Record<string, AxisValue>>) => boolean;
  /** Configurations stored before the axis existed lack it: the value they ran with. */
  addedLater?: number;
}): Axis<number, IntAxis> {
  // `auto` is the axis's default range less what it leaves out on the machine.
  const values = (spec: IntAxis, machine: Machine, name: string): number[] => {
    const auto = spec === AUTO;
    const listed = intValues(auto ? options.default : spec, machine.usableCpus, name);
    return chooseValues(auto ? AUTO : listed, listed, options.leftOut?.(machine) ?? [], name, options.baseline(machine));
  };
  return define<number, IntAxis>({
    description: options.description,
    space: intSpace.default(options.default),
    flag: intFlag,
    flagHelp: '1,2,4 | 1-8 | 1-8:pow2 | pow2 | 1-cpus | auto',
    values,
    count: (spec, machine) => (spec === AUTO ? values(spec, machine, '').length : intCount(spec, machine.usableCpus)),
    baseline: options.baseline,
    stored: options.addedLater === undefined ? positiveInt : positiveInt.default(options.addedLater),
    addedLater: options.addedLater !== undefined,
    encoding: 'log2',
    key: (v) => `${options.prefix}${v}`,
    label: (v) => `${options.prefix}${v}`,
    level: String,
    appliedBy: options.appliedBy,
    ...optionalHooks(options),
  });
}

function choiceAxis<V extends string>(options: {
  description: string;
  values: readonly V[];
  what: string;
  default: V[];
  baseline: V;
  /** The label fragment of each value ('' to leave it out). */
  label: (value: V) => string;
  appliedBy: AppliedBy;
  /** Fragment of the key; by default the value itself. */
  key?: (value: V) => string;
  session?: (value: V, options: SessionOptions) => void;
  env?: (value: V) => Record<string, string>;
  /** Configurations stored before the axis existed lack it. */
  addedLater?: boolean;
  leftOut?: (machine: Machine) => Array<LeftOut<V>>;
  appliesTo?: (config: Readonly<Record<string, AxisValue>>) => boolean;
}): Axis<V, V[] | Auto> {
  const all = options.values as readonly [V, ...V[]];
  const values = (spec: V[] | Auto, machine: Machine, name: string): V[] => chooseValues(spec, all, options.leftOut?.(machine) ?? [], name, options.baseline);
  return define<V, V[] | Auto>({
    description: options.description,
    space: choiceSpace(all, options.what).default(options.default) as unknown as z.ZodDefault<z.ZodType<V[] | Auto>>,
    flag: (text, flag) => wordsFlag(text, flag, all, 'all'),
    flagHelp: `${all.join(',')} | all | auto`,
    values,
    // A listed value that cannot run is refused by `values`, which names the axis.
    count: (spec, machine) => (spec === AUTO ? values(spec, machine, '').length : new Set(spec).size),
    baseline: () => options.baseline,
    stored: (options.addedLater ? z.enum(all).default(options.baseline) : z.enum(all)) as unknown as z.ZodType<V>,
    addedLater: options.addedLater ?? false,
    encoding: 'categorical',
    key: options.key ?? ((v) => v),
    label: options.label,
    level: (v) => v,
    appliedBy: options.appliedBy,
    ...optionalHooks(options),
  });
}

function onOffAxis(options: {
  description: string;
  default: boolean[];
  baseline: boolean;
  /** Label fragments for on and off ('' to leave it out). */
  labels: [string, string];
  keys: [string, string];
  appliedBy: AppliedBy;
  session?: (value: boolean, options: SessionOptions) => void;
  env?: (value: boolean) => Record<string, string>;
  /** Configurations stored before the axis existed lack it. */
  addedLater?: boolean;
  leftOut?: (machine: Machine) => Array<LeftOut<boolean>>;
  appliesTo?: (config: Readonly<Record<string, AxisValue>>) => boolean;
}): Axis<boolean, boolean[] | Auto> {
  const values = (spec: boolean[] | Auto, machine: Machine, name: string): boolean[] =>
    chooseValues(spec, [options.baseline, !options.baseline], options.leftOut?.(machine) ?? [], name, options.baseline);
  return define<boolean, boolean[] | Auto>({
    description: options.description,
    space: onOffSpace.default(options.default),
    flag: (text, flag) => wordsFlag(text, flag, ['on', 'off'], 'both'),
    flagHelp: 'on,off | both | auto',
    values,
    // A listed value that cannot run is refused by `values`, which names the axis.
    count: (spec, machine) => (spec === AUTO ? values(spec, machine, '').length : new Set(spec).size),
    baseline: () => options.baseline,
    stored: options.addedLater ? z.boolean().default(options.baseline) : z.boolean(),
    addedLater: options.addedLater ?? false,
    encoding: 'categorical',
    key: (v) => (v ? options.keys[0] : options.keys[1]),
    label: (v) => (v ? options.labels[0] : options.labels[1]),
    level: (v) => (v ? 'on' : 'off'),
    appliedBy: options.appliedBy,
    ...optionalHooks(options),
  });
}

/** The hooks an axis has only where it needs them, copied without writing `undefined` into the entry. */
function optionalHooks<V extends AxisValue>(options: Pick<Axis<V, unknown>, 'session' | 'env' | 'leftOut' | 'appliesTo'>): Pick<Axis<V, unknown>, 'session' | 'env' | 'leftOut' | 'appliesTo'> {
  const hooks: Pick<Axis<V, unknown>, 'session' | 'env' | 'leftOut' | 'appliesTo'> = {};
  if (options.session) hooks.session = options.session;
  if (options.env) hooks.env = options.env;
  if (options.leftOut) hooks.leftOut = options.leftOut;
  if (options.appliesTo) hooks.appliesTo = options.appliesTo;
  return hooks;
}

export const NUMA_POLICIES = ['none', 'local', 'interleave', 'spread', 'preferred'] as const;
export type NumaPolicy = (typeof NUMA_POLICIES)[number];

/** 'cores': one hardware thread per physical core first; 'all': every hardware thread. */
export const SMT_USES = ['cores', 'all'] as const;
export type SmtUse = (typeof SMT_USES)[number];

const session = (options: SessionOptions): Record<string, unknown> => {
  options.extra ??= { session: {} };
  return options.extra.session;
};

/** The axes in enumeration order (the order a grid varies them in and labels list them). */
export const AXES = {
  processes: intAxis({
    description: 'worker processes',
    default: { min: 1, max: 'cpus', scale: 'pow2' },
    baseline: () => 1,
    prefix: 'p',
    appliedBy: 'placement',
  }),
  threads: intAxis({
    description: 'intra-op threads per process (the calling thread included, as onnxruntime counts it)',
    default: { min: 1, max: 'cpus', scale: 'pow2' },
    // Left unset, onnxruntime starts one thread per physical core.
    baseline: (machine) => Math.max(1, machine.cores),
    prefix: 't',
    appliedBy: 'session',
    env: (v) => ({ [VARIABLES.intraOpThreads]: String(v) }),
  }),
  numa: choiceAxis({
    description: 'memory placement of each worker',
    values: NUMA_POLICIES,
    what: 'a NUMA policy',
    default: ['none', 'local'],
    baseline: 'none',
    label: (v) => v,
    appliedBy: 'launcher',
    leftOut: (machine) =>
      machine.numaNodes > 1
        ? []
        : NUMA_POLICIES.filter((p) => p !== 'none').map((value) => ({ value, reason: 'one NUMA node here: they would place memory as none does', runnable: true })),
  }),
  batch: intAxis({
    description: 'batch size of each inference',
    default: [1, 8, 32],
    // The study's baseline runs at the user's batch (userBatch); 1 where no study says otherwise.
    baseline: () => 1,
    prefix: 'b',
    appliedBy: 'workload',
    env: (v) => ({ [VARIABLES.batch]: String(v) }),
  }),
  smt: choiceAxis({
    description: 'hardware threads: cores (one per physical core first) or all',
    values: SMT_USES,
    what: 'an SMT use',
    default: ['cores'],
    baseline: 'cores',
    label: (v) => (v === 'all' ? 'smt' : ''),
    appliedBy: 'placement',
  }),
  spinning: onOffAxis({
    description: 'spinning of the onnxruntime intra-op thread pool',
    default: [true],
    baseline: true,
    labels: ['spin', 'nospin'],
    keys: ['spin', 'nospin'],
    appliedBy: 'session',
    session: (v, options) => {
      session(options)['intra_op'] = { allow_spinning: v ? '1' : '0' };
    },
    env: (v) => ({ [VARIABLES.spinning]: v ? '1' : '0' }),
  }),
  threadPlacement: choiceAxis({
    description: "placement of a worker's threads: compact (neighbouring cores, one L3 domain first) or scatter (over L3 domains)",
    values: THREAD_PLACEMENTS,
    what: 'a thread placement',
    default: ['compact'],
    baseline: 'compact',
    label: (v) => (v === 'scatter' ? 'scatter' : ''),
    key: (v) => (v === 'scatter' ? 'scatter' : ''),
    appliedBy: 'placement',
    // A one-thread worker has nothing to spread.
    appliesTo: (config) => config['threads'] !== 1,
    leftOut: (machine) =>
      machine.l3Domains > 1 ? [] : [{ value: 'scatter', reason: 'one L3 domain here: scatter would place threads as compact does', runnable: true }],
    addedLater: true,
  }),
  graphOptimization: choiceAxis({
    description: 'onnxruntime graph optimization level',
    values: GRAPH_OPTIMIZATIONS,
    what: 'a graph optimization level',
    default: ['all'],
    baseline: 'all',
    label: (v) => (v === 'all' ? '' : `opt:${v}`),
    key: (v) => (v === 'all' ? '' : `opt-${v}`),
    appliedBy: 'session',
    session: (v, options) => {
      options.graphOptimizationLevel = v;
    },
    env: (v) => ({ [VARIABLES.graphOptimization]: v }),
    addedLater: true,
  }),
  cpuArena: onOffAxis({
    description: "onnxruntime's CPU memory arena",
    default: [true],
    baseline: true,
    labels: ['', 'noarena'],
    keys: ['', 'noarena'],
    appliedBy: 'session',
    session: (v, options) => {
      options.enableCpuMemArena = v;
    },
    env: (v) => ({ [VARIABLES.cpuArena]: v ? '1' : '0' }),
    addedLater: true,
  }),
  allocator: choiceAxis({
    description: "each worker's memory allocator: glibc's malloc, or jemalloc or tcmalloc preloaded (LD_PRELOAD)",
    values: ALLOCATORS,
    what: 'a memory allocator',
    default: ['glibc'],
    baseline: 'glibc',
    label: (v) => (v === 'glibc' ? '' : v),
    key: (v) => (v === 'glibc' ? '' : v),
    appliedBy: 'launcher',
    env: (v): Record<string, string> => (v === 'glibc' ? {} : { [LD_PRELOAD]: ALLOCATOR_LIBRARIES[v].soname }),
    leftOut: (machine) =>
      (Object.keys(ALLOCATOR_LIBRARIES) as PreloadedAllocator[])
        .filter((a) => machine.allocators[a] === undefined)
        .map((a) => ({ value: a, reason: allocatorMissing(a), runnable: false })),
    addedLater: true,
  }),
};

export type AxisName = keyof typeof AXES;
export const AXIS_NAMES = Object.keys(AXES) as AxisName[];

type ValueOf<A> = A extends Axis<infer V, unknown> ? V : never;
type SpecOf<A> = A extends Axis<AxisValue, infer S> ? S : never;

/** One value per axis. */
export type AxisValues = { [K in AxisName]: ValueOf<(typeof AXES)[K]> };
/** A study's space: one spec per axis, as the schema outputs it. */
export type SpaceSpec = { [K in AxisName]: SpecOf<(typeof AXES)[K]> };

/** `--graph-optimization` for graphOptimization: the flag of an axis in `tune` and `trial`. */
export function flagName(name: AxisName): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The table for code that treats every axis alike (the entry's value type is erased). */
export function axisEntries(): Array<[AxisName, Axis<AxisValue, unknown>]> {
  return AXIS_NAMES.map((name) => [name, AXES[name] as unknown as Axis<AxisValue, unknown>]);
}

export function axis(name: AxisName): Axis<AxisValue, unknown> {
  return AXES[name] as unknown as Axis<AxisValue, unknown>;
}

/** The space section of the study schema: one field per axis. */
export const spaceSchema = z
  .object(Object.fromEntries(axisEntries().map(([name, a]) => [name, a.space])) as { [K in AxisName]: (typeof AXES)[K]['space'] })
  .strict();
