import { AutotuneError } from '../errors.js';
import type { Report, PickKind, ReportCapacity } from '../report/types.js';
import { configKey } from '../domain/config.js';
import { PICK_KINDS } from '../report/types.js';
import type { TrialResult } from '../domain/results.js';
import type { Store } from '../store/types.js';

/** Which configuration to deploy: a recommendation of the report, or a trial id. */
export type Pick = PickKind | { trialId: number };

export function parsePick(text: string): Pick {
  if ((PICK_KINDS as readonly string[]).includes(text)) return text as PickKind;
  if (/^[1-9]\d*$/.test(text)) return { trialId: Number(text) };
  throw new AutotuneError('usage', `--pick ${text}: expected slo, latency, knee or a trial id (as the report lists them)`);
}

/** The measured trial behind a pick: its whole stored result, plan included, as it ran. */
export interface Chosen {
  studyName: string;
  trialId: number;
  trialNumber: number;
  /** One line: why this configuration (the recommendation's reason, or 'picked by trial id'). */
  reason: string;
  result: TrialResult;
  /** Its capacity under the study's SLO, measured open loop; null when the serving phase did not measure it. */
  capacity: ReportCapacity | null;
}

export function choose(store: Store, report: Report, pick: Pick): Chosen {
  const name = report.study.name;
  if (typeof pick === 'string') {
    const rec = report.recommendations.find((r) => r.pick === pick);
    if (rec === undefined) {
      const why = report.warnings.find((w) => w.kind === 'slo')?.message ?? `study "${name}" has no ${pick} recommendation`;
      throw new AutotuneError('input', `cannot pick ${pick}: ${why}`);
    }
    const result = stored(store, rec.point.trialId, name);
    return { studyName: name, trialId: rec.point.trialId, trialNumber: rec.point.trialNumber, reason: rec.reason, result, capacity: capacityOf(report, result) };
  }
  const trial = report.trials.find((t) => t.id === pick.trialId);
  if (trial === undefined) {
    throw new AutotuneError('input', `study "${name}" has no trial with id ${pick.trialId}: run autotune report ${name} to see its trials`);
  }
  if (trial.state !== 'complete') {
    throw new AutotuneError('input', `trial ${trial.id} of study "${name}" is ${trial.state}, not complete: pick a measured trial`);
  }
  const result = stored(store, trial.id, name);
  return { studyName: name, trialId: trial.id, trialNumber: trial.number, reason: `picked by trial id ${trial.id}`, result, capacity: capacityOf(report, result) };
}

function capacityOf(report: Report, result: TrialResult): ReportCapacity | null {
  return report.capacities.find((c) => configKey(c.config) === configKey(result.config)) ?? null;
}

function stored(store: Store, trialId: number, study: string): TrialResult {
  const result = store.getTrialResult(trialId);
  if (result === null) throw new AutotuneError('store', `trial ${trialId} of study "${study}" has no stored result`);
  return result;
}
