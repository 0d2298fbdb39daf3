import { Box, Text } from 'ink';
import { formatDuration } from '../../domain/duration.js';
import type { Progress } from '../state.js';

export function ProgressBar({ progress, elapsedMs, width, finished }: { progress: Progress; elapsedMs: number; width: number; finished: boolean }) {
  const { done, planned, etaMs } = progress;
  const count = planned === null ? `${done} trials` : `${done}/${planned} trials`;
  const text = ` ${count} · elapsed ${formatDuration(elapsedMs)}${finished ? '' : ` · ETA ${etaMs === null ? '–' : formatDuration(etaMs)}`}`;
  const barWidth = Math.max(0, width - text.length - 2);
  const filled = planned === null || planned === 0 ? 0 : Math.round((Math.min(done, planned) / planned) * barWidth);
  return (
    <Box>
      {barWidth > 0 ? (
        <Text>
          [<Text color="green">{'█'.repeat(filled)}</Text>
          <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>]
        </Text>
      ) : null}
      <Text wrap="truncate-end">{text}</Text>
    </Box>
  );
}
