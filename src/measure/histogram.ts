import { AutotuneError } from '../errors.js';
import type { HistogramSnapshot } from '../domain/latency.js';

/**
 * Buckets cover [2^MIN_EXPONENT, 2^MAX_EXPONENT) µs, about 1 ns to 12 days; values outside land in
 * the first or last bucket (min and max stay exact). Each power of two [2^k, 2^(k+1)) is split into
 * `subBuckets` equal sub-buckets, so a bucket is at most 1/subBuckets of its lower edge wide at
 * every scale. A bucket's index is k * subBuckets + sub (negative below 1 µs): it names the same
 * range in every process and every version, which is what lets snapshots merge and be stored.
 */
const MIN_EXPONENT = -10;
const MAX_EXPONENT = 40;
const MIN_US = 2 ** MIN_EXPONENT;
const MAX_US = 2 ** MAX_EXPONENT;
const POW2 = Float64Array.from({ length: MAX_EXPONENT - MIN_EXPONENT + 1 }, (_, i) => 2 ** (MIN_EXPONENT + i));

// The binary exponent of a double read from its bits: exact, and several times cheaper than
// Math.log2 in the hot loop. The high 32-bit word's position depends on the byte order.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

export const DEFAULT_SUB_BUCKETS = 128;

/**
 * Latency histogram in the HDR style: log-linear buckets with a bounded relative error, cheap to
 * record into (no allocation: it runs in every worker's measured loop) and mergeable across workers.
 */
export class LatencyHistogram {
  readonly subBuckets: number;
  private readonly counts: Float64Array;
  private total = 0;
  private minUs = Infinity;
  private maxUs = -Infinity;
  private sumUs = 0;
  private sumSquaresUs = 0;

  constructor(subBuckets = DEFAULT_SUB_BUCKETS) {
    if (!Number.isInteger(subBuckets) || subBuckets < 1 || subBuckets > 1 << 16) {
      throw new AutotuneError('usage', `histogram sub-buckets must be a whole number from 1 to 65536, got ${subBuckets}`);
    }
    this.subBuckets = subBuckets;
    this.counts = new Float64Array((MAX_EXPONENT - MIN_EXPONENT) * subBuckets);
  }

  get count(): number {
    return this.total;
  }

  record(us: number): void {
    if (!(us >= 0 && us < Infinity)) {
      throw new AutotuneError('trial', `a latency must be a finite number of microseconds >= 0, got ${us}`);
    }
    this.counts[this.denseIndex(us)]!++;
    this.total++;
    this.sumUs += us;
    this.sumSquaresUs += us * us;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  recordMs(ms: number): void {
    this.record(ms * 1000);
  }

  merge(other: LatencyHistogram | HistogramSnapshot): void {
    const snapshot = other instanceof LatencyHistogram ? other.snapshot() : other;
    if (snapshot.subBuckets !== this.subBuckets) {
      throw new AutotuneError('input', `cannot merge a histogram of ${snapshot.subBuckets} sub-buckets into one of ${this.subBuckets}`);
    }
    const offset = MIN_EXPONENT * this.subBuckets;
    for (const [index, count] of snapshot.counts) this.counts[index - offset]! += count;
    if (snapshot.total === 0) return;
    this.total += snapshot.total;
    this.sumUs += snapshot.sumUs;
    this.sumSquaresUs += snapshot.sumSquaresUs;
    this.minUs = Math.min(this.minUs, snapshot.minUs);
    this.maxUs = Math.max(this.maxUs, snapshot.maxUs);
  }

  /** Sparse and JSON-safe (an empty histogram reports min and max 0). */
  snapshot(): HistogramSnapshot {
    const counts: Array<[number, number]> = [];
    const offset = MIN_EXPONENT * this.subBuckets;
    this.counts.forEach((count, dense) => {
      if (count > 0) counts.push([dense + offset, count]);
    });
    const empty = this.total === 0;
    return {
      unit: 'us',
      subBuckets: this.subBuckets,
      counts,
      total: this.total,
      minUs: empty ? 0 : this.minUs,
      maxUs: empty ? 0 : this.maxUs,
      sumUs: this.sumUs,
      sumSquaresUs: this.sumSquaresUs,
    };
  }

