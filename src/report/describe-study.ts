import { AXIS_NAMES } from '../domain/axes.js';
import { buildSpace } from '../search/space.js';
import { resolveStrategy } from '../search/choose-strategy.js';
import { parseStudy, userBatch, type StudyDefinition } from '../domain/study.js';
import type { StudyRecord } from '../store/types.js';
import type { Topology } from '../topology/types.js';
import { isBuiltinSpec } from '../workload/builtin-models.js';

/** What a study is, as the report and `autotune studies` name it. */
export interface StudyDescription {
  /** The stored definition, or null when it no longer parses (written by an older autotune). */
  definition: StudyDefinition | null;
  /** Feasible configurations of the space on the study's machine; null when unknown. */
  space: { size: number; variedAxes: number; batches: number[] } | null;
  /** The model as the user named it: `builtin:mlp`, or their path with the file it resolved to when that differs. */
  model: string;
  /** The strategy the definition names (`auto` included); null when unknown. */
  strategy: string | null;
  /** The strategy the loop runs: what `auto` resolves to, else the named one; null when unknown. */
  strategyUsed: string | null;
  /** Why (auto's choice, as the loop stored it); null when unknown. */
  strategyReason: string | null;
  /** The batch of the baseline as the user runs it today; null when unknown. */
  userBatch: number | null;
}

/**
 * Describes a study from its stored definition and the topology of its machine. The strategy the
 * loop ran, and why, is stored with the study by its latest run; a study of an older autotune
 * has none stored, and gets it by the loop's rule from the definition and the space.
 */
export function describeStudy(study: StudyRecord, topology: Topology | null): StudyDescription {
  const definition = definitionOf(study);
  const space = definition && topology ? spaceOf(definition, topology) : null;
  return {
    definition,
    space,
    model: modelLabel(definition?.model.spec ?? null, study.modelPath),
    strategy: definition?.strategy ?? null,
    strategyUsed: study.strategyUsed ?? (definition === null || space === null ? null : resolveStrategy(definition, space.size).name),
    strategyReason: study.strategyReason,
    userBatch: definition === null || space === null ? null : userBatch(definition, space.batches),
  };
}

function modelLabel(spec: string | null, file: string): string {
  // A built-in's cached file means nothing to the user; a relative path is worth resolving.
  if (spec === null || spec === file) return file;
  return isBuiltinSpec(spec) ? spec : `${spec} (${file})`;
}

/** `grid`, or `auto (grid)` when auto chose it: what the reports and listings show. */
export function strategyLabel(strategy: string | null, used: string | null): string | null {
  return strategy === null || used === null || used === strategy ? strategy : `${strategy} (${used})`;
}

function definitionOf(study: StudyRecord): StudyDefinition | null {
  try {
    return parseStudy(study.definition, `study ${study.name}`);
  } catch {
    return null;
  }
}

function spaceOf(definition: StudyDefinition, topology: Topology): StudyDescription['space'] {
  try {
    const { configs } = buildSpace(definition, topology);
    const variedAxes = AXIS_NAMES.filter((axis) => new Set(configs.map((c) => c[axis])).size > 1).length;
    return { size: configs.length, variedAxes, batches: [...new Set(configs.map((c) => c.batch))] };
  } catch {
    return null;
  }
}
