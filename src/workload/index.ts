/** The workload module's public surface: model resolution, inspection and input synthesis. */
export { resolveModel } from './resolve-model.js';
export { inspectModel } from './inspect.js';
export { planInputs, planForBatch, fixedBatch } from './plan-inputs.js';
export { createInputs } from './inputs.js';
export { parseShapeFlag, parseValueFlag } from './flags.js';
export { loadSampleInputs } from './sample-file.js';
export { builtinModelNames, parseBuiltinSpec, BUILTIN_PREFIX } from './builtin-models.js';
export * from './types.js';
