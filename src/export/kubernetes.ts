import { Document } from 'yaml';
import { VARIABLES } from '../runtime/index.js';
import { formatCpuList } from '../topology/cpulist.js';
import { provenance } from './header.js';
import { checkedName, instanceSuffix, KUBERNETES_NAME, shCommand } from './escape.js';
import { expandPlaceholders, instancesOf } from './instances.js';
import type { Chosen } from './pick.js';

export interface KubernetesOptions {
  image: string;
  command: string | null;
  name: string;
  basePort: number;
}

const MiB = 2 ** 20;

/**
 * A pod with one container per instance. Kubernetes cannot name CPUs; what it can do is give a
 * Guaranteed pod's containers exclusive CPUs (static CPU manager: integer CPU requests equal to
 * limits, memory requests equal to limits) and keep them on one NUMA node (topology manager).
 * The measured CPU sets travel as annotations so the placement can be checked after scheduling.
 */
export function renderKubernetes(chosen: Chosen, options: KubernetesOptions): string {
  const instances = instancesOf(chosen);
  checkedName(options.name, KUBERNETES_NAME, instanceSuffix(instances.length));
  const annotations: Record<string, string> = {
    'autotune/study': chosen.studyName,
    'autotune/trial': String(chosen.trialId),
  };
  const containers = instances.map((inst) => {
    const port = options.basePort + inst.index;
    const cpus = inst.cpus?.length ?? chosen.result.config.threads;
    // Headroom over what the worker used while measured; the limit is a hard cap for the container.
    const memory = `${Math.max(256, Math.ceil((inst.rssBytes * 1.5) / MiB / 64) * 64)}Mi`;
    if (inst.cpus !== null) annotations[`autotune/cpus-${inst.index}`] = formatCpuList(inst.cpus);
    if (inst.mems.length > 0) annotations[`autotune/mems-${inst.index}`] = formatCpuList(inst.mems);
    return {
      name: `${options.name}-${inst.index}`,
      image: options.image,
      ...(options.command === null ? {} : { command: shCommand(expandPlaceholders(options.command, inst.index, options.basePort)) }),
      env: Object.entries({ ...inst.env, [VARIABLES.port]: String(port) }).map(([name, value]) => ({ name, value })),
      ports: [{ containerPort: port }],
      resources: { requests: { cpu: String(cpus), memory }, limits: { cpu: String(cpus), memory } },
    };
  });
  const doc = new Document({ apiVersion: 'v1', kind: 'Pod', metadata: { name: options.name, annotations }, spec: { containers } });
  doc.commentBefore = [
    ...provenance(chosen).map((l) => ` ${l}`),
    ' Each container asks for whole CPUs with requests equal to limits (memory too), so the pod is',
    ' Guaranteed and the kubelet static CPU manager (--cpu-manager-policy=static) gives it exclusive CPUs.',
    ' Keep each container on one NUMA node with --topology-manager-policy=single-numa-node',
    ' (--topology-manager-scope=container, or =pod to keep the whole pod on one node).',
    ...(chosen.result.config.smt === 'cores' ? [' Measured one hardware thread per core: set the CPU manager option full-pcpus-only=true.'] : []),
  ].join('\n');
  return doc.toString();
}
