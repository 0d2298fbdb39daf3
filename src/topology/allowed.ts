import { AutotuneError } from '../errors.js';
import type { Allowed } from './types.js';
import { readCgroupCpuset } from './cgroup.js';
import { type FsReader, intersect, listText } from './reader.js';

/**
 * What this process may use: its affinity (Cpus_allowed_list of /proc/self/status, which on a live
 * machine is sched_getaffinity of the main thread) ∩ the cgroup cpuset ∩ online; mems likewise
 * with Mems_allowed_list and the nodes that exist.
 */
export function readAllowed(fs: FsReader, online: number[], nodeIds: number[]): Allowed {
  const status = parseStatus(fs.text(fs.proc('self', 'status')) ?? '');
  const statusPath = fs.proc('self', 'status');
  const affinity = statusSet(fs, status, 'Cpus_allowed') ?? missing(fs, statusPath, 'Cpus_allowed_list', online);
  const memsAllowed = statusSet(fs, status, 'Mems_allowed') ?? missing(fs, statusPath, 'Mems_allowed_list', nodeIds);
  const cgroup = readCgroupCpuset(fs);

  const cpus = intersect(intersect(online, affinity), cgroup?.cpus ?? online);
  if (cpus.length === 0) {
    const limit = cgroup ? ` ∩ cgroup ${listText(cgroup.cpus)}` : '';
    throw new AutotuneError(
      'input',
      `no usable CPUs: online ${listText(online)} ∩ affinity ${listText(affinity)}${limit} is empty; check ${statusPath} and the cgroup cpuset`,
    );
  }
  const mems = intersect(intersect(nodeIds, memsAllowed), cgroup?.mems ?? nodeIds);
  return { cpus, mems, affinity, cgroup };
}

function parseStatus(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!.trim());
  }
  return fields;
}

/** `<name>_list`, else the hex mask `<name>` that kernels before 2.6.26 print alone. */
function statusSet(fs: FsReader, status: Map<string, string>, name: string): number[] | null {
  const list = status.get(`${name}_list`);
  const mask = status.get(name);
  const path = fs.proc('self', 'status');
  if (list !== undefined) return fs.parseText(list, `${path} ${name}_list`, 'list');
  if (mask !== undefined) {
    fs.warn(`${path} has no ${name}_list: read the hex mask ${name} instead`);
    return fs.parseText(mask, `${path} ${name}`, 'mask');
  }
  return null;
}

function missing(fs: FsReader, path: string, field: string, assumed: number[]): number[] {
  fs.warn(`no ${field} in ${path}: assumed ${listText(assumed)}`);
  return assumed;
}
