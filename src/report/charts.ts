import type { TopLevelSpec } from 'vega-lite';
import type { ParameterEffect, Report } from './types.js';
import { levelOf } from './effects.js';

/**
 * Chart specifications (vega-lite) and their server-side rendering to SVG, so the HTML report is
 * one file that opens offline: no script, no CDN, just inline SVG.
 */

/** p99 (x) against TPS (y) for each study: every configuration, the front as a line, the SLO as a rule. */
export function scatterSpec(reports: readonly Report[]): TopLevelSpec {
  const several = reports.length > 1;
  const points = reports.flatMap((r) => {
    const front = new Set(r.front.map((p) => p.trialId));
    return r.points.map((p) => ({
      study: r.study.name,
      label: p.label,
      tps: p.tps,
      p99: p.p99Ms,
      status: p.config.baseline ? 'baseline' : front.has(p.trialId) ? 'Pareto front' : 'dominated',
    }));
  });
  const frontLine = reports.flatMap((r) => r.front.map((p, order) => ({ study: r.study.name, tps: p.tps, p99: p.p99Ms, order })));
  const picks = reports.flatMap((r) => r.recommendations.map((rec) => ({ study: r.study.name, tps: rec.point.tps, p99: rec.point.p99Ms, pick: rec.pick })));
  const slos = reports.flatMap((r) => (r.study.sloMs === null ? [] : [{ study: r.study.name, slo: r.study.sloMs }]));
  const x = { field: 'p99', type: 'quantitative', title: 'p99 latency (ms)', scale: { zero: false } } as const;
  const y = { field: 'tps', type: 'quantitative', title: 'throughput (samples/s)', scale: { zero: false } } as const;
  const color = several
    ? ({ field: 'study', type: 'nominal', title: 'study' } as const)
    : ({ field: 'status', type: 'nominal', title: 'configuration', scale: { domain: ['Pareto front', 'dominated', 'baseline'], range: ['#d62728', '#9e9e9e', '#1f77b4'] } } as const);
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      data: { values: frontLine },
      mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after', opacity: 0.6 },
      encoding: { x, y, order: { field: 'order', type: 'quantitative' }, ...(several ? { color: { field: 'study', type: 'nominal' } } : { color: { value: '#d62728' } }), detail: { field: 'study', type: 'nominal' } },
    },
    {
      data: { values: points },
      mark: { type: 'point', filled: true, size: 70, opacity: 0.85 },
      encoding: { x, y, color, shape: { field: 'status', type: 'nominal', title: 'kind' } },
    },
    {
      data: { values: picks },
      mark: { type: 'text', dx: 8, dy: -8, align: 'left', fontSize: 11 },
      encoding: { x, y, text: { field: 'pick', type: 'nominal' } },
    },
  ];
  if (slos.length > 0) {
    layers.push(
      { data: { values: slos }, mark: { type: 'rule', strokeDash: [6, 4], color: '#2ca02c' }, encoding: { x: { field: 'slo', type: 'quantitative' } } },
      {
        data: { values: slos },
        mark: { type: 'text', align: 'left', dx: 4, baseline: 'top', color: '#2ca02c', y: 4 },
        encoding: { x: { field: 'slo', type: 'quantitative' }, text: { value: 'SLO' } },
      },
    );
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 640, height: 400, title: 'p99 latency vs throughput', layer: layers };
}

/** TPS and p99 of every measured configuration by one parameter's level, with the median marked. */
export function effectSpec(report: Report, effect: ParameterEffect): TopLevelSpec {
  const order = effect.levels.map((l) => l.level);
  const values = report.points
    .filter((p) => !p.config.baseline)
    .map((p) => ({ level: levelOf(p, effect.parameter), tps: p.tps, p99: p.p99Ms }));
  const panel = (field: 'tps' | 'p99', title: string) => ({
    width: 260,
    height: 180,
    layer: [
      { mark: { type: 'point' as const, filled: true, opacity: 0.7 }, encoding: { x: { field: 'level', type: 'ordinal' as const, sort: order, title: effect.parameter }, y: { field, type: 'quantitative' as const, title, scale: { zero: false } } } },
      { mark: { type: 'tick' as const, color: '#d62728', thickness: 2 }, encoding: { x: { field: 'level', type: 'ordinal' as const, sort: order }, y: { field, aggregate: 'median' as const, type: 'quantitative' as const } } },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `by ${effect.parameter}`,
    data: { values },
    hconcat: [panel('tps', 'throughput (samples/s)'), panel('p99', 'p99 (ms)')],
  };
}

/** Compiles a vega-lite spec and renders it headless to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vegaLite, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * p99 (from the scheduled arrival) against the offered rate, every window of every capacity search
 * of a study, one line per configuration, the SLO as a rule: where each line crosses it is that
 * configuration's capacity. Overloaded windows are drawn as crosses (their p99 only measures how
 * long the window ran).
 */
export function servingSpec(report: Report): TopLevelSpec {
  const values = report.capacities.flatMap((c) =>
    c.steps.filter((s) => s.p99Ms !== null).map((s) => ({ config: c.label, offered: s.offeredRps, p99: s.p99Ms, state: s.overloaded ? 'overloaded' : 'served' })),
  );
  const x = { field: 'offered', type: 'quantitative', title: 'offered rate (requests/s)', scale: { zero: false } } as const;
  const y = { field: 'p99', type: 'quantitative', title: 'p99 from the scheduled arrival (ms)', scale: { type: 'log' } } as const;
  const color = { field: 'config', type: 'nominal', title: 'configuration' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 640,
    height: 360,
    title: `p99 under open-loop load (SLO ${report.study.sloMs ?? '?'} ms)`,
    layer: [
      { data: { values }, mark: { type: 'line', point: false, opacity: 0.6 }, encoding: { x, y, color, order: { field: 'offered', type: 'quantitative' } } },
      { data: { values }, mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y, color, shape: { field: 'state', type: 'nominal', title: 'window', scale: { domain: ['served', 'overloaded'], range: ['circle', 'cross'] } } } },
      { data: { values: [{ slo: report.study.sloMs ?? 0 }] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#2ca02c' }, encoding: { y: { field: 'slo', type: 'quantitative' } } },
    ],
  };
}
