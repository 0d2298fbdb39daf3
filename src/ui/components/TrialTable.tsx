import { Box, Text } from 'ink';
import { formatMs, formatTps, shortConfig } from '../format.js';
import type { TrialRow } from '../state.js';

const LATEST = 4;
const BEST = 3;

/** The latest trials and the best ones by TPS among those meeting the SLO. */
export function TrialTable({ trials, sloMs, width }: { trials: readonly TrialRow[]; sloMs: number | null; width: number }) {
  if (trials.length === 0) return null;
  const best = trials
    .filter((t) => sloMs === null || t.p99Ms <= sloMs)
    .sort((a, b) => b.tps - a.tps)
    .slice(0, BEST);
  const latest = trials.slice(-LATEST).reverse();
  // Fixed columns; the configuration takes what is left of the width.
  const configWidth = Math.max(8, width - 5 - 5 - 8 - 8 - 6 - 6 - 4);
  return (
    <Box flexDirection="column">
      <Line label="" number="#" config="config" tps="TPS" p99="p99 ms" cpu="CPU" noise="noise" verified="pin" configWidth={configWidth} dim />
      {best.map((t) => (
        <Row key={`best-${t.trialId}`} label="best" trial={t} configWidth={configWidth} />
      ))}
      {latest.map((t) => (
        <Row key={`latest-${t.trialId}`} label="last" trial={t} configWidth={configWidth} />
      ))}
    </Box>
  );
}

function Row({ label, trial: t, configWidth }: { label: string; trial: TrialRow; configWidth: number }) {
  return (
    <Line
      label={label}
      number={`${t.number}`}
      config={shortConfig(t.config)}
      tps={formatTps(t.tps)}
      p99={formatMs(t.p99Ms)}
      cpu={t.cpuCores.toFixed(1)}
      noise={t.drift ? 'drift' : t.noisy ? 'noisy' : '-'}
      verified={t.verified ? 'yes' : 'NO'}
      configWidth={configWidth}
      warn={!t.verified}
    />
  );
}

interface LineProps {
  label: string;
  number: string;
  config: string;
  tps: string;
  p99: string;
  cpu: string;
  noise: string;
  verified: string;
  configWidth: number;
  dim?: boolean;
  warn?: boolean;
}

function Line(p: LineProps) {
  const cell = (text: string, width: number, right = false) => (
    <Box width={width} justifyContent={right ? 'flex-end' : 'flex-start'} flexShrink={0}>
      <Text wrap="truncate-end" dimColor={p.dim ?? false}>
        {text}
      </Text>
    </Box>
  );
  return (
    <Box>
      {cell(p.label, 5)}
      {cell(p.number, 4, true)}
      <Box width={1} flexShrink={0} />
      {cell(p.config, p.configWidth)}
      {cell(p.tps, 8, true)}
      {cell(p.p99, 8, true)}
      {cell(p.cpu, 6, true)}
      {cell(p.noise, 6, true)}
      <Box width={4} justifyContent="flex-end" flexShrink={0}>
        <Text color={p.warn ? 'red' : undefined} dimColor={p.dim ?? false}>
          {p.verified}
        </Text>
      </Box>
    </Box>
  );
}
