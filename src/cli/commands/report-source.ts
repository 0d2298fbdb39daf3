import { AutotuneError } from '../../errors.js';
import { choose, parsePick, type Chosen } from '../../export/index.js';
import { buildReport, selectStudy, type Report } from '../../report/index.js';
import { DEFAULT_DB_PATH, openStore, type Store } from '../../store/index.js';
import { isDecimal } from '../../study/flags.js';
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

/** `--base-port` of export and launch: instance i listens on base + i. */
export function parseBasePort(text: string): number {
  const basePort = Number(text);
  if (!isDecimal(text, { fraction: false }) || basePort < 1 || basePort > 65535) throw new AutotuneError('usage', `--base-port ${text}: expected a port number 1-65535`);
  return basePort;
}

/** The measured trial that `--pick` names in study `name` of database `db` (read-only). */
export function chooseTrial(db: string | undefined, name: string | null, pickText: string): Chosen {
  const pick = parsePick(pickText);
  const store = openStore(db ?? DEFAULT_DB_PATH, { readonly: true });
  try {
    return choose(store, loadReport(store, name, hereFingerprint()), pick);
  } finally {
    store.close();
  }
}
