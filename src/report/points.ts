import { median } from 'simple-statistics';
import { configKey, configLabel } from '../domain/config.js';
import type { TrialRecord } from '../store/types.js';
import type { ReportPoint } from './types.js';

/**
 * One point per measured configuration: the median of its completed closed-loop measurements
 * (search, repeats and confirmation runs), with drift-flagged ones left out when the configuration
 * has others. The median keeps one disturbed run from moving a confirmed figure. It is noisy when
 * most of its measurements were. The end-of-study summary of `tune` (study/summary.ts) is built on
 * these points too, so both name the same winner.
 */
export function configurationPoints(trials: readonly TrialRecord[]): ReportPoint[] {
  const byConfig = new Map<string, TrialRecord[]>();
  for (const t of trials) {
    if (t.state !== 'complete' || t.tps === null || t.p99Ms === null) continue;
    const key = configKey(t.config);
    byConfig.set(key, [...(byConfig.get(key) ?? []), t]);
  }
  return [...byConfig.values()].map((measured) => {
    const trusted = measured.filter((t) => !t.drift);
    const used = trusted.length > 0 ? trusted : measured;
    const latest = used[used.length - 1]!;
    const verified = used.map((t) => t.verified).filter((v): v is boolean => v !== null);
    return {
      trialId: latest.id,
      trialNumber: latest.number,
      trialIds: used.map((t) => t.id),
      config: latest.config,
      label: configLabel(latest.config),
      tps: median(used.map((t) => t.tps!)),
      p50Ms: median(used.map((t) => t.p50Ms ?? Number.NaN)),
      p99Ms: median(used.map((t) => t.p99Ms!)),
      p99Ci: ciEnvelope(used),
      noisy: used.filter((t) => t.noisy).length * 2 > used.length,
      verified: verified.length === 0 ? null : verified.every(Boolean),
      pinned: used.every((t) => t.pinned === true),
      drift: trusted.length === 0,
    };
  });
}

/** The envelope of the measurements' p99 CIs; none when one of them had too few samples for a CI. */
function ciEnvelope(used: readonly TrialRecord[]): [number, number] | null {
  if (used.some((t) => t.p99CiLow === null || t.p99CiHigh === null)) return null;
  return [Math.min(...used.map((t) => t.p99CiLow!)), Math.max(...used.map((t) => t.p99CiHigh!))];
}
