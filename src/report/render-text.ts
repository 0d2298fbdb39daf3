import { describeLeftOut } from '../domain/study.js';
import { strategyLabel } from './describe-study.js';
import { ciText, fmt } from './recommend.js';
import { CAPACITY_HEADER, capacityNotes, capacityRow } from './serving-text.js';
import { deploymentCheckLines, DEPLOYMENTS_HEADING } from './deployment-text.js';
import type { Gain, GainAgainst, RatioEstimate, Report, ReportPoint } from './types.js';

/** The terminal report: recommendations first (what to deploy), then the evidence. */
export function renderText(report: Report): string {
  const lines: string[] = [...headline(report), ''];
  const warnings = report.warnings;
  lines.push('Recommendations');
  const sloUnmet = warnings.find((w) => w.kind === 'slo');
  if (sloUnmet !== undefined) lines.push(`  slo     none: ${sloUnmet.message}`);
  for (const r of report.recommendations) lines.push(`  ${r.pick.padEnd(8)}${r.point.label} (trial ${r.point.trialId}): ${r.reason}`, `          ${gainText(r.gain, r.point.config.baseline)}`);
  if (report.capacities.length > 0) {
    lines.push('', `Capacity under the ${fmt(report.study.sloMs ?? 0)} ms SLO, measured open loop`);
    lines.push(...indent(alignTable(CAPACITY_HEADER, report.capacities.map(capacityRow))), ...indent(capacityNotes(report.capacities)));
  }
  if (report.deployments.length > 0) {
    lines.push('', DEPLOYMENTS_HEADING);
    for (const d of report.deployments) lines.push(...indent(deploymentCheckLines(d)));
  }
  lines.push('', `Pareto front, p99 vs TPS (closed loop: p99 is service time at saturation, no queueing): ${report.front.length} configuration(s) on it, ${report.dominated} dominated`);
  lines.push(...indent(alignTable(pointHeader, report.front.map(pointRow))));
  lines.push('', 'What mattered (over the measured configurations, baseline excluded)');
  for (const effect of report.effects) {
    if (effect.levels.length === 0) continue;
    lines.push(`  ${effect.finding ?? `${effect.parameter}: only ${effect.levels[0]!.level} was measured`}`);
    const rows = effect.levels.map((l) => [l.level, String(l.configurations), fmt(l.bestTps), fmt(l.medianTps), fmt(l.bestP99Ms), fmt(l.medianP99Ms)]);
    lines.push(...indent(alignTable([effect.parameter, 'CONFIGS', 'BEST TPS', 'MEDIAN TPS', 'BEST P99', 'MEDIAN P99'], rows), '    '));
  }
  if (warnings.length > 0) {
    lines.push('', 'Warnings');
    for (const w of warnings) lines.push(`  ! ${w.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export function headline(report: Report): string[] {
  const { study, counts } = report;
  const slo = study.sloMs === null ? 'no SLO' : `SLO p99 <= ${fmt(study.sloMs)} ms`;
  const space = counts.spaceSize === null ? ' of the space' : ` of ${counts.spaceSize} in the space`;
  const strategy = strategyLabel(study.strategy, study.strategyUsed);
  const lines = [
    `Study ${study.name} (${study.state}${strategy ? `, ${strategy}` : ''}): model ${study.model}, ${slo}`,
    `${counts.trials} trial(s): ${counts.complete} complete, ${counts.failed} failed, ${counts.interrupted} interrupted; ` +
      `${counts.searched} configuration(s) measured${space}${report.baseline ? ', plus the baseline' : ''}`,
  ];
  if (counts.leftOut.length > 0) lines.push(`Left out of the space on this machine: ${describeLeftOut(counts.leftOut)}`);
  if (study.strategyReason !== null) lines.push(`Strategy: ${study.strategyReason}`);
  const m = report.machine.fingerprint;
  if (m !== null) lines.push(`Machine: ${m.cpuModel}, ${m.nodes} node(s), ${m.cores} cores, ${m.threads} CPUs (fingerprint ${m.hash}${report.machine.sameAsHere === false ? ', NOT this machine' : ''})`);
  const b = report.baseline;
  lines.push(b === null ? 'Baseline: not measured' : `Baseline (onnxruntime defaults, batch ${b.config.batch} as run today): ${fmt(b.tps)} samples/s, p99 ${fmt(b.p99Ms)} ms (median of ${b.trialIds.length} run(s), closed loop)`);
  return lines;
}

/**
 * Both gains of a pick: placement (against the baseline at its own batch) and total (against the
 * baseline as the user runs it today), each ratio with its 95% CI from the paired confirmation runs.
 */
export function gainText(gain: Gain | null, isBaseline = false): string {
  if (isBaseline) return "the pick is the baseline itself: onnxruntime's defaults did best, there is no gain to state";
  if (gain === null) return 'gain over the baseline unknown (no baseline measured at its batch)';
  const { placement, total } = gain;
  if (placement !== null && placement === total) return `placement = total gain (vs baseline b${placement.baselineBatch}, the batch run today): ${againstText(placement)}`;
  const parts: string[] = [];
  parts.push(placement === null ? 'placement gain unknown (no baseline at this batch)' : `placement gain (vs baseline b${placement.baselineBatch}): ${againstText(placement)}`);
  parts.push(total === null ? 'total gain unknown' : `total gain (vs baseline b${total.baselineBatch}, as run today): ${againstText(total)}`);
  return parts.join('; ');
}

/** `1.24x TPS [1.19-1.30], p99 0.80x the baseline's [0.75-0.86] (faster)`. */
export function againstText(g: GainAgainst): string {
  const tps = `${g.tps.ratio.toFixed(2)}x TPS ${ratioCi(g.tps)}`;
  return `${tps}, ${p99ChangeText(g.p99.ratio, g.p99DeltaMs)} ${ratioCi(g.p99)}`;
}

/** `[1.19-1.30, 95% CI of 3 pairs]`, flagging an interval that includes 1 (no sure change). */
export function ratioCi(r: RatioEstimate): string {
  if (r.pairs === 0) return '(unpaired, no CI)';
  if (r.ci === null) return `(${r.pairs} pair(s): too few for a CI)`;
  const includesOne = r.ci[0] <= 1 && r.ci[1] >= 1;
  return `[${r.ci[0].toFixed(2)}-${r.ci[1].toFixed(2)}, 95% CI of ${r.pairs} pairs${includesOne ? '; includes 1.0: no sure change' : ''}]`;
}

/**
 * A p99 change said so that it cannot be read as a gain: a ratio above 1 is a slower p99, which a
 * bare "4.28x p99" next to "9.56x TPS" reads as better. `p99 4.28x the baseline's (+0.990 ms, slower)`.
 */
export function p99ChangeText(ratio: number, deltaMs: number): string {
  const verdict = deltaMs > 0 ? 'slower' : deltaMs < 0 ? 'faster' : 'the same';
  return `p99 ${ratio.toFixed(2)}x the baseline's (${signed(deltaMs)} ms, ${verdict})`;
}

function signed(value: number): string {
  return value >= 0 ? `+${fmt(value)}` : fmt(value);
}

export const pointHeader = ['CONFIG', 'TPS', 'P99 MS', 'P99 95% CI', 'P50 MS', 'TRIAL', 'FLAGS'];

export function pointRow(p: ReportPoint): string[] {
  return [p.label, fmt(p.tps), fmt(p.p99Ms), ciText(p.p99Ci), fmt(p.p50Ms), String(p.trialId), flags(p)];
}

export function flags(p: ReportPoint): string {
  const f = [p.noisy ? 'noisy' : '', p.verified === false ? 'unverified' : '', p.drift ? 'drift' : '', !p.pinned && !p.config.baseline ? 'unpinned' : ''];
  return f.filter(Boolean).join(',') || '-';
}

export function alignTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

function indent(lines: string[], by = '  '): string[] {
  return lines.map((l) => by + l);
}
