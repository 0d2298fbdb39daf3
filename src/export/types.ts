/** One file an export produces; `path` is relative (the CLI writes it under -o or prints it). */
export interface ExportFile {
  path: string;
  content: string;
}

export type ExportFormat = 'shell' | 'systemd' | 'docker' | 'kubernetes' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['shell', 'systemd', 'docker', 'kubernetes', 'json'];
