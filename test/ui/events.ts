import { readFileSync } from 'node:fs';
import type { StudyEvent } from '../../src/study/events.js';

/** A recorded event stream (`autotune tune --json` of a real study) from test/fixtures/events/ (serving.jsonl with its histogram buckets and all but one progress event per window dropped, to keep it small). */
export function recorded(name: 'normal' | 'failures' | 'resumed' | 'serving'): StudyEvent[] {
  const file = new URL(`../../../test/fixtures/events/${name}.jsonl`, import.meta.url);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StudyEvent);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;

export function plain(frame: string | undefined): string {
  return (frame ?? '').replace(ANSI, '');
}
