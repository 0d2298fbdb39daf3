import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

/** Pids whose process group is `group`, from /proc (zombies left out: they hold no CPU). */
export function members(group: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === group && fields[0] !== 'Z') found.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

/** Polls `condition` (a state read from /proc or a pipe, not a timer) until it holds, or fails naming `what`. */
export async function until(what: string, condition: () => boolean, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
