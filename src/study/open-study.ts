import { AutotuneError } from '../errors.js';
import type { ModelInfo } from '../domain/results.js';
import type { Store, StudyRecord } from '../store/index.js';
import type { Fingerprint } from '../topology/types.js';
import type { StudyDefinition } from '../domain/study.js';

export interface OpenedStudy {
  study: StudyRecord;
  resumed: boolean;
  /** Things the user should know about the resume (forced mismatch, changed definition). */
  warnings: string[];
}

/**
 * Creates the study or picks it up again. Results of another machine or of another model file are
 * never mixed silently: resuming on a different machine fingerprint or with a changed model is
 * refused unless forced. Call it while holding no lock; the caller locks the returned study.
 */
export function createOrResumeStudy(
  store: Store,
  args: { definition: StudyDefinition; model: ModelInfo; machineId: number; fingerprint: Fingerprint; force: boolean },
): OpenedStudy {
  const { definition, model, machineId, fingerprint, force } = args;
  const existing = store.getStudy(definition.name);
  if (!existing) {
    const study = store.createStudy({ name: definition.name, definition, modelPath: model.path, modelSha256: model.sha256, machineId });
    return { study, resumed: false, warnings: [] };
  }
  const warnings: string[] = [];
  if (existing.machineId !== machineId) {
    const other = store.getMachine(existing.machineId)?.fingerprint;
    const them = other ? `${other.cpuModel}, fingerprint ${other.hash}` : `machine #${existing.machineId}`;
    const message = `study "${definition.name}" began on another machine (${them}; this one is ${fingerprint.hash})`;
    if (!force) {
      throw new AutotuneError('store', `${message}: results would mix — start a new study with --name, or pass --force to continue it here`);
    }
    warnings.push(`${message}; continuing because of --force`);
  }
  if (existing.modelSha256 !== model.sha256) {
    const message = `model ${model.name} changed since study "${definition.name}" began (sha256 ${existing.modelSha256.slice(0, 12)}… now ${model.sha256.slice(0, 12)}…)`;
    if (!force) {
      throw new AutotuneError('store', `${message}: restore the file, start a new study with --name, or pass --force to continue anyway`);
    }
    warnings.push(`${message}; continuing because of --force`);
  }
  return { study: existing, resumed: true, warnings };
}
