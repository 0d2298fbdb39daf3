import { Text } from 'ink';
import { p99ChangeText } from '../../report/render-text.js';
import { formatMs, formatTps, shortConfig } from '../format.js';
import type { Standing } from '../state.js';

export function BestLine({ standing, sloMs, finished }: { standing: Standing; sloMs: number | null; finished: boolean }) {
  const under = sloMs === null ? 'best (no SLO)' : `best under the ${sloMs} ms SLO`;
  const { best, baseline, gain, capacity } = standing;
  if (!best) return <Text color="yellow">{under}: {finished ? 'none: no configuration met it' : 'none yet'}</Text>;
  return (
    <Text>
      {under}: <Text bold color="green">{shortConfig(best.config)}</Text> {formatTps(best.tps)} TPS, p99 {formatMs(best.p99Ms)} ms
      {gain && baseline
        ? ` · ${gain.tps.toFixed(2)}x TPS, ${p99ChangeText(gain.p99, best.p99Ms - baseline.p99Ms)} (baseline ${formatTps(baseline.tps)} TPS)`
        : ' · no baseline yet'}
      {capacity
        ? ` · capacity ${capacity.rps === null ? 'none' : `${formatTps(capacity.rps)} req/s`} at the SLO` +
          (capacity.baselineRps !== null && capacity.rps !== null ? ` (${(capacity.rps / capacity.baselineRps).toFixed(2)}x the baseline's ${formatTps(capacity.baselineRps)})` : '')
        : ''}
    </Text>
  );
}
