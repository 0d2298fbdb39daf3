import { posix } from 'node:path';
import { AutotuneError } from '../errors.js';
import type { CgroupCpuset } from './types.js';
import type { FsReader } from './reader.js';

export interface Mount {
  point: string;
  type: string;
  options: string[];
}

interface Hierarchy {
  version: CgroupCpuset['version'];
  /** Mount point on the machine. */
  mount: string;
  /** The process's group inside that hierarchy. */
  group: string;
  cpuFiles: string[];
  memFiles: string[];
}

/**
 * The cpuset limiting this process, tried in this order: cgroup v2 (`0::/path` in
 * /proc/self/cgroup, the cgroup2 mount from /proc/mounts, wherever it is), cgroup v1
 * (`N:...cpuset...:/path` and the cgroup mount with the cpuset option), the legacy cpuset
 * filesystem (/dev/cpuset, group from /proc/self/cpuset). Hybrid hosts mount cgroup2 without the
 * cpuset controller, which is why v2 only counts when its group has cpuset files.
 * null when no cpuset applies.
 */
export function readCgroupCpuset(fs: FsReader): CgroupCpuset | null {
  const mounts = readMounts(fs);
  const groups = readGroups(fs);
  for (const hierarchy of hierarchies(fs, mounts, groups)) {
    const found = findGroupDir(fs, hierarchy);
    if (found !== null) return found;
  }
  return null;
}

function hierarchies(fs: FsReader, mounts: Mount[], groups: Map<string, string>): Hierarchy[] {
  const out: Hierarchy[] = [];
  const v2Group = groups.get('');
  const v2Mount = mounts.find((m) => m.type === 'cgroup2');
  if (v2Group !== undefined && v2Mount) {
    out.push({
      version: 'v2',
      mount: v2Mount.point,
      group: v2Group,
      cpuFiles: ['cpuset.cpus.effective'],
      memFiles: ['cpuset.mems.effective'],
    });
  }
  const v1Group = groups.get('cpuset');
  const v1Mount = mounts.find((m) => m.type === 'cgroup' && m.options.includes('cpuset'));
  if (v1Group !== undefined && v1Mount) {
    // `noprefix` mounts drop the "cpuset." prefix; effective_* are missing before 3.x kernels.
    out.push({
      version: 'v1',
      mount: v1Mount.point,
      group: v1Group,
      cpuFiles: ['cpuset.effective_cpus', 'cpuset.cpus', 'effective_cpus', 'cpus'],
      memFiles: ['cpuset.effective_mems', 'cpuset.mems', 'effective_mems', 'mems'],
    });
  }
  const legacyMount = mounts.find((m) => m.type === 'cpuset')?.point ?? '/dev/cpuset';
  if (fs.isDir(fs.onMachine(legacyMount))) {
    out.push({
      version: 'legacy',
      mount: legacyMount,
      group: fs.text(fs.proc('self', 'cpuset')) ?? '/',
      cpuFiles: ['cpus', 'cpuset.cpus'],
      memFiles: ['mems', 'cpuset.mems'],
    });
  }
  return out;
}

/**
 * The group's directory, or the nearest ancestor holding the cpuset files: without a cgroup
 * namespace the container sees its host path (/docker/ID) while its own group is mounted as the
 * root, and in v2 a group whose parent did not enable cpuset inherits the parent's sets.
 */
function findGroupDir(fs: FsReader, h: Hierarchy): CgroupCpuset | null {
  let group = posix.normalize(h.group.startsWith('/') ? h.group : `/${h.group}`);
  for (;;) {
    const machineDir = posix.join(h.mount, group).replace(/(.)\/$/, '$1');
    const dir = fs.onMachine(machineDir);
    const cpuFile = h.cpuFiles.map((f) => `${dir}/${f}`).find((f) => fs.exists(f));
    if (cpuFile !== undefined) {
      if (group !== posix.normalize(h.group) && !fs.isDir(fs.onMachine(posix.join(h.mount, h.group)))) {
        fs.warn(`cgroup ${h.group} is not under the ${h.version} mount ${h.mount}: read ${machineDir} instead`);
      }
      const memFile = h.memFiles.map((f) => `${dir}/${f}`).find((f) => fs.exists(f));
      if (memFile === undefined) {
        throw new AutotuneError('input', `${dir} has cpuset CPUs but no cpuset mems file: the cgroup snapshot is incomplete`);
      }
      return { version: h.version, path: machineDir, cpus: fs.requiredCpuSet(cpuFile), mems: fs.requiredCpuSet(memFile) };
    }
    if (group === '/') return null;
    group = posix.dirname(group);
  }
}

/** controller -> group path; the v2 unified hierarchy is under the empty controller name. */
export function readGroups(fs: FsReader): Map<string, string> {
  const groups = new Map<string, string>();
  for (const line of (fs.text(fs.proc('self', 'cgroup')) ?? '').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const controllers = m[1]!;
    const path = m[2]!;
    if (controllers === '') groups.set('', path);
    for (const c of controllers.split(',')) if (c !== '' && !groups.has(c)) groups.set(c, path);
  }
  return groups;
}

export function readMounts(fs: FsReader): Mount[] {
  return (fs.text(fs.proc('mounts')) ?? '')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map((f) => ({ point: unescapeMount(f[1]!), type: f[2]!, options: f[3]!.split(',') }));
}

/** /proc/mounts writes space, tab, newline and backslash in octal (\040). */
function unescapeMount(point: string): string {
  return point.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
