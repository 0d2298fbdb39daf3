import { provenance } from './header.js';
import { VARIABLES } from '../runtime/index.js';
import { checkedName, systemdCommand, systemdEnvironment, SYSTEMD_NAME } from './escape.js';
import { instancesOf } from './instances.js';
import type { Chosen } from './pick.js';
import type { ExportFile } from './types.js';

export interface SystemdOptions {
  /** The server's command line, taken literally ('%' and '$' escaped); {instance} becomes %i and {port} ${AUTOTUNE_PORT}. */
  command: string;
  /** Unit name: files are NAME@.service and NAME@I.service.d/autotune.conf. */
  name: string;
  basePort: number;
}

/**
 * A template unit plus one drop-in per instance carrying its placement: systemd applies
 * CPUAffinity= and NUMAPolicy=/NUMAMask= itself before exec, like the trial launcher did.
 */
export function renderSystemd(chosen: Chosen, options: SystemdOptions): ExportFile[] {
  checkedName(options.name, SYSTEMD_NAME);
  const instances = instancesOf(chosen);
  const ids = instances.map((i) => `${options.name}@${i.index}`).join(' ');
  const template = [
    ...provenance(chosen).map((l) => `# ${l}`),
    `# Install: copy this file and the ${options.name}@N.service.d/ directories to /etc/systemd/system/, then`,
    `#   systemctl daemon-reload && systemctl enable --now ${ids}`,
    `# Instances: ${instances.map((i) => i.index).join(' ')}`,
    '[Unit]',
    `Description=${options.name} instance %i (placed by autotune)`,
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${systemdCommand(options.command)}`,
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  const files: ExportFile[] = [{ path: `${options.name}@.service`, content: template.join('\n') }];
  for (const inst of instances) {
    const lines = ['[Service]'];
    if (inst.cpus !== null) lines.push(`CPUAffinity=${inst.cpus.join(' ')}`);
    if (inst.memPolicy !== 'default') lines.push(`NUMAPolicy=${inst.memPolicy}`);
    if (inst.mems.length > 0) lines.push(`NUMAMask=${inst.mems.join(' ')}`);
    const env = { ...inst.env, [VARIABLES.port]: String(options.basePort + inst.index) };
    for (const [k, v] of Object.entries(env)) lines.push(`Environment=${systemdEnvironment(`${k}=${v}`)}`);
    files.push({ path: `${options.name}@${inst.index}.service.d/autotune.conf`, content: `${lines.join('\n')}\n` });
  }
  return files;
}
