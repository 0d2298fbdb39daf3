import { VARIABLES } from '../runtime/index.js';
import { formatCpuList } from '../topology/cpulist.js';
import { provenance } from './header.js';
import { checkedName, DOCKER_NAME, instanceSuffix, shCommand } from './escape.js';
import { expandPlaceholders, instancesOf } from './instances.js';
import type { Chosen } from './pick.js';
import { shellQuote } from './quote.js';

export interface DockerOptions {
  image: string;
  /** The server's command line, run by `sh -c` inside the container (null: the image's own), {instance} and {port} expanded. */
  command: string | null;
  name: string;
  basePort: number;
}

/**
 * One `docker run` line per instance. --cpuset-mems confines memory to the nodes like a bind
 * policy; interleave and preferred have no docker flag (set_mempolicy needs CAP_SYS_NICE inside
 * the default seccomp profile), so those instances get the nodes as a cpuset and a note.
 */
export function renderDocker(chosen: Chosen, options: DockerOptions): string {
  checkedName(options.name, DOCKER_NAME, instanceSuffix(chosen.result.plan.workers.length));
  const lines = ['#!/bin/sh', ...provenance(chosen).map((l) => `# ${l}`), 'set -e'];
  for (const inst of instancesOf(chosen)) {
    const port = options.basePort + inst.index;
    const args = ['docker', 'run', '-d', '--name', `${options.name}-${inst.index}`];
    if (inst.cpus !== null) args.push('--cpuset-cpus', formatCpuList(inst.cpus));
    if (inst.mems.length > 0) args.push('--cpuset-mems', formatCpuList(inst.mems));
    for (const [k, v] of Object.entries({ ...inst.env, [VARIABLES.port]: String(port) })) args.push('-e', `${k}=${v}`);
    args.push('-p', `${port}:${port}`, options.image);
    if (inst.memPolicy === 'interleave' || inst.memPolicy === 'preferred') {
      lines.push(`# instance ${inst.index} was measured with memory policy ${inst.memPolicy}; docker can only confine it to nodes ${formatCpuList(inst.mems)}`);
    }
    if (options.command !== null) args.push(...shCommand(expandPlaceholders(options.command, inst.index, options.basePort)));
    lines.push(args.map(shellQuote).join(' '));
  }
  return `${lines.join('\n')}\n`;
}
