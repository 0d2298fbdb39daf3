import type { Command } from 'commander';
import { formatCheck, runMachineChecks } from '../../topology/health.js';
import { readTopology } from '../../topology/read-topology.js';

interface DoctorFlags {
  sysfsRoot?: string;
  json: boolean;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('Check whether this machine is fit to measure on: CPU governor, turbo, NUMA balancing, huge pages, SMT, cgroup CPU quota, other load, steal.')
    .option('--sysfs-root <dir>', 'check a filesystem snapshot rooted at DIR instead of this machine (other load and steal are then not sampled)')
    .option('--json', 'print { source, checks } as one JSON object (docs/doctor-json.md)', false)
    .action(async (flags: DoctorFlags) => {
      const options = flags.sysfsRoot === undefined ? {} : { sysfsRoot: flags.sysfsRoot };
      const topology = readTopology(options);
      const checks = await runMachineChecks(topology, options);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ source: topology.source, checks }, null, 2)}\n`);
        return;
      }
      const where = topology.source.kind === 'live' ? 'this machine' : `the snapshot at ${topology.source.root}`;
      const warned = checks.filter((c) => c.status === 'warn').length;
      const lines = [
        `${topology.cpuModel} (${where}, kernel ${topology.kernel})`,
        ...checks.map(formatCheck),
        warned === 0 ? 'nothing found that would disturb measurements' : `${warned} setting(s) can disturb measurements: trials run anyway, and record what they saw`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
