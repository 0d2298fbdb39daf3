import type { L3Domain } from './types.js';
import { type FsReader, intersect, listText } from './reader.js';

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/**
 * L3 domains: the distinct shared_cpu_list sets of the level-3 caches of the online CPUs,
 * numbered in order of their first CPU. CPUs without cache information are in a domain only where
 * another CPU's shared list names them (a warning says which).
 */
export function readL3Domains(fs: FsReader, online: number[]): L3Domain[] {
  const domains = new Map<string, { cpus: number[]; sizeBytes: number | null }>();
  const noCacheDir: number[] = [];
  const noL3: number[] = [];
  for (const cpu of online) {
    const dir = fs.sys('cpu', `cpu${cpu}`, 'cache');
    if (!fs.isDir(dir)) {
      noCacheDir.push(cpu);
      continue;
    }
    const l3 = fs
      .entries(dir)
      .filter((name) => /^index\d+$/.test(name))
      .map((name) => `${dir}/${name}`)
      .find((index) => fs.text(`${index}/level`) === '3' && fs.text(`${index}/type`) !== 'Instruction');
    if (l3 === undefined) {
      noL3.push(cpu);
      continue;
    }
    const shared = fs.cpuSet(`${l3}/shared_cpu_list`, `${l3}/shared_cpu_map`);
    const cpus = intersect(shared ?? [cpu], online);
    if (!cpus.includes(cpu)) cpus.push(cpu);
    cpus.sort((a, b) => a - b);
    const key = cpus.join(',');
    if (!domains.has(key)) domains.set(key, { cpus, sizeBytes: sizeBytes(fs.text(`${l3}/size`)) });
  }
  if (noCacheDir.length > 0) {
    fs.warn(`no cache information for CPUs ${listText(noCacheDir)} (cpuN/cache missing): in an L3 domain only where another CPU lists them`);
  }
  if (noL3.length > 0) fs.warn(`no level-3 cache reported for CPUs ${listText(noL3)}: they are in no L3 domain`);
  return [...domains.values()]
    .sort((a, b) => a.cpus[0]! - b.cpus[0]!)
    .map((d, id) => ({ id, cpus: d.cpus, sizeBytes: d.sizeBytes }));
}

/** sysfs cache sizes read like `32768K`. */
function sizeBytes(text: string | null): number | null {
  const m = /^(\d+)\s*([KMG]?)$/i.exec(text ?? '');
  if (!m) return null;
  return Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
}
