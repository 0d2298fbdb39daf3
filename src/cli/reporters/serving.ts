import { alignTable } from '../../report/render-text.js';
import { fmt } from '../../report/recommend.js';
import { capacityText, loadLabel, STEP_HEADER, stepRow } from '../../report/serving-text.js';
import type { ServingResult } from '../../domain/results.js';
import { trialHeader } from './trial-header.js';

/** What `autotune trial --rate` and `--capacity` print. */
export function renderServing(r: ServingResult): string {
  const c = r.config;
  const lines = [
    ...trialHeader(r),
    `load        ${loadLabel(r.load)}${c.batch > 1 ? `, batches of up to ${c.batch} with a ${fmt(r.load.maxQueueDelayMs)} ms max queue delay` : ''}, seed ${r.load.seed}`,
    `read-back   verified ${r.verification.verified ? 'yes' : 'NO'}`,
    ...r.verification.mismatches.map((m) => `  MISMATCH: ${m}`),
  ];
  if (r.closed !== null) lines.push(`closed loop ${fmt(r.closed.tps)} samples/s at saturation (the ceiling the capacity search brackets below)`);
  lines.push('', 'Latency counted from each request\'s scheduled arrival: queue wait + service.', ...alignTable(STEP_HEADER, r.steps.map(stepRow)));
  for (const [i, s] of r.steps.entries()) {
    const late = s.wakeLatenessP99Us === null ? '' : `, wake-up lateness p99 ${fmt(s.wakeLatenessP99Us)} µs`;
    const service = s.service.summary === null ? '' : `service p50 ${fmt(s.service.summary.p50)} ms; `;
    lines.push(`  window ${i + 1}: ${service}${s.overloadReason}; closed because ${s.reason}; dispatcher CPU ${fmt(s.dispatchCpuMs)} ms in the workers + ${fmt(s.tunerCpuMs)} ms in the tuner${late}${s.censored > 0 ? `; ${s.censored} request(s) never served (counted at their wait so far)` : ''}`);
  }
  if (r.capacity !== null) lines.push('', `capacity    ${capacityText(r.capacity, r.load)}`);
  lines.push('', r.noisy ? `noisy       YES: ${r.noiseReasons.join('; ')}` : 'noisy       no', `onnxruntime ${r.onnxruntimeVersion}`);
  return `${lines.join('\n')}\n`;
}
