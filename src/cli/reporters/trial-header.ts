import { describeConfig } from '../../domain/config.js';
import type { TrialResult } from '../../domain/results.js';

/** The first lines of every `trial` summary: the model, the configuration and whether it was pinned. */
export function trialHeader(r: Pick<TrialResult, 'model' | 'config' | 'plan'>): string[] {
  const c = r.config;
  return [
    `model       ${r.model.name} (${r.model.path})`,
    c.baseline
      ? `config      baseline (onnxruntime defaults, unpinned), batch ${c.batch}`
      : `config      ${describeConfig(c)}`,
    `plan        ${r.plan.pinned ? 'pinned' : 'unpinned'}${r.plan.oversubscribed ? ', oversubscribed' : ''}`,
  ];
}
