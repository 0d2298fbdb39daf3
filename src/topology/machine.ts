import type { FsReader } from './reader.js';

/** /proc/cpuinfo keys naming the CPU, by architecture: x86, older ARM, MIPS, POWER, RISC-V, s390. */
const MODEL_KEYS = ['model name', 'Processor', 'cpu model', 'cpu', 'uarch', 'machine'];

export function readCpuModel(fs: FsReader): string {
  const fields = new Map<string, string>();
  for (const line of (fs.text(fs.proc('cpuinfo')) ?? '').split('\n')) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (m && !fields.has(m[1]!)) fields.set(m[1]!, m[2]!.trim());
  }
  for (const key of MODEL_KEYS) {
    const value = fields.get(key);
    if (value) return value;
  }
  // arm64 names no model, only the implementer and part numbers.
  const implementer = fields.get('CPU implementer');
  const part = fields.get('CPU part');
  if (implementer && part) return `CPU implementer ${implementer} part ${part}`;
  return 'unknown';
}

export function readKernel(fs: FsReader): string {
  return fs.text(fs.proc('sys', 'kernel', 'osrelease')) || 'unknown';
}
