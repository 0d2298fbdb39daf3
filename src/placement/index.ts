export { planPlacement } from './plan.js';
export { feasibility } from './feasibility.js';
export { usableCpuCount } from './hardware.js';
export { ortAffinities } from './affinities.js';
export * from './types.js';
