export { LatencyHistogram, DEFAULT_SUB_BUCKETS } from './histogram.js';
export { summarize, quantileInterval, Z_95 } from './summary.js';
export { isStable, p99CiSpread, formatSeconds, type StabilityVerdict } from './stability.js';
export { noiseReasons, workerDisagreement, WORKER_TPS_CV_LIMIT, type NoiseEvidence } from './noise.js';
export * from './types.js';
