import type { TrialConfig } from '../../placement/types.js';
import { p99ChangeText } from '../../report/render-text.js';
import type { FrontPoint, StudySummary } from '../../study/events.js';

/** `p2 t1 local b8 spin` — the short form of a configuration every line-oriented output uses. */
export function formatConfig(c: TrialConfig): string {
  if (c.baseline) return `baseline (ORT defaults, ${c.threads} threads) b${c.batch}`;
  return `p${c.processes} t${c.threads} ${c.numa} b${c.batch}${c.smt === 'all' ? ' smt' : ''} ${c.spinning ? 'spin' : 'nospin'}`;
}

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
    if (summary.gain && summary.baseline) {
      lines.push(
        `gain over the baseline (${summary.baseline.tps.toFixed(1)} samples/s, p99 ${summary.baseline.p99Ms.toFixed(2)} ms): ` +
          `${summary.gain.tps.toFixed(2)}x throughput, ${p99ChangeText(summary.gain.p99, summary.best.p99Ms - summary.baseline.p99Ms)}`,
      );
    } else lines.push('no baseline measurement: gain unknown');
  }
  return lines;
}
