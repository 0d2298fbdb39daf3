import type { NumaNode } from './types.js';
import { AutotuneError } from '../errors.js';
import { type FsReader, intersect, listText, minus } from './reader.js';

/** The kernel's default distances (include/linux/topology.h), used when a distance file is unusable. */
const LOCAL_DISTANCE = 10;
const REMOTE_DISTANCE = 20;

export interface NodeInfo {
  numaSupported: boolean;
  nodes: NumaNode[];
}

/**
 * NUMA nodes from ROOT/sys/devices/system/node. Without that directory (kernel built without
 * NUMA) there is one synthetic node 0 holding every online CPU and all of /proc/meminfo's memory.
 */
export function readNodes(fs: FsReader, online: number[], possible: number[]): NodeInfo {
  const nodeDir = fs.sys('node');
  const ids = fs.isDir(nodeDir) ? nodeIds(fs) : [];
  if (ids.length === 0) {
    fs.warn('no NUMA information (sys/devices/system/node missing): all CPUs and memory counted as node 0');
    return {
      numaSupported: false,
      nodes: [{ id: 0, cpus: online, memBytes: memTotal(fs, fs.proc('meminfo')), distances: [LOCAL_DISTANCE] }],
    };
  }
  const nodes = ids.map((id, index): NumaNode => {
    const dir = fs.sys('node', `node${id}`);
    const cpus = fs.cpuSet(`${dir}/cpulist`, `${dir}/cpumap`);
    if (cpus === null) fs.warn(`node ${id} has neither cpulist nor cpumap: counted as memory-only`);
    const impossible = minus(cpus ?? [], possible);
    if (impossible.length > 0) {
      throw new AutotuneError(
        'input',
        `${dir}/cpulist lists CPUs ${listText(impossible)} outside the possible CPUs ${listText(possible)}: the snapshot is inconsistent`,
      );
    }
    return {
      id,
      cpus: intersect(cpus ?? [], online),
      memBytes: memTotal(fs, `${dir}/meminfo`),
      distances: distances(fs, `${dir}/distance`, id, index, ids.length),
    };
  });
  const placed = new Set(nodes.flatMap((n) => n.cpus));
  const homeless = online.filter((cpu) => !placed.has(cpu));
  const first = nodes[0];
  if (homeless.length > 0 && first) {
    fs.warn(`CPUs ${listText(homeless)} are in no node's cpulist: counted as node ${first.id}`);
    first.cpus = [...first.cpus, ...homeless].sort((a, b) => a - b);
  }
  return { numaSupported: true, nodes };
}

function nodeIds(fs: FsReader): number[] {
  const listed = fs.cpuSet(fs.sys('node', 'online')) ?? fs.cpuSet(fs.sys('node', 'possible'));
  if (listed !== null && listed.length > 0) return listed;
  return fs
    .entries(fs.sys('node'))
    .map((name) => /^node(\d+)$/.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function memTotal(fs: FsReader, path: string): number {
  const kb = /MemTotal:\s*(\d+)\s*kB/.exec(fs.text(path) ?? '')?.[1];
  if (kb === undefined) {
    fs.warn(`no MemTotal in ${path}: memory size counted as 0`);
    return 0;
  }
  return Number(kb) * 1024;
}

/** One value per online node, in node order (sysfs-devices-node). */
function distances(fs: FsReader, path: string, id: number, index: number, count: number): number[] {
  const values = (fs.text(path) ?? '').split(/\s+/).filter((v) => v !== '').map(Number);
  if (values.length === count && values.every((v) => Number.isInteger(v) && v > 0)) return values;
  fs.warn(`node ${id} distance file ${path} does not hold ${count} distances: assumed ${LOCAL_DISTANCE}/${REMOTE_DISTANCE}`);
  return Array.from({ length: count }, (_, j) => (j === index ? LOCAL_DISTANCE : REMOTE_DISTANCE));
}
