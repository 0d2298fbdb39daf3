import { closeSync } from 'node:fs';
import { AutotuneError } from '../errors.js';
import { requireAddon, type LinuxAddon } from './addon.js';
import { raiseSyscallError } from './syscall-error.js';

/**
 * 64-bit counters in memory shared by the tuner and the worker processes of one open-loop trial.
 * Every access is one atomic instruction in the addon, so workers can take requests from one
 * arrival stream without a dispatcher process or an IPC round trip per request.
 */
export class SharedCounters {
  private constructor(
    private readonly addon: LinuxAddon,
    private readonly buffer: ArrayBuffer,
    readonly slots: number,
    /** The descriptor to hand to children; null once closed here, or in a process that only mapped it. */
    private fdToShare: number | null,
  ) {}

  /** New zeroed counters and a descriptor that children inherit (see `fd`). */
  static create(slots: number): SharedCounters {
    const addon = requireAddon('share counters with the workers of an open-loop trial');
    checkSlots(slots);
    try {
      const { fd, buffer } = addon.createSharedMemory(slots * 8);
      return new SharedCounters(addon, buffer, slots, fd);
    } catch (e) {
      return raiseSyscallError(e, 'create the shared counters of an open-loop trial', (f) => f.message);
    }
  }

  /** The counters another process created, from the descriptor it passed down. */
  static map(fd: number, slots: number): SharedCounters {
    const addon = requireAddon('map the shared counters of an open-loop trial');
    checkSlots(slots);
    try {
      return new SharedCounters(addon, addon.mapSharedMemory(fd, slots * 8), slots, null);
    } catch (e) {
      return raiseSyscallError(e, `map the shared counters of an open-loop trial from fd ${fd}`, (f) => f.message);
    }
  }

  get fd(): number {
    if (this.fdToShare === null) throw new AutotuneError('trial', 'the shared counters have no descriptor to pass on here');
    return this.fdToShare;
  }

  /** Closes the descriptor once every child has it; the mapping stays valid. */
  closeFd(): void {
    if (this.fdToShare === null) return;
    closeSync(this.fdToShare);
    this.fdToShare = null;
  }

  add(slot: number, delta: number): number {
    return this.addon.atomicAdd(this.buffer, this.check(slot), delta);
  }

  compareExchange(slot: number, expected: number, desired: number): boolean {
    return this.addon.atomicCompareExchange(this.buffer, this.check(slot), expected, desired);
  }

  load(slot: number): number {
    return this.addon.atomicLoad(this.buffer, this.check(slot));
  }

  store(slot: number, value: number): void {
    this.addon.atomicStore(this.buffer, this.check(slot), value);
  }

  private check(slot: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots) {
      throw new AutotuneError('trial', `shared counter slot ${slot} is outside 0..${this.slots - 1}`);
    }
    return slot;
  }
}

function checkSlots(slots: number): void {
  if (!Number.isInteger(slots) || slots < 1 || slots > 1 << 20) {
    throw new AutotuneError('trial', `shared counters need 1 to 1048576 slots, not ${slots}`);
  }
}

/** Blocks this thread until process.hrtime.bigint() reaches `ns` (hrtimer precision, not the event loop's ms). */
export function sleepUntil(ns: bigint): void {
  requireAddon('wait for a scheduled arrival').sleepUntil(ns);
}

/**
 * How late the kernel may wake this thread (default 50 µs): an open-loop worker waits for each
 * scheduled arrival, and the lateness of that wake-up would be charged to every request.
 */
export function setTimerSlack(ns: number): void {
  const addon = requireAddon('set the timer slack');
  try {
    addon.setTimerSlack(ns);
  } catch (e) {
    raiseSyscallError(e, `set the timer slack to ${ns} ns`, (f) => f.message);
  }
}
