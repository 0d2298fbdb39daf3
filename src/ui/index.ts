import { render } from 'ink';
import { createElement } from 'react';
import type { StudyEvent } from '../study/events.js';
import { App } from './App.js';
import { createFeed } from './feed.js';
import type { DashboardState } from './state.js';

/**
 * Redraws at most this often: a few frames per second is plenty to watch a search, and keeps the
 * tuner's own CPU use negligible next to the trial it measures (see README, Terminal UI).
 */
export const REDRAW_INTERVAL_MS = 250;

/**
 * The live dashboard of `autotune tune`, loaded by the tune command only when a person watches a
 * terminal. It only subscribes to the core's events.
 */
export function startDashboard(options: { stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream; onQuit: () => void }): {
  listener: (event: StudyEvent) => void;
  done(): Promise<void>;
} {
  const feed = createFeed({ intervalMs: REDRAW_INTERVAL_MS });
  // Ink puts the terminal in raw mode to read keys, so Ctrl-C arrives as a key, not as SIGINT:
  // raise the signal so the tune command's two-stage Ctrl-C handling still applies.
  const onInterrupt = (): void => void process.kill(process.pid, 'SIGINT');
  let drawn: DashboardState | null = null;
  let onFinalDrawn: (() => void) | null = null;
  const onDrawn = (state: DashboardState): void => {
    drawn = state;
    if (state === feed.getSnapshot()) onFinalDrawn?.();
  };
  const instance = render(createElement(App, { feed, onQuit: options.onQuit, onInterrupt, onDrawn }), {
    stdout: options.stdout ?? process.stdout,
    stdin: options.stdin ?? process.stdin,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 1000 / REDRAW_INTERVAL_MS,
  });
  return {
    listener: (event) => feed.push(event),
    async done() {
      // React commits the flushed state asynchronously: unmount only once it is on screen, so the
      // terminal is left showing the finished study.
      const drawnFinal = new Promise<void>((resolve) => (onFinalDrawn = resolve));
      feed.flush();
      if (drawn !== feed.getSnapshot()) await drawnFinal;
      instance.unmount();
      await instance.waitUntilExit();
      feed.close();
    },
  };
}
