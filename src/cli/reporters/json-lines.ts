import type { StudyEventListener } from '../../study/events.js';

/** `--json`: every event, one JSON object per line, for scripts and recorded fixtures. */
export function createJsonLinesReporter(write: (line: string) => void): StudyEventListener {
  return (event) => write(`${JSON.stringify(event)}\n`);
}
