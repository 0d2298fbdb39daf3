import type { StudyEvent, StudyEventListener } from '../../study/events.js';
import { formatDuration } from '../../study/duration.js';
import { formatConfig, formatSummary } from './format.js';

/**
 * The plain line logger: one timestamped line per event, for pipes, nohup, CI and --no-ui.
 * Phase changes and live progress are left out (several per second would bury the results);
 * the JSON-lines stream and the dashboard carry them.
 */
export function createPlainReporter(write: (line: string) => void): StudyEventListener {
  let planned: number | null = null;
  let sloMs: number | null = null;
  const out = (event: StudyEvent, text: string): void => write(`${event.time.replace(/\.\d+Z$/, 'Z')} ${text}\n`);
  const of = (n: number): string => (planned === null ? `${n}` : `${n}/${planned}`);
  return (event) => {
    switch (event.type) {
      case 'studyStarted': {
        const s = event.study;
        planned = s.plannedTrials;
        sloMs = s.sloMs;
        const m = s.machine;
        out(
          event,
          `study "${s.name}" ${s.resumed ? `resumed (${s.completedTrials} trial(s) complete)` : 'started'}: model ${s.model}, ` +
            `strategy ${s.strategy}, ${s.spaceSize} configurations (${s.infeasibleDropped} infeasible dropped), ` +
            `${s.plannedTrials === null ? 'time-bound' : `${s.plannedTrials} trials planned`}, SLO ${s.sloMs === null ? 'none' : `${s.sloMs} ms`}, db ${s.dbPath}; ` +
            `machine ${m.cpuModel}, ${m.nodes} node(s), ${m.cores} cores, ${m.threads} threads, ${m.usableCpus} usable`,
        );
        return;
      }
      case 'trialStarted':
        out(event, `trial ${of(event.number)} ${formatConfig(event.config)}: started (${event.reason})`);
        return;
      case 'trialFinished': {
        const r = event.result;
        const ci = (r.latency.p99Ci[1] - r.latency.p99Ci[0]) / 2;
        const flags = [
          r.noisy ? `noisy: ${r.noiseReasons.join('; ')}` : null,
          r.verification.verified ? null : `placement NOT verified: ${r.verification.mismatches.join('; ')}`,
        ].filter((f) => f !== null);
        out(
          event,
          `trial ${of(event.number)} ${formatConfig(r.config)}: ${r.tps.toFixed(1)} samples/s, p99 ${r.latency.p99.toFixed(2)} ms (±${ci.toFixed(2)})` +
            ` in ${formatDuration(event.durationMs)}${flags.length > 0 ? ` [${flags.join('; ')}]` : ''}`,
        );
        return;
      }
      case 'trialFailed':
        out(event, `trial ${of(event.number)} ${formatConfig(event.config)}: FAILED after ${formatDuration(event.durationMs)}: ${event.error}`);
        return;
      case 'baselineDrift': {
        const change = ((event.measuredTps - event.referenceTps) / event.referenceTps) * 100;
        out(
          event,
          `baseline drift: ${event.referenceTps.toFixed(1)} -> ${event.measuredTps.toFixed(1)} samples/s (${change >= 0 ? '+' : ''}${change.toFixed(0)}%): ` +
            `${event.flaggedTrials.length} trial(s) since the previous check flagged`,
        );
        return;
      }
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
