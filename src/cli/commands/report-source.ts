import { buildReport, selectStudy, type Report } from '../../report/index.js';
import type { Store } from '../../store/index.js';
import { fingerprint, onnxruntimeVersion } from '../../topology/fingerprint.js';
import { readTopology } from '../../topology/read-topology.js';
import type { Fingerprint } from '../../topology/types.js';

/** This machine's fingerprint, to tell whether a study ran here; null when it cannot be read. */
export function hereFingerprint(): Fingerprint | null {
  try {
    return fingerprint(readTopology(), onnxruntimeVersion());
  } catch {
    return null;
  }
}

/** The report of study `name` (null: the only or most recent one) in an open store. */
export function loadReport(store: Store, name: string | null, here: Fingerprint | null): Report {
  return buildReport(store, selectStudy(store, name), { here });
}
