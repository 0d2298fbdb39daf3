import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { AutotuneError } from '../../errors.js';
import {
  deploymentName,
  DOCKER_NAME,
  EXPORT_FORMATS,
  instanceSuffix,
  KUBERNETES_NAME,
  renderDocker,
  renderExportJson,
  renderKubernetes,
  renderShell,
  renderSystemd,
  SYSTEMD_NAME,
  type Chosen,
  type ExportFile,
  type ExportFormat,
} from '../../export/index.js';
import { DEFAULT_DB_PATH } from '../../store/index.js';
import { makeOutputDirectory, writeOutputFile } from '../output-file.js';
import { chooseTrial, parseBasePort } from './report-source.js';

interface ExportFlags {
  db?: string;
  pick: string;
  format: string;
  command?: string;
  image?: string;
  name?: string;
  basePort: string;
  output?: string;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('Turn a measured configuration into deployment files: shell, systemd, docker, kubernetes or json.')
    .argument('[study]', 'study name (default: the only or most recent study)')
    .option('--pick <pick>', 'slo | latency | knee | a trial id', 'slo')
    .option('--format <format>', EXPORT_FORMATS.join(' | '), 'shell')
    .option('--command <cmdline>', "the server's command line; {instance} and {port} are replaced per instance")
    .option('--image <image>', 'container image (docker, kubernetes)')
    .option('--name <name>', 'unit, container or pod name (default autotune-STUDY, made valid for the format)')
    .option('--base-port <n>', '{port} of instance 0; instance i gets base + i', '8000')
    .option('-o, --output <path>', 'write to this file (systemd: this directory) instead of printing')
    .option('--db <file>', `SQLite database (default ${DEFAULT_DB_PATH})`)
    .action((study: string | undefined, flags: ExportFlags) => {
      exportStudy(study ?? null, flags);
    });
}

function exportStudy(study: string | null, flags: ExportFlags): void {
  const format = flags.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new AutotuneError('usage', `--format ${flags.format}: expected ${EXPORT_FORMATS.join(', ')}`);
  const basePort = parseBasePort(flags.basePort);
  const chosen = chooseTrial(flags.db, study, flags.pick);
  const files = render(format, chosen, { ...flags, basePort });
  if (flags.output === undefined) {
    process.stdout.write(files.length === 1 ? files[0]!.content : files.map((f) => `# ==> ${f.path} <==\n${f.content}`).join('\n'));
    return;
  }
  for (const file of files) {
    const path = files.length === 1 ? flags.output : join(flags.output, file.path);
    makeOutputDirectory(dirname(path));
    writeOutputFile(path, file.content, { mode: format === 'shell' || format === 'docker' ? 0o755 : 0o644 });
    process.stderr.write(`wrote ${path}\n`);
  }
}

function render(format: ExportFormat, chosen: Chosen, o: { command?: string; image?: string; name?: string; basePort: number }): ExportFile[] {
  const one = (path: string, content: string): ExportFile[] => [{ path, content }];
  const command = o.command ?? null;
  const suffix = instanceSuffix(chosen.result.plan.workers.length);
  switch (format) {
    case 'shell':
      return one('launch.sh', renderShell(chosen, { command, basePort: o.basePort }));
    case 'systemd':
      if (command === null) throw new AutotuneError('usage', "--format systemd needs the server's command: --command '/usr/bin/my-server --port {port}'");
      return renderSystemd(chosen, { command, name: deploymentName(o.name, chosen.studyName, SYSTEMD_NAME), basePort: o.basePort });
    case 'docker':
      return one('docker-run.sh', renderDocker(chosen, { image: needImage(o.image, format), command, name: deploymentName(o.name, chosen.studyName, DOCKER_NAME, suffix), basePort: o.basePort }));
    case 'kubernetes':
      return one('pod.yaml', renderKubernetes(chosen, { image: needImage(o.image, format), command, name: deploymentName(o.name, chosen.studyName, KUBERNETES_NAME, suffix), basePort: o.basePort }));
    case 'json':
      return one('placement.json', renderExportJson(chosen));
  }
}

function needImage(image: string | undefined, format: ExportFormat): string {
  if (image === undefined) throw new AutotuneError('usage', `--format ${format} needs the container image: --image registry/my-server:1.0`);
  return image;
}
