import { Box, Text } from 'ink';
import { scatterRows, type CellKind } from '../plot.js';
import type { PlotPoint } from '../state.js';

const COLOR: Partial<Record<CellKind, string>> = { front: 'green', baseline: 'cyan', slo: 'red', axis: 'gray' };

export function Scatter({ points, sloMs, width, height }: { points: readonly PlotPoint[]; sloMs: number | null; width: number; height: number }) {
  const rows = scatterRows(points, { width, height, sloMs });
  return (
    <Box flexDirection="column">
      {rows.map((segments, r) => (
        <Text key={r} wrap="truncate-end">
          {segments.map((s, i) => (
            <Text key={i} color={COLOR[s.kind]} bold={s.kind === 'front'}>
              {s.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
