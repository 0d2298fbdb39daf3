import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AutotuneError } from '../errors.js';
import type { SampleInputs } from './types.js';

const sampleSchema = z.record(
  z.string(),
  z.strictObject({
    dims: z.array(z.int().nonnegative()),
    data: z.array(z.union([z.number(), z.string(), z.boolean()])),
  }),
);

/**
 * Reads a sample-input file (format: SampleInputs in types.ts) and checks its own consistency;
 * planInputs checks it against the model.
 */
export function loadSampleInputs(path: string): SampleInputs {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AutotuneError('input', `sample-input file ${path} ${code === 'ENOENT' ? 'not found' : `cannot be read (${code})`}: check the path`, { errno: code });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AutotuneError('input', `sample-input file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = sampleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AutotuneError(
      'input',
      `sample-input file ${path}: ${issue.path.length ? `at ${issue.path.join('.')}: ` : ''}${issue.message}; expected {"NAME": {"dims": [..], "data": [..]}}`,
    );
  }
  for (const [name, s] of Object.entries(parsed.data)) {
    const count = s.dims.reduce((a, b) => a * b, 1);
    if (count !== s.data.length) {
      throw new AutotuneError('input', `sample-input file ${path}: input "${name}" has dims [${s.dims.join(',')}] (${count} values) but ${s.data.length} values in data`);
    }
  }
  return parsed.data;
}
