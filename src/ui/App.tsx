import { Box, Text, useInput, useStdin } from 'ink';
import { useEffect, useState } from 'react';
import { BestLine } from './components/BestLine.js';
import { CurrentTrial } from './components/CurrentTrial.js';
import { Failures } from './components/Failures.js';
import { Header } from './components/Header.js';
import { Help } from './components/Help.js';
import { ProgressBar } from './components/ProgressBar.js';
import { Scatter } from './components/Scatter.js';
import { TrialTable } from './components/TrialTable.js';
import type { DashboardFeed } from './feed.js';
import { useClock } from './hooks/use-clock.js';
import { useFeed } from './hooks/use-feed.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { plotPointsOf, progressOf, standingOf, type DashboardState } from './state.js';

export interface AppProps {
  feed: DashboardFeed;
  /** 'q': stop gracefully, as the first Ctrl-C. */
  onQuit: () => void;
  /** Ctrl-C typed while the terminal is in raw mode (no SIGINT is sent then). */
  onInterrupt: () => void;
  /** Called after each state from the feed is on screen (the entry waits for the final one). */
  onDrawn?: (state: DashboardState) => void;
}

/** Lines the dashboard needs besides the plot's grid; the plot gets what is left of the terminal. */
const OTHER_LINES = 30;

export function App({ feed, onQuit, onInterrupt, onDrawn }: AppProps) {
  const state = useFeed(feed);
  useEffect(() => onDrawn?.(state), [state, onDrawn]);
  const { columns, rows } = useTerminalSize();
  const now = useClock(1000, state.study !== null && state.finish === null);
  const [help, setHelp] = useState(false);
  const [stopping, setStopping] = useState(false);
  const { isRawModeSupported } = useStdin();

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        setStopping(true);
        onInterrupt();
      } else if (input === 'q' && !stopping && !state.finish) {
        setStopping(true);
        onQuit();
      } else if (input === '?') setHelp((shown) => !shown);
    },
    { isActive: isRawModeSupported === true },
  );

  const study = state.study;
  const sloMs = study?.sloMs ?? null;
  const width = Math.max(20, columns);
  const plotHeight = rows === null ? 10 : Math.min(12, Math.max(4, rows - OTHER_LINES));
  const elapsedMs = state.startedAtMs === null ? 0 : Math.max(0, (state.finishedAtMs ?? now) - state.startedAtMs);

  return (
    <Box flexDirection="column" width={width}>
      <Header study={study} />
      {study ? (
        <>
          <ProgressBar progress={progressOf(state)} elapsedMs={elapsedMs} width={width} finished={state.finish !== null} />
          {state.finish ? (
            <Text color="green" bold>
              study finished ({state.finish.reason}): {state.finish.summary.completed} complete, {state.finish.summary.failed} failed
            </Text>
          ) : (
            <CurrentTrial current={state.current} />
          )}
          <TrialTable trials={state.trials} sloMs={sloMs} width={width} />
          <BestLine standing={standingOf(state)} sloMs={sloMs} finished={state.finish !== null} />
          <Scatter points={plotPointsOf(state)} sloMs={sloMs} width={width} height={plotHeight} />
          <Failures failures={state.failures} />
          {state.warnings.map((w, i) => (
            <Text key={i} color="yellow">
              warning: {w}
            </Text>
          ))}
        </>
      ) : null}
      {help ? <Help /> : null}
      <Text dimColor wrap="truncate-end">
        {state.finish ? 'done' : stopping ? 'stopping: cleaning up the current trial…' : 'q stop gracefully · ? help'}
      </Text>
    </Box>
  );
}
