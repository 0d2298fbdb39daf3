/**
 * Per-inference time of each built-in model at its default size, one intra-op thread, so the
 * defaults can be checked against their target of roughly 0.5-2 ms at batch 1 on one core.
 * Run: npm run build && node dist/bench/workload.js [spec...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { builtinModelNames, createInputs, inspectModel, planInputs, resolveModel } from '../src/workload/index.js';

const WINDOW_MS = 1000;
const WINDOWS = 5;

const specs = process.argv.length > 2 ? process.argv.slice(2) : builtinModelNames();
const cacheDir = mkdtempSync(join(tmpdir(), 'autotune-bench-workload-'));
try {
  for (const spec of specs) {
    const model = await resolveModel(spec, { cacheDir });
    const signature = await inspectModel(model.path);
    const session = await ort.InferenceSession.create(model.path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const cells: string[] = [];
    for (const batch of [1, 4]) {
      const feeds = createInputs(planInputs(signature, { shapes: {}, values: {}, sampleFile: null }, batch));
      for (let i = 0; i < 20; i++) await session.run(feeds);
      const perWindow: number[] = [];
      for (let w = 0; w < WINDOWS; w++) {
        const start = performance.now();
        let n = 0;
        while (performance.now() - start < WINDOW_MS) {
          await session.run(feeds);
          n++;
        }
        perWindow.push((performance.now() - start) / n);
      }
      perWindow.sort((a, b) => a - b);
      cells.push(`batch ${batch}: ${perWindow[WINDOWS >> 1]!.toFixed(3)} ms (min ${perWindow[0]!.toFixed(3)})`);
    }
    await session.release();
    console.log(`${model.name.padEnd(22)} ${cells.join('   ')}`);
  }
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
