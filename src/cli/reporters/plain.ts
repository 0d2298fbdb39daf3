import { describeLeftOut } from '../../domain/study.js';
import { TOO_FEW_SAMPLES } from '../../measure/index.js';
import type { StudyEvent, StudyEventListener } from '../../study/events.js';
import { formatDuration } from '../../domain/duration.js';
import { capacityText, stepVerdict } from '../../report/serving-text.js';
import type { TrialKind } from '../../store/types.js';
import { formatSummary } from './format.js';
import { formatConfig } from '../../domain/config.js';

/** What a trial off the search's plan is for. */
const OFF_PLAN: Record<TrialKind, string> = {
  search: 'search',
  repeat: 'repeat',
  baseline: 'baseline run',
  confirm: 'confirmation',
  capacity: 'capacity',
};

/**
 * The plain line logger: one timestamped line per event, for pipes, nohup, CI and --no-ui.
 * Phase changes and live progress are left out (several per second would bury the results);
 * the JSON-lines stream and the dashboard carry them.
 */
export function createPlainReporter(write: (line: string) => void): StudyEventListener {
  let planned: number | null = null;
  let sloMs: number | null = null;
  /** Trials done that count against the plan, as the loop counts them. */
  let done = 0;
  /** `trial #12 [11/19]` per running trial: its number, and its place in the plan, or what it is for when off the plan. */
  const labels = new Map<number, string>();
  const out = (event: StudyEvent, text: string): void => write(`${event.time.replace(/\.\d+Z$/, 'Z')} ${text}\n`);
  const label = (trialId: number, number: number): string => labels.get(trialId) ?? `trial #${number}`;
  const ended = (trialId: number, number: number): string => {
    const text = label(trialId, number);
    labels.delete(trialId);
    return text;
  };
  return (event) => {
    switch (event.type) {
      case 'studyStarted': {
        const s = event.study;
        planned = s.plannedTrials;
        sloMs = s.sloMs;
        done = s.completedTrials;
        const m = s.machine;
        out(
          event,
          `study "${s.name}" ${s.resumed ? `resumed (${s.completedTrials} trial(s) done)` : 'started'}: model ${s.model}, ` +
            `strategy ${s.strategy} (${s.strategyReason}), ${s.spaceSize} configurations (${s.infeasibleDropped} infeasible dropped), ` +
            `${s.plannedTrials === null ? 'no trial count planned' : `${s.plannedTrials} trials planned`}, SLO ${s.sloMs === null ? 'none' : `${s.sloMs} ms`}, db ${s.dbPath}; ` +
            `machine ${m.cpuModel}, ${m.nodes} node(s), ${m.cores} cores, ${m.threads} threads, ${m.usableCpus} usable`,
        );
        if (s.leftOut.length > 0) out(event, `left out of the space here: ${describeLeftOut(s.leftOut)}`);
        return;
      }
      case 'trialStarted': {
        const place = event.counted ? (planned === null ? `${done + 1}` : `${done + 1}/${planned}`) : OFF_PLAN[event.kind];
        labels.set(event.trialId, `trial #${event.number} [${place}]`);
        if (event.counted) done += 1;
        out(event, `${label(event.trialId, event.number)} ${formatConfig(event.config)}: started (${event.reason})`);
        return;
      }
      case 'trialFinished': {
        const r = event.result;
        const ci = r.latency.p99Ci === null ? `95% CI: ${TOO_FEW_SAMPLES}` : `±${((r.latency.p99Ci[1] - r.latency.p99Ci[0]) / 2).toFixed(2)}`;
        const flags = [
          r.noisy ? `noisy: ${r.noiseReasons.join('; ')}` : null,
          r.verification.verified ? null : `placement NOT verified: ${r.verification.mismatches.join('; ')}`,
        ].filter((f) => f !== null);
        out(
          event,
          `${ended(event.trialId, event.number)} ${formatConfig(r.config)}: ${r.tps.toFixed(1)} samples/s, p99 ${r.latency.p99.toFixed(2)} ms (${ci})` +
            ` in ${formatDuration(event.durationMs)}${flags.length > 0 ? ` [${flags.join('; ')}]` : ''}`,
        );
        return;
      }
      case 'servingStep': {
        if (event.step === null) return;
        const p99 = event.step.latency.summary === null ? 'no latency' : `p99 ${event.step.latency.summary.p99.toFixed(2)} ms from schedule`;
        out(event, `${label(event.trialId, 0)} window ${event.index + 1}: offered ${event.offeredRps.toFixed(1)} req/s, served ${event.step.achievedRps.toFixed(1)}/s, ${p99}: ${stepVerdict(event.step)}`);
        return;
      }
      case 'capacityFinished': {
        const c = event.result.capacity;
        const found = c === null ? 'no capacity found' : capacityText(c, event.result.load);
        out(event, `${ended(event.trialId, event.number)} ${formatConfig(event.result.config)}: ${found} in ${formatDuration(event.durationMs)}`);
        return;
      }
      case 'trialFailed':
        out(event, `${ended(event.trialId, event.number)} ${formatConfig(event.config)}: FAILED after ${formatDuration(event.durationMs)}: ${event.error}`);
        return;
      case 'baselineDrift':
        out(event, `drift: ${event.reason}: ${event.flaggedTrials.length} trial(s) between the two runs flagged`);
        return;
      case 'warning':
        out(event, `warning: ${event.message}`);
        return;
      case 'studyFinished':
        out(event, `study finished (${event.reason})`);
        for (const line of formatSummary(event.summary, sloMs)) write(`${line}\n`);
        return;
      case 'trialPhase':
      case 'trialProgress':
        return;
    }
  };
}
