import { median } from 'simple-statistics';
import { fmt } from './recommend.js';
import { AXIS_NAMES, axis } from '../domain/axes.js';
import { type EffectLevel, type EffectParameter, type ParameterEffect, type ReportPoint } from './types.js';

/**
 * TPS and p99 by the value of each parameter over the measured configurations (the baseline left
 * out: it is no level of any axis, just onnxruntime's defaults). Best and median per level: the
 * best says what a level allows, the median how forgiving it is of the other parameters.
 */
export function parameterEffects(points: readonly ReportPoint[]): ParameterEffect[] {
  const searched = points.filter((p) => !p.config.baseline);
  return AXIS_NAMES.map((parameter) => {
    const groups = new Map<string, ReportPoint[]>();
    for (const p of searched) {
      const level = levelOf(p, parameter);
      groups.set(level, [...(groups.get(level) ?? []), p]);
    }
    const levels: EffectLevel[] = [...groups.entries()]
      .sort(([a], [b]) => compareLevels(a, b))
      .map(([level, group]) => ({
        level,
        configurations: group.length,
        bestTps: Math.max(...group.map((p) => p.tps)),
        medianTps: median(group.map((p) => p.tps)),
        bestP99Ms: Math.min(...group.map((p) => p.p99Ms)),
        medianP99Ms: median(group.map((p) => p.p99Ms)),
      }));
    return { parameter, levels, finding: findingOf(parameter, levels) };
  }).filter((effect) => effect.levels.length > 1 || !axis(effect.parameter).addedLater);
}

export function levelOf(p: Pick<ReportPoint, 'config'>, parameter: EffectParameter): string {
  return axis(parameter).level(p.config[parameter]);
}

function compareLevels(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  return Number.isNaN(x) || Number.isNaN(y) ? a.localeCompare(b) : x - y;
}

/** Which level allowed the most throughput, and by how much over the level that allowed the least. */
function findingOf(parameter: EffectParameter, levels: readonly EffectLevel[]): string | null {
  if (levels.length < 2) return null;
  const byTps = [...levels].sort((a, b) => b.bestTps - a.bestTps);
  const top = byTps[0]!;
  const bottom = byTps[byTps.length - 1]!;
  const byP99 = [...levels].sort((a, b) => a.bestP99Ms - b.bestP99Ms)[0]!;
  const gain = (top.bestTps / bottom.bestTps - 1) * 100;
  return (
    `${parameter}: ${top.level} allowed the highest TPS (${fmt(top.bestTps)}, ${fmt(gain)}% over ${bottom.level}); ` +
    `${byP99.level} the lowest p99 (${fmt(byP99.bestP99Ms)} ms)`
  );
}
