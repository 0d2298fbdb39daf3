import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const POLL_MS = 100;
const DEADLINE_MS = 120_000;
const EXIT_MARKER = 'autotune exited with status ';
const TRIAL_FLAGS = '--model builtin:mlp --threads 1 --numa none --warmup 200ms --min-time 300ms --max-time 600ms';

/**
 * `autotune tune ARGS` in a 120x40 pane of a private tmux server (so the test never touches anyone's
 * sessions); the pane stays after the command exits so its screen can be read.
 */
function startTune(t: TestContext, args: string) {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-ui-'));
  const socket = `autotune-ui-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const tmux = (...a: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  t.after(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });
  // The shell prints the exit status as a marker: tmux sometimes leaves the exited command unreaped
  // (its pane reads dead with no status), the shell always reaps it.
  const command =
    `cd '${ROOT}' && env -u CI AUTOTUNE_CACHE='${join(dir, 'models')}' node bin/autotune.js tune --db '${join(dir, 'ui.db')}' ${args}; ` +
    `echo "${EXIT_MARKER}$?"`;
  // remain-on-exit is set before the session exists, so the pane outlives even a fast command.
  tmux('start-server', ';', 'set-option', '-g', 'remain-on-exit', 'on', ';', 'new-session', '-d', '-s', 'ui', '-x', '120', '-y', '40', command);

  const until = async <T>(what: string, probe: () => T | null): Promise<T> => {
    const started = Date.now();
    for (;;) {
      const found = probe();
      if (found !== null) return found;
      assert.ok(Date.now() - started < DEADLINE_MS, `timed out waiting for ${what}`);
      await delay(POLL_MS);
    }
  };
  /** The visible screen plus what scrolled above it. */
  const screen = (): string => tmux('capture-pane', '-p', '-S', '-', '-t', 'ui');
  return {
    screen,
    waitFor: (text: string) => until(`"${text}" on screen`, () => (screen().includes(text) ? true : null)),
    key: (key: string) => void tmux('send-keys', '-t', 'ui', key),
    exited: () => until('autotune tune to exit', () => new RegExp(`${EXIT_MARKER}(\\d+)`).exec(screen())?.[1] ?? null),
  };
}

test('autotune tune in a 120x40 terminal ends on the finished dashboard and its summary', async (t) => {
  const tune = startTune(t, `--name tiny ${TRIAL_FLAGS} --processes 1 --batch 1,2 --trials 3 --slo 1000 --serving-max-time 1s --serving-configs 1`);
  const status = await tune.exited();
  const screen = tune.screen();
  assert.equal(status, '0', screen);
  // Every redraw replaced the previous frame in place: the header is there once, no stale footer.
  assert.equal(screen.split('study tiny · model builtin:mlp').length - 1, 1, screen);
  assert.doesNotMatch(screen, /q stop gracefully/);
  assert.match(screen, /3\/3 trials/);
  // The search's 3 trials, then the confirmation runs and the capacity trials off the plan.
  assert.match(screen, /study finished \(budget\): (\d{2,}) complete, 0 failed/);
  assert.match(screen, /p99 ms {2}-- SLO 1000 ms|p99 ms {2}SLO 1000 ms (above|below) the plot/);
  // Which configuration wins depends on the machine at the time; the baseline can.
  assert.match(screen, /best under the 1000 ms SLO: (p1 t1 none b[12] spin|baseline t\d+ b1) \d+ TPS, p99 [\d.]+ ms · [\d.]+x TPS/);
  assert.match(screen.replace(/\n/g, ' '), /capacity (none|[\d.]+ req\/s) at the SLO/);
  // The tune command's summary follows the dashboard once it has unmounted.
  assert.match(screen, /Pareto front \(p99 latency vs throughput\):/);
  for (const line of screen.split('\n')) assert.ok(line.length <= 120);
});

test('q in the dashboard stops the study gracefully, as the first Ctrl-C', async (t) => {
  const tune = startTune(t, `--name stopped ${TRIAL_FLAGS} --processes 1,2 --batch 1,2 --trials 8`);
  await tune.waitFor('trial #2');
  tune.key('q');
  const status = await tune.exited();
  const screen = tune.screen();
  assert.equal(status, '130', screen);
  assert.match(screen, /study finished \(interrupted\)/);
  assert.doesNotMatch(screen, /study finished \(budget\)/);
});
