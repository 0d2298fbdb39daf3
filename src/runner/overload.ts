/**
 * Overload is a verdict, not a number: when the offered rate is above what a configuration can
 * serve, the backlog grows for the whole window and its p99 measures only how long the window ran.
 * Both signs are required: less served than offered (beyond what is in flight at any moment), and a
 * backlog that grew over the window (a stable queue near saturation fluctuates, it does not climb).
 */
export interface BacklogSample {
  /** µs since the window's start. */
  atUs: number;
  /** Requests that have arrived and are not complete. */
  backlog: number;
}

export interface OverloadEvidence {
  samples: readonly BacklogSample[];
  /** Recorded requests scheduled so far (or in the whole window). */
  scheduled: number;
  /** Of those, how many have been served. */
  served: number;
  /** Requests the workers hold at once (P x batch): that much backlog is just service in progress. */
  inFlight: number;
}

export interface OverloadVerdict {
  overloaded: boolean;
  reason: string;
}

/** The least shortfall (fraction of offered requests not yet served) that can mean overload. */
const SHORTFALL = 0.03;

export function overloadVerdict(evidence: OverloadEvidence): OverloadVerdict {
  const { samples, scheduled, served, inFlight } = evidence;
  if (scheduled === 0 || samples.length < 3) return { overloaded: false, reason: 'too little of the window so far to judge overload' };
  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (part: readonly BacklogSample[]): number => part.reduce((sum, s) => sum + s.backlog, 0) / part.length;
  const early = mean(samples.slice(0, third));
  const late = mean(samples.slice(-third));
  const shortfall = 1 - served / scheduled;
  const percent = Math.round((served / scheduled) * 1000) / 10;
  const grew = `backlog ${Math.round(early)} -> ${Math.round(late)} requests`;
  const overloaded = shortfall > Math.max(SHORTFALL, (2 * inFlight) / scheduled) && late > early + inFlight;
  return {
    overloaded,
    reason: overloaded
      ? `served ${percent}% of the requests offered and the ${grew} kept growing`
      : `served ${percent}% of the requests offered, ${grew}`,
  };
}
