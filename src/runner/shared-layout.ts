import type { Dispatch } from '../domain/results.js';
import type { ServeLayout } from './messages.js';

export { DISPATCHES, type Dispatch } from '../domain/results.js';

/**
 * The slots of an open-loop trial's shared counters: the window's cutoff and abandon flag, one
 * queue per arrival stream (one for shared dispatch, one per worker for split), and per worker the
 * requests it completed, recorded and saw over the SLO.
 */

/** Added to a queue's slot to close it: every later take() returns at least this. */
export const QUEUE_CLOSED = 2 ** 50;
/** The cutoff while a window runs: no arrival is that late. */
export const NO_CUTOFF = 2 ** 52;

const CUTOFF = 0;
const ABANDON = 1;
const QUEUES = 2;

export function sharedSlots(workers: number): number {
  // Room for split dispatch's queues whatever the window asks for.
  return QUEUES + workers + 3 * workers;
}

export function queueSlot(dispatch: Dispatch, worker: number): number {
  return QUEUES + (dispatch === 'shared' ? 0 : worker);
}

export function queueSlots(dispatch: Dispatch, workers: number): number[] {
  return Array.from({ length: dispatch === 'shared' ? 1 : workers }, (_, q) => QUEUES + q);
}

export function serveLayout(dispatch: Dispatch, workers: number, worker: number): ServeLayout {
  const own = QUEUES + workers + 3 * worker;
  return {
    queueSlot: queueSlot(dispatch, worker),
    cutoffSlot: CUTOFF,
    abandonSlot: ABANDON,
    completedSlot: own,
    recordedSlot: own + 1,
    exceedingSlot: own + 2,
  };
}
