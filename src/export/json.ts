import { configLabel } from '../domain/config.js';
import { capacityText } from '../report/serving-text.js';
import { instancesOf } from './instances.js';
import type { Chosen } from './pick.js';

export const EXPORT_SCHEMA = 'autotune.export/2';

/** The whole measured configuration and placement, plus the onnxruntime session options per instance. */
export function renderExportJson(chosen: Chosen): string {
  const { result } = chosen;
  const doc = {
    schema: EXPORT_SCHEMA,
    study: chosen.studyName,
    trial: { id: chosen.trialId, number: chosen.trialNumber },
    reason: chosen.reason,
    config: result.config,
    label: configLabel(result.config),
    measured: {
      tps: result.tps,
      ips: result.ips,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      p99Ci: result.latency.p99Ci,
      noisy: result.noisy,
      verified: result.verification.verified,
      onnxruntimeVersion: result.onnxruntimeVersion,
      model: result.model,
    },
    /** Open loop, latency from the scheduled arrival: the rate this configuration sustains under the SLO. */
    serving:
      chosen.capacity === null
        ? null
        : {
            sloMs: chosen.capacity.sloMs,
            capacityRps: chosen.capacity.capacityRps,
            bracketRps: chosen.capacity.bracket,
            p99MsAtCapacity: chosen.capacity.atCapacity?.p99Ms ?? null,
            p99CiAtCapacity: chosen.capacity.atCapacity?.p99Ci ?? null,
            load: chosen.capacity.load,
            summary: capacityText(chosen.capacity, chosen.capacity.load),
          },
    plan: result.plan,
    instances: instancesOf(chosen).map(({ rssBytes, ...instance }) => ({ ...instance, measuredRssBytes: rssBytes })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
