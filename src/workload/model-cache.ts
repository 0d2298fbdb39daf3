import { createHash, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AutotuneError } from '../errors.js';
import { generateBuiltin, GENERATOR_VERSION, type BuiltinSpec } from './builtin-models.js';
import { sha256File } from './model-file.js';

/**
 * The generated file of a built-in model: `<cacheDir>/<name>-<hash of options>.onnx`, created on
 * first use. Written to a unique temporary name and renamed into place, so a worker or a second
 * tuner never sees a half-written file; two writers racing both write the same bytes.
 */
export async function cachedBuiltin(spec: BuiltinSpec, cacheDir: string): Promise<{ path: string; sha256: string }> {
  const key = createHash('sha256')
    .update(JSON.stringify({ model: spec.model.name, version: GENERATOR_VERSION, params: spec.params }))
    .digest('hex')
    .slice(0, 16);
  const path = join(cacheDir, `${spec.model.name}-${key}.onnx`);
  const notDirectory = new AutotuneError('input', `the model cache ${cacheDir} is not a directory (a file is in its place): point AUTOTUNE_CACHE at a directory (it is created if missing)`);
  if (isFile(cacheDir)) throw notDirectory;
  try {
    return { path, sha256: await sha256File(path) };
  } catch (e) {
    const errno = (e as AutotuneError).errno;
    if (errno === 'ENOTDIR') throw notDirectory;
    if (errno !== 'ENOENT') throw e;
  }
  const bytes = generateBuiltin(spec);
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new AutotuneError('system', `cannot write the built-in model to ${cacheDir} (${code}): choose a writable cache directory`, { errno: code });
  }
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function isFile(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
}
