/** The runner's public face: one trial of one configuration, measured for real. */
export { runTrial, type RunTrialOptions } from './trial.js';
export { pinningUnavailable } from './pinning.js';
export type * from './types.js';
