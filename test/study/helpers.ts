import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStudy, type StudyDefinition, type StudyInput } from '../../src/domain/study.js';
import type { StudyEvent } from '../../src/study/events.js';

/** One inference takes tens of microseconds: these trials measure the loop, not the model. */
export const TINY_MLP = 'builtin:mlp?in=32&hidden=64&layers=2&out=8';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'autotune-study-'));
}

/** A tiny grid (P 1,2 x T 1, batch 1) with windows short enough for the suite. */
export function tinyStudy(over: Partial<StudyInput> = {}): StudyDefinition {
  return parseStudy({
    name: 'tiny',
    model: TINY_MLP,
    space: { processes: [1, 2], threads: [1], numa: ['none'], batch: [1] },
    measure: { warmup: 0.2, minTime: 0.3, maxTime: 0.5, minSamples: 50 },
    ...over,
  });
}

/** The flags of `autotune tune` for the same tiny study, for CLI tests. */
export const TINY_FLAGS = [
  '--model', TINY_MLP, '--threads', '1', '--numa', 'none', '--batch', '1',
  '--warmup', '200ms', '--min-time', '300ms', '--max-time', '500ms', '--min-samples', '50',
];

export function collect(): { events: StudyEvent[]; listener: (e: StudyEvent) => void } {
  const events: StudyEvent[] = [];
  return { events, listener: (e) => events.push(e) };
}
