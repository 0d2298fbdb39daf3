import { formatConfig } from '../../domain/config.js';
import { fmt } from '../../report/recommend.js';
import { gainText } from '../../report/render-text.js';
import { capacityText } from '../../report/serving-text.js';
import type { FrontPoint, StudySummary } from '../../study/events.js';

export function formatPoint(p: FrontPoint): string {
  return `${formatConfig(p.config)}: ${p.tps.toFixed(1)} samples/s, p99 ${p.p99Ms.toFixed(2)} ms (trial #${p.trialId})`;
}

/** The end-of-study text: Pareto front, best under the SLO, gain over the baseline. */
export function formatSummary(summary: StudySummary, sloMs: number | null): string[] {
  const lines = [`${summary.completed} trial(s) complete, ${summary.failed} failed`];
  if (summary.front.length === 0) return [...lines, 'no completed trial: nothing to compare'];
  lines.push('Pareto front (p99 latency vs throughput):');
  for (const point of summary.front) lines.push(`  ${formatPoint(point)}`);
  const under = sloMs === null ? 'best (no SLO)' : `best under the ${sloMs} ms SLO`;
  if (!summary.best) lines.push(`${under}: none — no configuration met the SLO`);
  else {
    lines.push(`${under}: ${formatPoint(summary.best)}`);
    if (summary.capacity !== null) {
      lines.push(`capacity: ${capacityText(summary.capacity, summary.capacity.load)}`);
      const gain = summary.capacity.gain;
      const base = summary.baselineCapacity;
      if (gain?.total && base?.capacityRps != null) {
        lines.push(`serving gain: ${gain.total.ratio.toFixed(2)}x the baseline's capacity (${fmt(base.capacityRps)} req/s at batch ${base.config.batch}; brackets allow ${gain.total.bounds[0].toFixed(2)}-${gain.total.bounds[1].toFixed(2)}x)`);
      } else lines.push('serving gain unknown: the baseline has no capacity under the SLO');
    }
    if (summary.baseline) lines.push(`baseline as run today: ${summary.baseline.tps.toFixed(1)} samples/s, p99 ${summary.baseline.p99Ms.toFixed(2)} ms (closed loop)`);
    lines.push(gainText(summary.gain, summary.best.config.baseline));
  }
  return lines;
}
