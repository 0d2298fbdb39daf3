import { AutotuneError } from '../errors.js';
import { readModelFile } from './model-file.js';
import { readSignature } from './onnx-signature.js';
import { ProtoDecodeError } from './protobuf.js';
import type { ModelSignature } from './types.js';

/** The inputs and outputs an ONNX file declares (see onnx-signature.ts for why not from onnxruntime). */
export async function inspectModel(path: string): Promise<ModelSignature> {
  const bytes = await readModelFile(path);
  try {
    return readSignature(bytes);
  } catch (e) {
    if (e instanceof ProtoDecodeError) throw new AutotuneError('input', `model file ${path} is not an ONNX model: ${e.message}`);
    throw e;
  }
}
