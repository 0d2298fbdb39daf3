import type { TrialResult } from '../../runner/types.js';

/** The first lines of every `trial` summary: the model, the configuration and whether it was pinned. */
export function trialHeader(r: Pick<TrialResult, 'model' | 'config' | 'plan'>): string[] {
  const c = r.config;
  return [
    `model       ${r.model.name} (${r.model.path})`,
    c.baseline
      ? `config      baseline (onnxruntime defaults, unpinned), batch ${c.batch}`
      : `config      P=${c.processes} T=${c.threads} numa=${c.numa} batch=${c.batch} smt=${c.smt} spinning=${c.spinning ? 'on' : 'off'}`,
    `plan        ${r.plan.pinned ? 'pinned' : 'unpinned'}${r.plan.oversubscribed ? ', oversubscribed' : ''}`,
  ];
}
