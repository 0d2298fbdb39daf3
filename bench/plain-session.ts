/**
 * The start of the benchmarks' independent programs (run with `node -e`, no autotune code): a
 * session with the settings autotune's worker uses for P x 1 thread, and float32 feeds of the given
 * dims. `path` and `inputsJson` must be defined before it.
 */
export const PLAIN_SESSION = `
const session = await ort.InferenceSession.create(path, {
  intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '1' } } },
});
const feeds = {};
for (const [name, dims] of Object.entries(JSON.parse(inputsJson))) {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1)).map(() => Math.random() * 2 - 1);
  feeds[name] = new ort.Tensor('float32', data, dims);
}
`;
