import { z } from 'zod';
import { AutotuneError } from '../errors.js';

/**
 * The two kinds of axis a study's space has, each in its study-file form (a zod schema piece) and
 * its flag form (the text after `--threads` or `--numa`, turned into the same input the file would
 * hold). The axis table (axes.ts) builds every axis from one of them.
 */

/** `auto`: every value that can matter on this machine (the axis says which it leaves out, and why). */
export const AUTO = 'auto';
export type Auto = typeof AUTO;

/** A value an axis leaves out of an `auto` spec on this machine, and why. */
export interface LeftOut<V> {
  value: V;
  reason: string;
  /** False: the value cannot run here at all (a missing library), so a space that lists it is refused. */
  runnable: boolean;
}

export const positiveInt = z
  .int({ error: 'expected a positive integer' })
  .positive({ error: 'expected a positive integer' });

/** A range resolved against the machine: `max: cpus` means the CPUs this process may use. */
const intRange = z
  .object({
    min: positiveInt.default(1),
    max: z.union([positiveInt, z.literal('cpus')], { error: 'expected a positive integer or "cpus"' }),
    scale: z.enum(['linear', 'pow2'], { error: 'expected "linear" or "pow2"' }).default('linear'),
  })
  .strict()
  .refine((r) => r.max === 'cpus' || r.max >= r.min, { error: 'max must not be below min', path: ['max'] });

export const intSpace = z.union(
  [
    z.literal(AUTO),
    z.array(positiveInt).min(1, { error: 'expected at least one value' }),
    positiveInt.transform((n) => [n]),
    intRange,
  ],
  { error: 'expected a positive integer, a list of them, a range {min, max, scale: linear|pow2}, or auto' },
);

export type IntAxis = z.output<typeof intSpace>;
/** An integer axis as written out: a list or a range. */
export type IntSpec = Exclude<IntAxis, Auto>;

export function choiceSpace<T extends string>(values: readonly T[], what: string) {
  const all = values as readonly [T, ...T[]];
  const item = z.enum(all, { error: `expected ${what}: ${values.join(', ')}` });
  return z.union([z.literal(AUTO), z.array(item).min(1, { error: 'expected at least one value' }), item.transform((v) => [v])], {
    error: `expected ${what} (${values.join(', ')}), a list of them, or auto`,
  });
}

/**
 * The values of a spec on this machine: `auto` is `candidates` less what the axis leaves out here
 * (the baseline is never left out, so it is never empty); a list is taken as written, unless it
 * names a value that cannot run here.
 */
export function chooseValues<V>(spec: readonly V[] | Auto, candidates: readonly V[], leftOut: ReadonlyArray<LeftOut<V>>, name: string, baseline: V): V[] {
  if (spec === AUTO) {
    const kept = candidates.filter((v) => v === baseline || !leftOut.some((l) => l.value === v));
    return kept.length > 0 ? kept : [baseline];
  }
  const refused = leftOut.find((l) => !l.runnable && spec.includes(l.value));
  if (refused) {
    throw new AutotuneError('usage', `space.${name}: ${String(refused.value)} cannot run on this machine (${refused.reason}): remove it, or write ${name}: auto`);
  }
  return [...new Set(spec)];
}

/** on/off, true/false, yes/no: YAML 1.2 reads `on` as a string, YAML 1.1 habits write it anyway. */
export const onOff = z.union(
  [z.boolean(), z.enum(['on', 'off', 'true', 'false', 'yes', 'no']).transform((v) => v === 'on' || v === 'true' || v === 'yes')],
  { error: 'expected on or off' },
);

export const onOffSpace = z.union([z.literal(AUTO), z.array(onOff).min(1), onOff.transform((v) => [v])], { error: 'expected on, off, a list of them, or auto' });

/**
 * `1,2,4` (a list), `1-8` (every integer), `1-8:pow2` (powers of two and both ends), `pow2`
 * (1 up to the usable CPUs), `1-cpus`.
 */
export function intFlag(text: string, flag: string): unknown {
  const t = text.trim();
  if (t === AUTO) return AUTO;
  if (t === 'pow2') return { min: 1, max: 'cpus', scale: 'pow2' };
  const range = /^(\d+)-(\d+|cpus)(?::(pow2|linear))?$/.exec(t);
  if (range) {
    const max = range[2] === 'cpus' ? 'cpus' : Number(range[2]);
    return { min: Number(range[1]), max, scale: range[3] ?? 'linear' };
  }
  if (!/^\d+(,\d+)*$/.test(t)) {
    throw new AutotuneError('usage', `${flag} "${text}" is malformed: use a list (1,2,4), a range (1-8), powers of two (1-8:pow2, pow2) or 1-cpus`);
  }
  return t.split(',').map(Number);
}

/** `local,interleave`; `all` (or `both` for on/off) stands for every value. */
export function wordsFlag(text: string, flag: string, all: readonly string[], alias: 'all' | 'both'): string[] | Auto {
  if (text.trim() === AUTO) return AUTO;
  const items = text.split(',').map((w) => w.trim()).filter((w) => w !== '');
  if (items.length === 0) throw new AutotuneError('usage', `${flag} is empty: give one or more values separated by commas`);
  return items.flatMap((w) => (w === alias ? [...all] : [w]));
}

/** How many values `intValues` gives for the axis, computed without enumerating it. */
export function intCount(axis: IntSpec, usableCpus: number): number {
  if (Array.isArray(axis)) return new Set(axis).size;
  const max = axis.max === 'cpus' ? usableCpus : axis.max;
  if (max < axis.min) return 0;
  if (axis.scale === 'linear') return max - axis.min + 1;
  let powers = 0;
  for (let v = 1; v <= max; v *= 2) if (v > axis.min && v < max) powers++;
  return powers + (max === axis.min ? 1 : 2);
}

/**
 * The values of one integer axis on this machine. `max: cpus` is the CPUs this process may use;
 * a pow2 range takes the powers of two inside [min, max] plus both ends, so `1..cpus` on 6 CPUs is
 * 1, 2, 4, 6 and the whole machine is always tried.
 */
export function intValues(axis: IntSpec, usableCpus: number, name: string): number[] {
  if (Array.isArray(axis)) return [...new Set(axis)].sort((a, b) => a - b);
  const max = axis.max === 'cpus' ? usableCpus : axis.max;
  if (max < axis.min) {
    throw new AutotuneError('usage', `${name} ${axis.min}-cpus is empty on this machine (${max} usable CPUs): lower its min`);
  }
  const values = new Set<number>([axis.min, max]);
  if (axis.scale === 'linear') for (let v = axis.min; v <= max; v++) values.add(v);
  else for (let v = 1; v <= max; v *= 2) if (v >= axis.min) values.add(v);
  return [...values].sort((a, b) => a - b);
}
