import { Box, Text } from 'ink';
import type { TrialPhase } from '../../runner/types.js';
import { formatMs, formatTps, shortConfig } from '../format.js';
import type { CurrentTrial as Current } from '../state.js';

const PHASE_LABEL: Record<TrialPhase, string> = {
  spawning: 'spawning',
  pinning: 'pinning',
  loading: 'loading',
  warmup: 'warm-up',
  measuring: 'measuring',
  serving: 'serving',
  cooldown: 'cooling down',
};

export function CurrentTrial({ current }: { current: Current | null }) {
  if (!current) return <Text dimColor>no trial running</Text>;
  const live = current.progress;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        trial #{current.number} <Text bold>{shortConfig(current.config)}</Text> <Text dimColor>({current.reason})</Text>
      </Text>
      <Text wrap="truncate-end">
        {'  '}
        <Text color="yellow">{current.phase === null ? 'starting' : PHASE_LABEL[current.phase]}</Text>
        {live && !live.serving ? ` · live ${formatTps(live.tps)} TPS · p99 ${formatMs(live.p99Ms)} ms · ${live.inferences} inferences` : ''}
        {live?.serving
          ? ` · offering ${formatTps(live.serving.offeredRps)} req/s · served ${formatTps(live.serving.achievedRps)}/s · backlog ${live.serving.backlog} · p99 ${formatMs(live.p99Ms)} ms from schedule` +
            (live.serving.verdict === null ? '' : ` · SLO ${live.serving.verdict === 'undecided' ? 'undecided so far' : live.serving.verdict}`)
          : ''}
      </Text>
      {current.serving && current.serving.ended.length > 0 ? (
        <Text wrap="truncate-end" dimColor>
          {'  '}capacity search: {current.serving.ended.join(' · ')}
        </Text>
      ) : null}
    </Box>
  );
}
