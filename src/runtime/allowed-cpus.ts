import { readFileSync } from 'node:fs';
import { AutotuneError } from '../errors.js';
import { parseCpuList } from '../topology/cpulist.js';
import { VARIABLES } from '../domain/variables.js';
import type { TunedSettings } from './settings.js';

/** The CPUs this process may run on (the set the launcher or the unit applied), from the kernel. */
export function ownAllowedCpus(): number[] | null {
  try {
    const line = /^Cpus_allowed_list:\s*(.*)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return line === null ? null : parseCpuList(line[1]!);
  } catch {
    // Not Linux, or no /proc: the check is skipped rather than the server refused.
    return null;
  }
}

/**
 * Every CPU the affinities name must be one this process may use. onnxruntime only logs a
 * refused pthread_setaffinity_np and runs the thread unpinned, so a server started outside its
 * placement would silently run untuned; this says so in one line instead.
 */
export function checkAffinitiesAllowed(settings: TunedSettings, allowed: readonly number[] | null): void {
  if (allowed === null) return;
  const set = new Set(allowed);
  const pools = [
    [VARIABLES.intraOpAffinities, settings.intraOpAffinities],
    [VARIABLES.interOpAffinities, settings.interOpAffinities],
  ] as const;
  for (const [name, groups] of pools) {
    const outside = (groups ?? []).flat().filter((cpu) => !set.has(cpu));
    if (outside.length > 0) {
      throw new AutotuneError(
        'input',
        `${name} names CPU ${[...new Set(outside)].join(', ')} but this process may only run on CPUs ${allowed.join(',')}: start it placed, with autotune launch or the exported script`,
      );
    }
  }
}
