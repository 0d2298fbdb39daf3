import test from 'node:test';
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

/** A private tmux server, so the test never touches anyone's sessions. */
function tmux(socket: string, ...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

test('autotune tune in a 120x40 terminal ends on the finished dashboard and its summary', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-ui-'));
  const socket = `autotune-ui-test-${process.pid}`;
  t.after(() => {
    try {
      tmux(socket, 'kill-server');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const command = [
    `cd '${ROOT}' &&`,
    `env -u CI AUTOTUNE_CACHE='${join(dir, 'models')}' node bin/autotune.js tune --db '${join(dir, 'ui.db')}' --name tiny`,
    '--model builtin:mlp --processes 1 --threads 1 --numa none --batch 1,2 --trials 3',
    '--warmup 200ms --min-time 300ms --max-time 600ms --slo 1000',
  ].join(' ');
  // remain-on-exit is set before the session exists, so the pane outlives even a fast command.
  tmux(socket, 'start-server', ';', 'set-option', '-g', 'remain-on-exit', 'on', ';', 'new-session', '-d', '-s', 'ui', '-x', '120', '-y', '40', command);

  const started = Date.now();
  let status = '';
  for (;;) {
    const [dead, code] = tmux(socket, 'list-panes', '-t', 'ui', '-F', '#{pane_dead} #{pane_dead_status}').trim().split(' ');
    if (dead === '1') {
      status = code ?? '';
      break;
    }
    assert.ok(Date.now() - started < DEADLINE_MS, 'autotune tune did not finish in time');
    await delay(POLL_MS);
  }
  // The visible screen plus what scrolled above it: the dashboard and the summary after it.
  const screen = tmux(socket, 'capture-pane', '-p', '-S', '-', '-t', 'ui');
  assert.equal(status, '0', screen);
  // Every redraw replaced the previous frame in place: the header is there once, no stale footer.
  assert.equal(screen.split('study tiny · model builtin:mlp').length - 1, 1, screen);
  assert.doesNotMatch(screen, /q stop gracefully/);
  assert.match(screen, /3\/3 trials/);
  assert.match(screen, /study finished \(budget\): 3 complete, 0 failed/);
  assert.match(screen, /p99 ms {2}-- SLO 1000 ms|p99 ms {2}SLO 1000 ms (above|below) the plot/);
  assert.match(screen, /best under the 1000 ms SLO: p1 t1 none b\d/);
  // The tune command's summary follows the dashboard once it has unmounted.
  assert.match(screen, /Pareto front \(p99 latency vs throughput\):/);
  for (const line of screen.split('\n')) assert.ok(line.length <= 120);
});
