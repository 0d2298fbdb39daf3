import type { Core, NumaNode, Package } from './types.js';
import { type FsReader, intersect, listText } from './reader.js';

/** x86 reports an unknown cluster as BAD_APICID (0xffff); other arches as -1. */
const UNKNOWN_CLUSTER = 0xffff;

interface CpuPlace {
  package: number;
  die: number;
  cluster: number | null;
  coreId: number;
  siblings: number[];
}

/**
 * Packages and physical cores of the online CPUs, from cpuN/topology. A core is the set of SMT
 * siblings (core_cpus_list, older thread_siblings_list, or their hex masks on old kernels).
 */
export function readCores(fs: FsReader, online: number[], nodes: NumaNode[]): { packages: Package[]; cores: Core[] } {
  const nodeOf = new Map<number, number>();
  for (const node of nodes) for (const cpu of node.cpus) nodeOf.set(cpu, node.id);

  const places = online.map((cpu) => readPlace(fs, cpu, online));
  const noTopology = places.filter((p) => p === null).length;
  if (noTopology > 0) fs.warn(`${noTopology} online CPUs have no topology directory: each counted as its own core in package 0`);

  // Every CPU lands in exactly one core, even where sibling lists disagree with each other.
  const assigned = new Set<number>();
  const groups: CpuPlace[] = [];
  places.forEach((place, i) => {
    const cpu = online[i]!;
    if (assigned.has(cpu)) return;
    const p = place ?? { package: 0, die: 0, cluster: null, coreId: cpu, siblings: [cpu] };
    const siblings = p.siblings.filter((s) => !assigned.has(s));
    for (const s of siblings) assigned.add(s);
    groups.push({ ...p, siblings });
  });
  const cores = groups.map(
      (p, index): Core => ({
        index,
        package: p.package,
        die: p.die,
        cluster: p.cluster,
        coreId: p.coreId,
        node: nodeOf.get(p.siblings[0]!) ?? nodes[0]?.id ?? 0,
        cpus: p.siblings,
      }),
    );

  const packageIds = [...new Set(cores.map((c) => c.package))].sort((a, b) => a - b);
  const packages = packageIds.map((id): Package => {
    const mine = cores.filter((c) => c.package === id);
    const cpus = mine.flatMap((c) => c.cpus).sort((a, b) => a - b);
    return {
      id,
      cpus,
      nodes: uniqueSorted(cpus.map((cpu) => nodeOf.get(cpu) ?? nodes[0]?.id ?? 0)),
      dies: uniqueSorted(mine.map((c) => c.die)),
    };
  });
  return { packages, cores };
}

function readPlace(fs: FsReader, cpu: number, online: number[]): CpuPlace | null {
  const dir = fs.sys('cpu', `cpu${cpu}`, 'topology');
  if (!fs.isDir(dir)) return null;
  const siblings =
    fs.cpuSet(`${dir}/core_cpus_list`) ?? fs.cpuSet(`${dir}/thread_siblings_list`, `${dir}/thread_siblings`);
  const onlineSiblings = intersect(siblings ?? [cpu], online);
  if (!onlineSiblings.includes(cpu)) {
    fs.warn(`CPU ${cpu} is missing from its own sibling list (${listText(siblings ?? [])}): counted as its own core`);
  }
  const cluster = fs.int(`${dir}/cluster_id`);
  return {
    package: nonNegative(fs.int(`${dir}/physical_package_id`)),
    die: nonNegative(fs.int(`${dir}/die_id`)),
    cluster: cluster === null || cluster < 0 || cluster === UNKNOWN_CLUSTER ? null : cluster,
    coreId: fs.int(`${dir}/core_id`) ?? cpu,
    siblings: onlineSiblings.includes(cpu) ? onlineSiblings : [cpu],
  };
}

/** Missing or -1 ("unknown") ids count as 0, as the kernel does for single-package machines. */
function nonNegative(id: number | null): number {
  return id === null || id < 0 ? 0 : id;
}

function uniqueSorted(ids: number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}
