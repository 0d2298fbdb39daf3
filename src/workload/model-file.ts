import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { AutotuneError } from '../errors.js';
import { builtinModelNames } from './builtin-models.js';

/** Fails with one line when `path` is not a regular file; `shown` is how the user wrote it. */
export async function checkModelFile(path: string, shown = path): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (e) {
    throw fileError(shown, e);
  }
  if (!info.isFile()) throw new AutotuneError('input', `model ${shown} is not a file: give an .onnx file`);
  // onnxruntime would say only "protobuf parsing failed" about an empty file.
  if (info.size === 0) throw new AutotuneError('input', `model file ${shown} is empty (0 bytes): it was not written completely; export the model again`);
}

export async function readModelFile(path: string): Promise<Buffer> {
  await checkModelFile(path);
  try {
    return await readFile(path);
  } catch (e) {
    throw fileError(path, e);
  }
}

/** Streams the file, so hashing a multi-gigabyte model does not hold it in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (e) {
    throw fileError(path, e);
  }
  return hash.digest('hex');
}

function fileError(path: string, e: unknown): AutotuneError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new AutotuneError('input', `model file ${path} not found: check the path, or use a built-in model (${builtinModelNames().join(', ')})`, { errno: code });
  }
  return new AutotuneError('input', `model file ${path} cannot be read (${code ?? (e as Error).message}): check its permissions`, { errno: code });
}
