import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { AutotuneError } from '../errors.js';

/**
 * Reads a study file (YAML, or JSON, which YAML reads too) into a plain input object for
 * applyStudyFlags/parseStudy. A file without `name` is named after itself (studies/big.yaml -> big).
 */
export function readStudyFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AutotuneError('input', `study file ${path} cannot be read (${code ?? 'error'}): check the path`, { cause: error });
  }
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: false });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    const what = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
    throw new AutotuneError('input', `study file ${path} is not valid YAML/JSON${where}: ${what}`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new AutotuneError('input', `study file ${path} must hold a mapping of study fields (name, model, space, ...)`);
  }
  const input = data as Record<string, unknown>;
  return input.name === undefined ? { ...input, name: basename(path, extname(path)) } : input;
}
