import { Box, Text } from 'ink';
import { shortConfig } from '../format.js';
import type { FailureRow } from '../state.js';

const SHOWN = 3;

/** The latest failures with their one-line reason (wrapped, never cut: the reason is the point). */
export function Failures({ failures }: { failures: readonly FailureRow[] }) {
  if (failures.length === 0) return null;
  const hidden = failures.length - SHOWN;
  return (
    <Box flexDirection="column">
      <Text color="red">
        {failures.length} failed{hidden > 0 ? ` (latest ${SHOWN} shown)` : ''}:
      </Text>
      {failures.slice(-SHOWN).map((f) => (
        <Text key={f.trialId}>
          {'  '}#{f.number} {shortConfig(f.config)}: <Text color="red">{f.error}</Text>
        </Text>
      ))}
    </Box>
  );
}
