/** The runner's public face: one trial of one configuration, measured for real. */
export { runTrial, runServing, type RunTrialOptions, type ServingPlan, type ServingRequest } from './trial.js';
export { capacityOf, nextCapacityRate, stepMeets, type CapacitySearch } from './capacity.js';
export { ARRIVAL_PROCESSES, type ArrivalProcess } from './arrivals.js';
export { DISPATCHES, type Dispatch } from './shared-layout.js';
export { pinningUnavailable } from './pinning.js';
export type * from './types.js';
