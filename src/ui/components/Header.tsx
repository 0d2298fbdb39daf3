import { Box, Text } from 'ink';
import { describeLeftOut } from '../../domain/study.js';
import type { StudyInfo } from '../../study/events.js';

export function Header({ study }: { study: StudyInfo | null }) {
  if (!study) return <Text dimColor>autotune: opening the study…</Text>;
  const m = study.machine;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>autotune</Text> study <Text bold color="cyan">{study.name}</Text>
        {study.resumed ? ` (resumed, ${study.completedTrials} done before)` : ''} · model {study.model}
      </Text>
      <Text wrap="truncate-end">
        {m.cpuModel} · {m.nodes} node(s) · {m.cores} cores · {m.threads} threads · {m.usableCpus} usable
      </Text>
      <Text wrap="truncate-end">
        {study.strategy} over {study.spaceSize} configs ({study.infeasibleDropped} infeasible) · SLO{' '}
        {study.sloMs === null ? 'none' : `${study.sloMs} ms`} · db {study.dbPath}
      </Text>
      {study.leftOut.length > 0 ? (
        <Text dimColor wrap="truncate-end">
          left out here: {describeLeftOut(study.leftOut)}
        </Text>
      ) : null}
      {study.machineWarnings.map((line) => (
        <Text key={line} color="yellow" wrap="truncate-end">
          ! machine: {line}
        </Text>
      ))}
    </Box>
  );
}
