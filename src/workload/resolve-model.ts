import { basename, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AutotuneError } from '../errors.js';
import type { ModelInfo } from '../domain/results.js';
import { isBuiltinSpec, parseBuiltinSpec } from './builtin-models.js';
import { cachedBuiltin } from './model-cache.js';
import { checkModelFile, sha256File } from './model-file.js';

/**
 * `builtin:NAME[?k=v&...]` or a path to an .onnx file -> the file every worker loads. A file is
 * loaded once here, so a file onnxruntime cannot load fails before any worker starts.
 */
export async function resolveModel(spec: string, opts: { cacheDir: string }): Promise<ModelInfo> {
  if (isBuiltinSpec(spec)) {
    const builtin = parseBuiltinSpec(spec);
    const { path, sha256 } = await cachedBuiltin(builtin, opts.cacheDir);
    return { path, name: builtin.canonical, sha256 };
  }
  const path = resolve(spec);
  await checkModelFile(path, spec);
  await checkLoadable(path, spec);
  return { path, name: basename(path), sha256: await sha256File(path) };
}

async function checkLoadable(path: string, spec: string): Promise<void> {
  let session: ort.InferenceSession;
  try {
    // One thread: left unset, onnxruntime starts and pins a thread per core just to load it.
    session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 });
  } catch (e) {
    const first = String((e as Error).message ?? e).split('\n')[0]!.trim();
    // onnxruntime prefixes "Load model from PATH failed:", which repeats what we say.
    const reason = first.replace(/^Load model from .* failed:\s*/, '');
    throw new AutotuneError('input', `model file ${spec} is not a loadable ONNX model: ${reason}`);
  }
  await session.release();
}
