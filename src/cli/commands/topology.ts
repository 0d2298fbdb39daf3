import type { Command } from 'commander';
import { probeCapabilities, type Capabilities, type CapabilityStatus } from '../../native/index.js';
import { formatCpuList } from '../../topology/cpulist.js';
import { fingerprint, onnxruntimeVersion } from '../../topology/fingerprint.js';
import { readTopology } from '../../topology/read-topology.js';
import type { Core, Fingerprint, Topology } from '../../topology/types.js';

interface TopologyFlags {
  sysfsRoot?: string;
  json: boolean;
}

export function register(program: Command): void {
  program
    .command('topology')
    .description('Show CPUs, cores, caches and NUMA nodes, what this process may use, and which placement calls work.')
    .option('--sysfs-root <dir>', 'read a filesystem snapshot rooted at DIR (DIR/sys/devices/system, DIR/proc) instead of this machine')
    .option('--json', 'print { topology, fingerprint, capabilities } as one JSON object (docs/topology-json.md)', false)
    .action((flags: TopologyFlags) => {
      const topology = readTopology(flags.sysfsRoot === undefined ? {} : { sysfsRoot: flags.sysfsRoot });
      const print = fingerprint(topology, onnxruntimeVersion());
      const capabilities = probeCapabilities();
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ topology, fingerprint: print, capabilities }, null, 2)}\n`
          : `${renderTopology(topology, print, capabilities).join('\n')}\n`,
      );
    });
}

const list = (ids: readonly number[]): string => (ids.length === 0 ? 'none' : formatCpuList(ids));

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The terminal form of `autotune topology`: one string per line. */
export function renderTopology(t: Topology, print: Fingerprint, caps: Capabilities): string[] {
  const source = t.source.kind === 'live' ? 'this machine' : `snapshot at ${t.source.root}`;
  const threads = t.online.length;
  const lines = [
    `${t.cpuModel} (${source}, kernel ${t.kernel})`,
    `${t.packages.length} package(s), ${t.nodes.length} NUMA node(s)${t.numaSupported ? '' : ' (kernel without NUMA: one node assumed)'}, ` +
      `${t.cores.length} cores, ${threads} hardware threads; online ${list(t.online)}, offline ${list(t.offline)}`,
    '',
    ...renderNodes(t),
    '',
    'L3 domains:',
    ...(t.l3Domains.length === 0
      ? ['  unknown (no cache information)']
      : t.l3Domains.map((d) => `  L3 ${d.id}: ${d.sizeBytes === null ? 'size unknown' : bytes(d.sizeBytes)}, CPUs ${list(d.cpus)}`)),
    '',
    'NUMA distances:',
    ...renderDistances(t),
    '',
    ...renderAllowed(t),
    '',
    ...renderCapabilities(t, caps),
    '',
    `fingerprint ${print.hash} (${print.packages} packages, ${print.nodes} nodes, ${print.cores} cores, ${print.threads} threads, ` +
      `onnxruntime ${print.onnxruntimeVersion})`,
  ];
  if (t.warnings.length > 0) lines.push('', 'worked around:', ...t.warnings.map((w) => `  - ${w}`));
  return lines;
}

/** node -> package (and die, where a package has several) -> core -> hardware threads. */
function renderNodes(t: Topology): string[] {
  const allowed = new Set(t.allowed.cpus);
  const lines: string[] = [];
  for (const node of t.nodes) {
    const cores = t.cores.filter((c) => c.node === node.id);
    const kind = node.cpus.length === 0 ? ' (memory only)' : '';
    lines.push(`node ${node.id}${kind}: ${bytes(node.memBytes)}, CPUs ${list(node.cpus)}`);
    for (const pkg of t.packages.filter((p) => cores.some((c) => c.package === p.id))) {
      for (const die of pkg.dies) {
        const mine = cores.filter((c) => c.package === pkg.id && c.die === die);
        if (mine.length === 0) continue;
        lines.push(`  package ${pkg.id}${pkg.dies.length > 1 ? ` die ${die}` : ''}`);
        lines.push(...mine.map((core) => `    ${renderCore(core, allowed)}`));
      }
    }
  }
  return lines;
}

function renderCore(core: Core, allowed: Set<number>): string {
  const cluster = core.cluster === null ? '' : ` cluster ${core.cluster}`;
  const usable = core.cpus.filter((c) => allowed.has(c));
  const note =
    usable.length === core.cpus.length ? '' : usable.length === 0 ? ' (not allowed)' : ` (allowed: ${list(usable)})`;
  return `core ${core.coreId}${cluster}: threads ${core.cpus.join(', ')}${note}`;
}

function renderDistances(t: Topology): string[] {
  const width = Math.max(4, ...t.nodes.map((n) => `${n.id}`.length + 1));
  const cell = (s: string | number): string => `${s}`.padStart(width);
  return [
    `  ${cell('')}${t.nodes.map((n) => cell(n.id)).join('')}`,
    ...t.nodes.map((n) => `  ${cell(n.id)}${n.distances.map(cell).join('')}`),
  ];
}

/** What this process may use, and which limit (affinity, cgroup) makes it smaller than the machine. */
function renderAllowed(t: Topology): string[] {
  const { cpus, mems, affinity, cgroup } = t.allowed;
  const nodeIds = t.nodes.map((n) => n.id);
  const cpuLimits: string[] = [];
  if (t.online.some((c) => !affinity.includes(c))) cpuLimits.push(`affinity mask ${list(affinity)}`);
  if (cgroup && t.online.some((c) => !cgroup.cpus.includes(c))) {
    cpuLimits.push(`cgroup ${cgroup.version} cpuset ${list(cgroup.cpus)} (${cgroup.path})`);
  }
  const memLimits: string[] = [];
  if (cgroup && nodeIds.some((n) => !cgroup.mems.includes(n))) {
    memLimits.push(`cgroup ${cgroup.version} cpuset mems ${list(cgroup.mems)} (${cgroup.path})`);
  }
  const why = (limits: string[]): string => (limits.length === 0 ? 'no limit' : `limited by ${limits.join(' and ')}`);
  return [
    'allowed for this process:',
    `  CPUs ${list(cpus)} (${cpus.length} of ${t.online.length} online; ${why(cpuLimits)})`,
    `  memory nodes ${list(mems)} (${mems.length} of ${nodeIds.length}; ${why(memLimits)})`,
    `  cgroup: ${cgroup === null ? 'no cpuset found' : `${cgroup.version} at ${cgroup.path}`}`,
  ];
}

const CONSEQUENCES: Record<Exclude<keyof Capabilities, 'supported' | 'reason'>, [string, string]> = {
  affinity: ['CPU affinity', 'trials will run unpinned'],
  memPolicy: ['memory policy', 'trials will run with CPU pinning only'],
  getcpu: ['getcpu', 'the CPU each thread runs on cannot be checked'],
  movePages: ['page placement (move_pages)', 'where memory landed cannot be verified'],
  launcher: ['launcher', 'workers cannot be placed before they start'],
};

function renderCapabilities(t: Topology, caps: Capabilities): string[] {
  const title =
    t.source.kind === 'live'
      ? 'placement calls:'
      : 'placement calls (of this machine, where autotune runs; not of the snapshot):';
  if (!caps.supported) return [title, `  unavailable (${caps.reason ?? 'unsupported platform'}) — trials will run unpinned`];
  const line = (key: keyof typeof CONSEQUENCES, status: CapabilityStatus): string => {
    const [label, consequence] = CONSEQUENCES[key];
    return `  ${label}: ${status.ok ? 'ok' : `${status.detail} — ${consequence}`}`;
  };
  return [
    title,
    line('affinity', caps.affinity),
    line('memPolicy', caps.memPolicy),
    line('getcpu', caps.getcpu),
    line('movePages', caps.movePages),
    line('launcher', caps.launcher),
  ];
}
