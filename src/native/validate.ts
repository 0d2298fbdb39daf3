import { AutotuneError } from '../errors.js';
import type { MemPolicyMode } from '../domain/config.js';
import { formatCpuList } from '../topology/cpulist.js';

/** Largest ids accepted before asking the kernel; native/launcher.c uses the same bounds. */
export const MAX_CPU_ID = 4095;
export const MAX_NODE_ID = 1023;

/**
 * Checks a CPU or node list before it reaches a syscall, where a fraction or a negative number
 * would be silently truncated. Returns the ids ascending and deduplicated.
 */
export function checkIds(ids: readonly number[], kind: 'CPU' | 'node', action: string): number[] {
  const max = kind === 'CPU' ? MAX_CPU_ID : MAX_NODE_ID;
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new AutotuneError('usage', `cannot ${action}: the ${kind} list is empty; give at least one ${kind} id`);
  }
  const bad = ids.filter((id) => typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > max);
  if (bad.length > 0) {
    throw new AutotuneError(
      'usage',
      `cannot ${action} to ${kind}s ${bad.map(String).join(',')}: ${kind} ids must be integers from 0 to ${max}`,
    );
  }
  return [...new Set(ids)].sort((a, b) => a - b);
}

export function checkPid(pid: number, what: 'process' | 'thread', action: string): void {
  if (!Number.isInteger(pid) || pid <= 0 || pid > 0x3fffffff) {
    throw new AutotuneError('usage', `cannot ${action}: ${what} id ${String(pid)} is not a positive integer`);
  }
}

export const MEM_POLICY_MODES: readonly MemPolicyMode[] = ['default', 'bind', 'preferred', 'interleave', 'local'];

/**
 * Checks a memory policy and its nodes: bind and interleave need nodes, preferred exactly one,
 * default and local none. Returns the nodes ascending.
 */
export function checkMemPolicy(mode: MemPolicyMode, nodes: readonly number[], action: string): number[] {
  if (!MEM_POLICY_MODES.includes(mode)) {
    throw new AutotuneError('usage', `cannot ${action}: unknown memory policy "${String(mode)}"; use ${MEM_POLICY_MODES.join(', ')}`);
  }
  if (mode === 'default' || mode === 'local') {
    if (nodes.length > 0) {
      throw new AutotuneError('usage', `cannot ${action}: memory policy ${mode} takes no nodes, but nodes ${nodes.map(String).join(',')} were given`);
    }
    return [];
  }
  const ids = checkIds(nodes, 'node', action);
  if (mode === 'preferred' && ids.length !== 1) {
    throw new AutotuneError('usage', `cannot ${action}: memory policy preferred takes exactly one node, not nodes ${formatCpuList(ids)}; use bind or interleave for several`);
  }
  return ids;
}
