import { AutotuneError } from '../errors.js';
import { LatencyHistogram } from './histogram.js';
import { pairedRatio, type PairedRatio } from './paired.js';
import { quantileInterval } from './quantile-interval.js';
import type { HistogramSnapshot } from '../domain/latency.js';

/**
 * Delivered service against a measured promise, each as a ratio with an interval that holds at the
 * stated confidence, and a verdict only where the gap is larger than both measurements' spread.
 *
 * p99: the delivered and the promised p99 each get a distribution-free order-statistic interval at
 * 1 - alpha/2; when both hold (probability >= 1 - alpha, Bonferroni, whatever the dependence), the
 * true ratio lies in [delivered low / promised high, delivered high / promised low]. Throughput:
 * responses per interval over the requests the offered rate brings in one, summarised by the
 * median ratio with pairedRatio's interval (sign test from 6 intervals).
 *
 * The p99 interval is conservative: simulated with the same log-normal on both sides
 * (test/measure/promise.test.ts), it held 1 in 100% / 99.9% / 100% of 1000 runs at 500 / 2000 /
 * 10000 latencies a side. A gap it calls is real; a gap of a few percent goes unreported.
 */

export type PromiseVerdict = 'kept' | 'better' | 'missed' | 'undecided';

export interface RatioInterval {
  /** Delivered over promised. */
  ratio: number;
  ci: [number, number] | null;
  /** How the interval was made, with its confidence. */
  method: string;
}

export interface PromiseComparison {
  confidence: number;
  deliveredP99Ms: number;
  deliveredP99Ci: [number, number] | null;
  promisedP99Ms: number;
  promisedP99Ci: [number, number] | null;
  p99: RatioInterval;
  throughput: RatioInterval;
  verdict: PromiseVerdict;
  /** One line that says why. */
  reason: string;
}

export interface PromiseInputs {
  delivered: HistogramSnapshot;
  /** The window of the capacity search at the promised rate. */
  promised: HistogramSnapshot;
  /** Responses per interval, and the arrivals the offered rate brings in one. */
  intervals: ReadonlyArray<{ completed: number; expected: number }>;
  /** Requests that failed: any failure breaks the promise, whatever the latencies say. */
  failed: number;
  confidence?: number;
}

const ms = (us: number): number => us / 1000;

export function comparePromise(inputs: PromiseInputs): PromiseComparison {
  const confidence = inputs.confidence ?? 0.95;
  if (inputs.delivered.total === 0) throw new AutotuneError('trial', 'no request was answered: nothing to compare with the promise; check that the servers answer POST /infer');
  if (inputs.promised.total === 0) throw new AutotuneError('input', 'the promised window holds no latencies: re-run the serving phase of the study');
  const each = 1 - (1 - confidence) / 2;
  const percent = (c: number): string => `${Number((c * 100).toPrecision(6))}%`;
  const delivered = LatencyHistogram.fromSnapshot(inputs.delivered);
  const promised = LatencyHistogram.fromSnapshot(inputs.promised);
  const dP99 = delivered.percentile(0.99);
  const pP99 = promised.percentile(0.99);
  const dCi = quantileInterval(delivered, 0.99, each);
  const pCi = quantileInterval(promised, 0.99, each);
  const p99: RatioInterval = {
    ratio: dP99 / pP99,
    ci: dCi === null || pCi === null ? null : [dCi[0] / pCi[1], dCi[1] / Math.max(pCi[0], Number.MIN_VALUE)],
    method:
      dCi === null || pCi === null
        ? `too few latencies for a ${percent(each)} interval of p99 on ${dCi === null ? 'the delivered' : 'the promised'} side`
        : `${percent(confidence)} (Bonferroni: both p99s' ${percent(each)} order-statistic intervals, distribution-free)`,
  };
  const throughput = throughputRatio(inputs.intervals, confidence);
  const stalled = inputs.intervals.filter((i) => i.completed === 0).length;
  const { verdict, reason } = judge(p99, throughput, inputs.failed, stalled);
  return {
    confidence,
    deliveredP99Ms: ms(dP99),
    deliveredP99Ci: dCi === null ? null : [ms(dCi[0]), ms(dCi[1])],
    promisedP99Ms: ms(pP99),
    promisedP99Ci: pCi === null ? null : [ms(pCi[0]), ms(pCi[1])],
    p99,
    throughput,
    verdict,
    reason,
  };
}

function throughputRatio(intervals: PromiseInputs['intervals'], confidence: number): RatioInterval {
  const ratios = intervals.map((i) => i.completed / i.expected);
  if (ratios.length === 0) return { ratio: 0, ci: null, method: 'no interval was measured' };
  if (ratios.some((r) => !(r > 0))) {
    const sorted = [...ratios].sort((a, b) => a - b);
    return { ratio: sorted[Math.floor(sorted.length / 2)]!, ci: null, method: 'an interval completed no request: no ratio interval' };
  }
  const summary: PairedRatio = pairedRatio(ratios, confidence);
  return { ratio: summary.median, ci: summary.ci, method: `${summary.method}, over ${summary.n} intervals` };
}

function judge(p99: RatioInterval, throughput: RatioInterval, failed: number, stalled: number): { verdict: PromiseVerdict; reason: string } {
  const x = (r: number): string => `${r.toFixed(2)}x`;
  if (failed > 0) return { verdict: 'missed', reason: `${failed} request(s) failed` };
  if (throughput.ci !== null && throughput.ci[1] < 1) {
    return { verdict: 'missed', reason: `throughput is ${x(throughput.ratio)} the offered rate, below it beyond the measurement's spread` };
  }
  if (stalled > 0) return { verdict: 'missed', reason: `${stalled} interval(s) completed no request at all` };
  if (p99.ci === null || throughput.ci === null) return { verdict: 'undecided', reason: 'too few measurements for an interval: run verify for longer' };
  if (p99.ci[0] > 1) return { verdict: 'missed', reason: `p99 is ${x(p99.ratio)} the promised p99, above it beyond both measurements' spread` };
  if (p99.ci[1] < 1) return { verdict: 'better', reason: `p99 is ${x(p99.ratio)} the promised p99, below it beyond both measurements' spread` };
  return { verdict: 'kept', reason: `p99 (${x(p99.ratio)}) and throughput (${x(throughput.ratio)}) are within the measurements' spread of the promise` };
}
