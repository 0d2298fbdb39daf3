import type { UsableCore } from './hardware.js';

/**
 * The free CPUs of every usable core while a plan is built. Scopes are lists of core indices
 * (an L3 domain, a node, the whole machine) in placement order.
 */
export class CpuPool {
  private readonly free: number[][];
  /** Set once any refill happened: from then on workers share CPUs. */
  wrapped = false;

  constructor(private readonly cores: readonly UsableCore[]) {
    this.free = cores.map((c) => [...c.cpus]);
  }

  freeCount(scope: readonly number[]): number {
    let n = 0;
    for (const i of scope) n += this.free[i]!.length;
    return n;
  }

  /**
   * Takes `need` CPUs from the scope: whole free cores first, so one worker's threads share a core
   * with each other, and only then the leftover siblings of cores another worker already uses.
   * The caller guarantees the scope has `need` free CPUs.
   */
  take(scope: readonly number[], need: number): number[] {
    const out: number[] = [];
    const grab = (wholeOnly: boolean): void => {
      for (const i of scope) {
        if (out.length === need) return;
        const free = this.free[i]!;
        if (free.length === 0 || (wholeOnly && free.length < this.cores[i]!.cpus.length)) continue;
        out.push(...free.splice(0, need - out.length));
      }
    };
    grab(true);
    grab(false);
    if (out.length < need) throw new Error(`placement bug: scope had fewer than ${need} free CPUs`);
    return out;
  }

  /**
   * Takes `need` CPUs, starting the scope over (oversubscription) whenever it runs dry. The
   * worker's own CPUs stay out of a refill so it repeats a CPU only when it has more threads
   * than the scope has CPUs.
   */
  takeWrapping(scope: readonly number[], need: number): number[] {
    const out: number[] = [];
    while (out.length < need) {
      if (this.freeCount(scope) === 0) {
        this.refill(scope, new Set(out));
        if (this.freeCount(scope) === 0) this.refill(scope, new Set());
      }
      out.push(...this.take(scope, Math.min(need - out.length, this.freeCount(scope))));
    }
    return out;
  }

  refill(scope: readonly number[], keep: ReadonlySet<number>): void {
    this.wrapped = true;
    for (const i of scope) this.free[i] = this.cores[i]!.cpus.filter((cpu) => !keep.has(cpu));
  }
}
