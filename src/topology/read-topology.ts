import { resolve } from 'node:path';
import { AutotuneError } from '../errors.js';
import type { Topology } from './types.js';
import { readAllowed } from './allowed.js';
import { readL3Domains } from './caches.js';
import { readCores } from './cores.js';
import { readCpuModel, readKernel } from './machine.js';
import { readNodes } from './nodes.js';
import { FsReader, listText, minus } from './reader.js';

export interface ReadTopologyOptions {
  /**
   * A filesystem root: sysfs is read from ROOT/sys/devices/system, cgroup mounts named in
   * /proc/mounts from ROOT/<mount point>, /dev/cpuset from ROOT/dev/cpuset. Default `/` (live).
   */
  sysfsRoot?: string;
  /** Where procfs is (the directory holding self/status, mounts, cpuinfo). Default ROOT/proc. */
  procRoot?: string;
}

/** The machine's CPU and memory topology and what this process may use of it. */
export function readTopology(options: ReadTopologyOptions = {}): Topology {
  const live = options.sysfsRoot === undefined;
  const fs = machineReader(options);
  const root = fs.root;
  if (!fs.isDir(fs.sys('cpu'))) {
    throw new AutotuneError(
      'input',
      `no CPU topology under ${root}: expected ${fs.sys('cpu')} (pass the root of a filesystem snapshot holding sys/ and proc/)`,
    );
  }

  const { online, possible } = readCpuSets(fs);
  const { numaSupported, nodes } = readNodes(fs, online, possible);
  const { packages, cores } = readCores(fs, online, nodes);
  const l3Domains = readL3Domains(fs, online);
  const allowed = readAllowed(
    fs,
    online,
    nodes.map((n) => n.id),
  );
  return {
    schemaVersion: 1,
    source: live ? { kind: 'live' } : { kind: 'path', root },
    cpuModel: readCpuModel(fs),
    kernel: readKernel(fs),
    possible,
    online,
    offline: minus(possible, online),
    numaSupported,
    nodes,
    packages,
    cores,
    l3Domains,
    allowed,
    warnings: fs.warnings,
  };
}

/** A reader of the machine (or snapshot) the options name. */
export function machineReader(options: ReadTopologyOptions = {}): FsReader {
  const root = resolve(options.sysfsRoot ?? '/');
  return new FsReader(root, resolve(options.procRoot ?? `${root}/proc`));
}

function readCpuSets(fs: FsReader): { online: number[]; possible: number[] } {
  const dirs = fs
    .entries(fs.sys('cpu'))
    .map((name) => /^cpu(\d+)$/.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  let online = fs.cpuSet(fs.sys('cpu', 'online'));
  if (online === null) {
    // cpu0 usually has no `online` file: it cannot be taken offline.
    online = dirs.filter((cpu) => fs.text(fs.sys('cpu', `cpu${cpu}`, 'online')) !== '0');
    fs.warn(`no ${fs.sys('cpu', 'online')}: online CPUs taken from the cpuN directories`);
  }
  if (online.length === 0) {
    throw new AutotuneError('input', `${fs.sys('cpu', 'online')} is empty: expected a CPU list such as 0-3`);
  }
  const possible = fs.cpuSet(fs.sys('cpu', 'possible')) ?? fs.cpuSet(fs.sys('cpu', 'present')) ?? dirs;
  const impossible = minus(online, possible);
  if (impossible.length > 0) {
    throw new AutotuneError(
      'input',
      `${fs.sys('cpu', 'online')} lists CPUs ${listText(impossible)} that are not possible (${listText(possible)}): the snapshot is inconsistent`,
    );
  }
  return { online, possible };
}
