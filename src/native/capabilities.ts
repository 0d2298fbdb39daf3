import { accessSync, constants } from 'node:fs';
import { addonState, type LinuxAddon } from './addon.js';
import { launcherPath } from './launcher.js';
import { errnoHint, syscallFailure, type Subject } from './syscall-error.js';

export interface CapabilityStatus {
  ok: boolean;
  /** errno name of the refusal (EPERM under a seccomp sandbox), null when it worked or never ran. */
  errno: string | null;
  detail: string;
}

export interface Capabilities {
  /** False on non-Linux or when the addon failed to load. */
  supported: boolean;
  /** Why unsupported, one line. */
  reason: string | null;
  /** sched_{get,set}affinity */
  affinity: CapabilityStatus;
  /** get/set_mempolicy (Docker seccomp without CAP_SYS_NICE: EPERM) */
  memPolicy: CapabilityStatus;
  getcpu: CapabilityStatus;
  /** move_pages (Docker seccomp: always EPERM) */
  movePages: CapabilityStatus;
  /** The launcher binary exists and is executable. */
  launcher: CapabilityStatus;
}

/**
 * Runs `call` for real; works or reports the refusal. Each probe writes back what it read, so the
 * calling thread's placement is unchanged afterwards.
 */
function attempt(works: string, subject: Subject, name: string, call: () => void): CapabilityStatus {
  try {
    call();
    return { ok: true, errno: null, detail: works };
  } catch (e) {
    const failure = syscallFailure(e);
    if (failure === null) {
      return { ok: false, errno: null, detail: `${name} failed: ${e instanceof Error ? e.message : String(e)}` };
    }
    return { ok: false, errno: failure.errno, detail: `${name} is refused: ${failure.errno} (${errnoHint(failure, subject)})` };
  }
}

function probeLauncher(): CapabilityStatus {
  let file = 'build/Release/autotune-launch';
  try {
    file = launcherPath();
    accessSync(file, constants.X_OK);
    return { ok: true, errno: null, detail: `${file} is ready` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? null;
    return { ok: false, errno: code, detail: `${file} is missing or not executable; run npm run install to build it` };
  }
}

function probeCalls(addon: LinuxAddon): Omit<Capabilities, 'supported' | 'reason' | 'launcher'> {
  return {
    affinity: attempt('CPU affinity can be read and set', 'thread', 'sched_setaffinity', () => {
      addon.setAffinity(0, addon.getAffinity(0));
    }),
    memPolicy: attempt('memory policy can be read and set', 'memory', 'set_mempolicy', () => {
      const { mode, nodes } = addon.getMemPolicy(0);
      addon.setMemPolicy(mode, nodes);
    }),
    getcpu: attempt('the current CPU and node can be read', 'thread', 'getcpu', () => {
      addon.getCpu();
    }),
    movePages: attempt('the node of each memory page can be read', 'pages', 'move_pages', () => {
      addon.pageNodes(new Uint8Array(4096).fill(1));
    }),
  };
}

let cached: Capabilities | undefined;

/** Which placement calls work here, found by making each of them once. Cached; never throws. */
export function probeCapabilities(): Capabilities {
  if (cached !== undefined) return cached;
  const state = addonState();
  const launcher = probeLauncher();
  if (!state.ok) {
    const off: CapabilityStatus = { ok: false, errno: null, detail: state.reason };
    cached = { supported: false, reason: state.reason, affinity: off, memPolicy: off, getcpu: off, movePages: off, launcher };
  } else {
    cached = { supported: true, reason: null, ...probeCalls(state.addon), launcher };
  }
  return cached;
}
