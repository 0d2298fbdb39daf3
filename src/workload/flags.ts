import { AutotuneError } from '../errors.js';
import type { ShapeDim } from './types.js';

/**
 * `--shape x=B,3,224,224` -> { name: 'x', dims: ['B', 3, 224, 224] }. The name is everything before
 * the last '=', because exported input names may contain ':' or even '='.
 */
export function parseShapeFlag(text: string): { name: string; dims: ShapeDim[] } {
  const { name, value } = splitFlag('--shape', text, 'x=B,3,224,224');
  const dims = value.split(',').map((token): ShapeDim => {
    const t = token.trim();
    if (t === 'B' || t === 'b') return 'B';
    if (/^\d+$/.test(t) && Number(t) >= 1) return Number(t);
    throw new AutotuneError('usage', `--shape "${text}": "${t}" is not a positive integer or B (the batch dimension)`);
  });
  return { name, dims };
}

/** `--value sr=16000` -> { name: 'sr', value: 16000 }: a fixed value for every element of an input. */
export function parseValueFlag(text: string): { name: string; value: number } {
  const { name, value } = splitFlag('--value', text, 'sr=16000');
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new AutotuneError('usage', `--value "${text}": "${value}" is not a number`);
  return { name, value: n };
}

function splitFlag(flag: string, text: string, example: string): { name: string; value: string } {
  const eq = text.lastIndexOf('=');
  if (eq <= 0 || eq === text.length - 1) {
    throw new AutotuneError('usage', `${flag} "${text}" is not NAME=VALUE: write it like ${flag} ${example}`);
  }
  return { name: text.slice(0, eq), value: text.slice(eq + 1) };
}
