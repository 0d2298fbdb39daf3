import type { Core, Topology } from '../../src/topology/types.js';

/**
 * Hand-built topologies for placement tests. A machine is described as nodes of cores; CPU ids
 * follow Linux's usual numbering: first hardware threads of every core first, then siblings
 * (cpu = thread * totalCores + core), so siblings are far apart as on real x86 servers.
 */
interface NodeSpec {
  id: number;
  package: number;
  cores: number;
  /** Which L3 domain the node's cores share (defaults to one per package). */
  l3?: number;
}

interface MachineSpec {
  nodes: NodeSpec[];
  smt: number;
  /** Memory-only nodes (no CPUs), e.g. CXL expanders. */
  memoryOnlyNodes?: number[];
  /** Restrict what this process may use (cgroup cpuset); defaults to everything. */
  allowedCpus?: number[];
  allowedMems?: number[];
}

export function buildTopology(spec: MachineSpec): Topology {
  const totalCores = spec.nodes.reduce((sum, n) => sum + n.cores, 0);
  const cores: Core[] = [];
  const nodeCpus = new Map<number, number[]>();
  const l3Cpus = new Map<number, number[]>();
  let coreIndex = 0;
  for (const node of spec.nodes) {
    for (let c = 0; c < node.cores; c++, coreIndex++) {
      const cpus = Array.from({ length: spec.smt }, (_, thread) => thread * totalCores + coreIndex);
      cores.push({ index: coreIndex, package: node.package, die: 0, cluster: null, coreId: coreIndex, node: node.id, cpus });
      nodeCpus.set(node.id, [...(nodeCpus.get(node.id) ?? []), ...cpus]);
      const l3 = node.l3 ?? node.package;
      l3Cpus.set(l3, [...(l3Cpus.get(l3) ?? []), ...cpus]);
    }
  }
  const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
  const all = sorted(cores.flatMap((c) => c.cpus));
  const nodeIds = sorted([...spec.nodes.map((n) => n.id), ...(spec.memoryOnlyNodes ?? [])]);
  const packageIds = [...new Set(spec.nodes.map((n) => n.package))];
  const allowedCpus = spec.allowedCpus ?? all;
  return {
    schemaVersion: 1,
    source: { kind: 'path', root: 'test/placement/topologies.ts' },
    cpuModel: 'hand-built',
    kernel: '6.0.0',
    possible: all,
    online: all,
    offline: [],
    numaSupported: true,
    nodes: nodeIds.map((id) => ({
      id,
      cpus: sorted(nodeCpus.get(id) ?? []),
      memBytes: 16 * 2 ** 30,
      distances: nodeIds.map((other) => (other === id ? 10 : 21)),
    })),
    packages: packageIds.map((id) => ({
      id,
      cpus: sorted(cores.filter((c) => c.package === id).flatMap((c) => c.cpus)),
      nodes: spec.nodes.filter((n) => n.package === id).map((n) => n.id),
      dies: [0],
    })),
    cores,
    l3Domains: [...l3Cpus].map(([id, cpus]) => ({ id, cpus: sorted(cpus), sizeBytes: 32 * 2 ** 20 })),
    allowed: { cpus: allowedCpus, mems: spec.allowedMems ?? nodeIds, affinity: allowedCpus, cgroup: null },
    warnings: [],
  };
}

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

/** This VM: one node, 2 CPUs, no SMT. */
export const vm2 = (): Topology => buildTopology({ nodes: [{ id: 0, package: 0, cores: 2 }], smt: 1 });

/** 2 sockets, one node each, 16 cores x 2 SMT: node 0 = 0-15,32-47; node 1 = 16-31,48-63. */
export const twoSocket = (): Topology =>
  buildTopology({ nodes: [{ id: 0, package: 0, cores: 16 }, { id: 1, package: 1, cores: 16 }], smt: 2 });

/** 2 sockets in sub-NUMA clustering: 4 nodes of 8 cores x 2 SMT; L3 per socket spans 2 nodes. */
export const snc4 = (): Topology =>
  buildTopology({
    nodes: [
      { id: 0, package: 0, cores: 8 },
      { id: 1, package: 0, cores: 8 },
      { id: 2, package: 1, cores: 8 },
      { id: 3, package: 1, cores: 8 },
    ],
    smt: 2,
  });

/**
 * twoSocket seen from a cgroup that grants 4 cores of node 0 (12-15 + siblings 44-47) and 8 of
 * node 1 (16-23 + siblings 48-55): uneven nodes.
 */
export const cgroupLimited = (): Topology =>
  buildTopology({
    nodes: [{ id: 0, package: 0, cores: 16 }, { id: 1, package: 1, cores: 16 }],
    smt: 2,
    allowedCpus: [...range(12, 23), ...range(44, 55)],
  });

/** Sparse node ids 0, 4, 9 (4 cores each, no SMT, one L3 per node) plus memory-only node 12. */
export const sparseNodes = (): Topology =>
  buildTopology({
    nodes: [
      { id: 0, package: 0, cores: 4, l3: 0 },
      { id: 4, package: 0, cores: 4, l3: 1 },
      { id: 9, package: 1, cores: 4, l3: 2 },
    ],
    smt: 1,
    memoryOnlyNodes: [12],
  });
