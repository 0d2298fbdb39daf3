import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Fingerprint, Topology } from './types.js';

/**
 * What tells results of different machines apart. The hash covers the counts plus the node and
 * core layout (which CPUs share a node, which share a core), not what this process is allowed to
 * use: a container limited to part of the machine is still the same machine.
 */
export function fingerprint(topology: Topology, onnxruntimeVersion: string): Fingerprint {
  const fields = {
    cpuModel: topology.cpuModel,
    packages: topology.packages.length,
    nodes: topology.nodes.length,
    cores: topology.cores.length,
    threads: topology.online.length,
    kernel: topology.kernel,
    onnxruntimeVersion,
  };
  const layout = {
    nodes: topology.nodes.map((n) => [n.id, n.cpus]),
    cores: topology.cores.map((c) => c.cpus),
  };
  const hash = createHash('sha256').update(JSON.stringify({ fields, layout })).digest('hex').slice(0, 16);
  return { ...fields, hash };
}

/** The installed onnxruntime-node's version, from its package.json. */
export function onnxruntimeVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('onnxruntime-node/package.json') as { version: string }).version;
}
