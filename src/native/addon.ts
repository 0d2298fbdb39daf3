import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutotuneError } from '../errors.js';

/** What build/Release/affinity.node exports on Linux (native/affinity.cc). */
export interface LinuxAddon {
  supported: true;
  mpol: { default: number; preferred: number; bind: number; interleave: number; local: number };
  mpolFlagsMemsAllowed: number;
  getAffinity(tid: number): number[];
  setAffinity(tid: number, cpus: number[]): void;
  getMemPolicy(flags: number): { mode: number; nodes: number[] };
  setMemPolicy(mode: number, nodes: number[]): void;
  getCpu(): { cpu: number; node: number };
  pageNodes(view: Uint8Array): number[];
  gettid(): number;
  createSharedMemory(bytes: number): { fd: number; buffer: ArrayBuffer };
  mapSharedMemory(fd: number, bytes: number): ArrayBuffer;
  atomicAdd(buffer: ArrayBuffer, slot: number, delta: number): number;
  atomicCompareExchange(buffer: ArrayBuffer, slot: number, expected: number, desired: number): boolean;
  atomicLoad(buffer: ArrayBuffer, slot: number): number;
  atomicStore(buffer: ArrayBuffer, slot: number, value: number): void;
  sleepUntil(ns: bigint): void;
  setTimerSlack(ns: number): void;
}

export type AddonState = { ok: true; addon: LinuxAddon } | { ok: false; reason: string };

/**
 * The package root, found by walking up from this file so the same code works from src/ under a
 * loader and from dist/src/native/ after a build.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new AutotuneError('system', `no package.json above ${fileURLToPath(import.meta.url)}: the autotune install is incomplete`);
    dir = parent;
  }
  return dir;
}

let state: AddonState | undefined;

/** Loads the addon once; a failure is remembered as a reason, never thrown. */
export function addonState(): AddonState {
  if (state !== undefined) return state;
  let path = 'build/Release/affinity.node';
  try {
    const root = packageRoot();
    path = join(root, path);
    const loaded = createRequire(join(root, 'package.json'))(path) as { supported: boolean };
    state = loaded.supported
      ? { ok: true, addon: loaded as LinuxAddon }
      : { ok: false, reason: `${process.platform} has no CPU affinity or NUMA memory-policy calls; autotune runs unpinned` };
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    state = { ok: false, reason: `the native module ${path} did not load (${why}); run npm run install to build it` };
  }
  return state;
}

/** The addon, or an AutotuneError saying why `action` cannot be done here. */
export function requireAddon(action: string): LinuxAddon {
  const s = addonState();
  if (!s.ok) throw new AutotuneError('system', `cannot ${action}: ${s.reason}`);
  return s.addon;
}
