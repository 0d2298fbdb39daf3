export { LatencyHistogram, DEFAULT_SUB_BUCKETS } from './histogram.js';
export { summarize } from './summary.js';
export { quantileRanks, minSamplesForInterval, quantileInterval, TOO_FEW_SAMPLES } from './quantile-interval.js';
export { createSloTest, minRequestsToMeet, type SloVerdict, type SloTest, type SloTestOptions, type SloFinalVerdict } from './slo-test.js';
export { pairedRatio, MIN_PAIRS, type PairedRatio } from './paired.js';
export { isStable, p99CiSpread, formatSeconds, type StabilityVerdict } from './stability.js';
export { noiseReasons, workerDisagreement, WORKER_TPS_CV_LIMIT, type NoiseEvidence } from './noise.js';
export * from '../domain/latency.js';
export { comparePromise, type PromiseComparison, type PromiseVerdict, type RatioInterval } from './promise.js';