  /** Rebuilds a histogram from a snapshot that may come from another process or the database. */
  static fromSnapshot(snapshot: HistogramSnapshot): LatencyHistogram {
    const invalid = (why: string): AutotuneError => new AutotuneError('input', `latency histogram snapshot is invalid: ${why}`);
    if (snapshot.unit !== 'us') throw invalid(`unit "${String(snapshot.unit)}" is not "us"`);
    const histogram = new LatencyHistogram(snapshot.subBuckets);
    const lowest = MIN_EXPONENT * snapshot.subBuckets;
    const highest = MAX_EXPONENT * snapshot.subBuckets;
    let sum = 0;
    let previous = -Infinity;
    for (const [index, count] of snapshot.counts) {
      if (!Number.isInteger(index) || index < lowest || index >= highest) throw invalid(`bucket ${index} is outside ${lowest}..${highest - 1}`);
      if (index <= previous) throw invalid('buckets are not in ascending order');
      if (!Number.isInteger(count) || count < 1) throw invalid(`bucket ${index} has count ${count}`);
      previous = index;
      sum += count;
    }
    if (sum !== snapshot.total) throw invalid(`bucket counts add up to ${sum}, not the total ${snapshot.total}`);
    if (sum > 0 && !(snapshot.minUs <= snapshot.maxUs)) throw invalid(`min ${snapshot.minUs} exceeds max ${snapshot.maxUs}`);
    histogram.merge(snapshot);
    return histogram;
  }

  /** The q-quantile (0..1) in µs by nearest rank: the representative value of its bucket. */
  percentile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new AutotuneError('usage', `a percentile must be a fraction from 0 to 1, got ${q}`);
    // The tiny shrink keeps q * n from rounding up past an exact integer rank (0.99 * 100 = 99.00000000000001).
    return this.valueAtRank(Math.max(1, Math.ceil(q * this.total * (1 - 1e-12))));
  }

  /**
   * The value of the rank-th smallest recording (1-based) in µs: the middle of its bucket, clamped
   * to the exact min and max, so it is within half a bucket (< 1/(2 * subBuckets)) of the truth.
   */
  valueAtRank(rank: number): number {
    const dense = this.denseAtRank(rank);
    if (dense === 'min') return this.minUs;
    if (dense === 'max') return this.maxUs;
    return this.clamp(this.bucketEdge(dense, 0.5));
  }

  /** The range [low, high] µs that surely holds the rank-th smallest recording: its bucket's edges. */
  boundsAtRank(rank: number): [number, number] {
    const dense = this.denseAtRank(rank);
    if (dense === 'min') return [this.minUs, this.minUs];
    if (dense === 'max') return [this.maxUs, this.maxUs];
    return [this.clamp(this.bucketEdge(dense, 0)), this.clamp(this.bucketEdge(dense, 1))];
  }

  private denseAtRank(rank: number): number | 'min' | 'max' {
    if (this.total === 0) throw new AutotuneError('trial', 'no latencies were recorded: no inference finished in the measured window');
    if (rank <= 1) return 'min';
    if (rank >= this.total) return 'max';
    let seen = 0;
    for (let dense = 0; dense < this.counts.length; dense++) {
      seen += this.counts[dense]!;
      if (seen >= rank) return dense;
    }
    return 'max';
  }

  private clamp(us: number): number {
    return Math.min(this.maxUs, Math.max(this.minUs, us));
  }

  private denseIndex(us: number): number {
    const s = this.subBuckets;
    if (us < MIN_US) return 0;
    if (us >= MAX_US) return this.counts.length - 1;
    F64[0] = us;
    const k = ((U32[HIGH_WORD]! >>> 20) & 0x7ff) - 1023 - MIN_EXPONENT;
    const sub = Math.min(s - 1, Math.floor((us / POW2[k]! - 1) * s));
    return k * s + sub;
  }

  /** A point of bucket `dense`: fraction 0 is its lower edge, 0.5 its middle, 1 its upper edge. */
  private bucketEdge(dense: number, fraction: number): number {
    const s = this.subBuckets;
    const k = Math.floor(dense / s);
    return POW2[k]! * (1 + (dense - k * s + fraction) / s);
  }
}
