import type { TrialConfig } from '../domain/config.js';
import { formatConfig } from '../domain/config.js';

/** formatConfig, with the baseline shortened to fit a table column. */
export function shortConfig(c: TrialConfig): string {
  return c.baseline ? `baseline t${c.threads} b${c.batch}` : formatConfig(c);
}

export function formatTps(tps: number): string {
  return tps >= 100 ? tps.toFixed(0) : tps.toFixed(1);
}

export function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(2);
}
