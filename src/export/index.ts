export { parsePick, choose, type Pick, type Chosen } from './pick.js';
export { instancesOf, expandPlaceholders, type Instance } from './instances.js';
export { renderShell, type ShellOptions } from './shell.js';
export { renderSystemd, type SystemdOptions } from './systemd.js';
export { renderDocker, type DockerOptions } from './docker.js';
export { renderKubernetes, type KubernetesOptions } from './kubernetes.js';
export { renderExportJson, EXPORT_SCHEMA } from './json.js';
export { launchInstances, type LaunchOptions, type Launched, type InstanceExit } from './launch.js';
export { EXPORT_FORMATS, type ExportFile, type ExportFormat } from './types.js';
