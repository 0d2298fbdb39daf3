import type { MemPolicyMode } from '../domain/config.js';
import { formatCpuList } from '../topology/cpulist.js';
import { requireAddon, type LinuxAddon } from './addon.js';
import { errnoHint, raiseSyscallError } from './syscall-error.js';
import { checkMemPolicy, MEM_POLICY_MODES } from './validate.js';

/** MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING, OR-ed into a reported mode. */
const MODE_FLAGS = (1 << 15) | (1 << 14) | (1 << 13);
/** Modes newer than the five autotune sets (uapi numbers, stable), named when a thread has them. */
const NEWER_MODES: Record<number, string> = { 5: 'preferred-many', 6: 'weighted-interleave' };

function describe(mode: MemPolicyMode, nodes: readonly number[]): string {
  const list = formatCpuList(nodes);
  switch (mode) {
    case 'bind':
      return `bind memory to nodes ${list}`;
    case 'preferred':
      return `prefer memory on node ${list}`;
    case 'interleave':
      return `interleave memory over nodes ${list}`;
    case 'local':
      return 'set a local memory policy';
    case 'default':
      return 'reset the memory policy to default';
  }
}

function allowedNodes(addon: LinuxAddon): string {
  try {
    return `nodes ${formatCpuList(addon.getMemPolicy(addon.mpolFlagsMemsAllowed).nodes)}`;
  } catch {
    return 'only the nodes of its cpuset';
  }
}

/**
 * Sets the memory policy of the calling thread only; threads created afterwards inherit it. To
 * place a whole Node process, start it through the launcher instead (see launcherCommand).
 */
export function setMemPolicy(mode: MemPolicyMode, nodes: number[]): void {
  const wanted = checkMemPolicy(mode, nodes, `set memory policy ${String(mode)}`);
  const action = describe(mode, wanted);
  const addon = requireAddon(action);
  try {
    addon.setMemPolicy(addon.mpol[mode], wanted);
  } catch (e) {
    raiseSyscallError(e, action, (f) =>
      f.errno === 'EINVAL' ? `not allowed here; this process may use ${allowedNodes(addon)}` : errnoHint(f, 'memory'),
    );
  }
}

/** The calling thread's memory policy; modes autotune does not set are returned by their kernel name. */
export function getMemPolicy(): { mode: MemPolicyMode | string; nodes: number[] } {
  const action = 'read the memory policy';
  const addon = requireAddon(action);
  let raw: { mode: number; nodes: number[] };
  try {
    raw = addon.getMemPolicy(0);
  } catch (e) {
    raiseSyscallError(e, action, (f) => errnoHint(f, 'memory'));
  }
  const base = raw.mode & ~MODE_FLAGS;
  // Older kernels report a local policy as preferred with no node.
  if (base === addon.mpol.preferred && raw.nodes.length === 0) return { mode: 'local', nodes: [] };
  const known = MEM_POLICY_MODES.find((m) => addon.mpol[m] === base);
  return { mode: known ?? NEWER_MODES[base] ?? `mode ${base}`, nodes: raw.nodes };
}

/**
 * The NUMA node of every page the view spans (move_pages with no target nodes only reports). A
 * negative entry is -errno for that page: -ENOENT (-2) when it was never touched.
 */
export function pageNodes(buffer: ArrayBufferView): number[] {
  const action = 'read which NUMA node each page is on';
  const addon = requireAddon(action);
  if (buffer.byteLength === 0) return [];
  try {
    return addon.pageNodes(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  } catch (e) {
    raiseSyscallError(e, action, (f) => errnoHint(f, 'pages'));
  }
}
