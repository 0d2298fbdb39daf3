/**
 * The machine as autotune sees it. This shape is what `autotune topology --json` prints and what
 * placement, the store fingerprint and reports consume: keep it stable, add fields rather than
 * change them, and bump `schemaVersion` on a breaking change.
 * All CPU and node ids are the kernel's (absolute, 0-based) ids; lists are sorted ascending.
 */
export interface NumaNode {
  id: number;
  /** CPUs of this node that are online (empty for memory-only nodes). */
  cpus: number[];
  memBytes: number;
  /** Distance to every node, in the order of `Topology.nodes` (sysfs `distance`). */
  distances: number[];
}

export interface Package {
  id: number;
  cpus: number[];
  nodes: number[];
  /** Die ids within this package (one entry, 0, where the kernel has no die_id). */
  dies: number[];
}

/** A physical core: the hardware threads (SMT siblings) that share it. */
export interface Core {
  /** Index into Topology.cores, stable for one topology. */
  index: number;
  package: number;
  die: number;
  /** cluster_id where the kernel has it, else null. */
  cluster: number | null;
  /** The kernel's core_id (only unique within a package/die). */
  coreId: number;
  node: number;
  /** Hardware threads of this core, online ones only, ascending. */
  cpus: number[];
}

export interface L3Domain {
  id: number;
  cpus: number[];
  sizeBytes: number | null;
}

export interface CgroupCpuset {
  version: 'v1' | 'v2' | 'legacy';
  /** The cgroup directory the limits were read from. */
  path: string;
  cpus: number[];
  mems: number[];
}

export interface Allowed {
  /** What this process may use: affinity mask ∩ cgroup cpuset ∩ online. */
  cpus: number[];
  mems: number[];
  /** sched_getaffinity / Cpus_allowed_list of this process. */
  affinity: number[];
  cgroup: CgroupCpuset | null;
}

export interface Topology {
  schemaVersion: 1;
  /** 'live' for this machine, otherwise the sysfs root that was read. */
  source: { kind: 'live' } | { kind: 'path'; root: string };
  cpuModel: string;
  kernel: string;
  possible: number[];
  online: number[];
  offline: number[];
  /** False when the kernel has no /sys/devices/system/node: then one synthetic node 0 holds everything. */
  numaSupported: boolean;
  nodes: NumaNode[];
  packages: Package[];
  cores: Core[];
  l3Domains: L3Domain[];
  allowed: Allowed;
  /** Things the reader had to work around (hex masks only, NUL bytes, missing cache info...). */
  warnings: string[];
}

/** What tells results of different machines apart. */
export interface Fingerprint {
  cpuModel: string;
  packages: number;
  nodes: number;
  cores: number;
  threads: number;
  kernel: string;
  onnxruntimeVersion: string;
  /** sha256 (hex, first 16 chars) over the fields above plus the node/core layout. */
  hash: string;
}
