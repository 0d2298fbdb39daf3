import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

import { choose, type Chosen } from '../../src/export/index.js';
import { buildReport, selectStudy } from '../../src/report/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { fixtureMachine, writeReportFixture } from '../fixtures/report/build-db.js';

/**
 * The report fixture opened read-only for a test file's lifetime, with its knee pick (two
 * processes, CPU 0 and CPU 1, memory bound to node 0). Read the fields inside tests, after `before` ran.
 */
export function kneeFixture(prefix: string): { dir: string; store: Store; knee: Chosen } {
  const state = {} as { dir: string; store: Store; knee: Chosen };
  before(() => {
    state.dir = mkdtempSync(join(tmpdir(), prefix));
    writeReportFixture(join(state.dir, 'fixture.db'));
    state.store = openStore(join(state.dir, 'fixture.db'), { readonly: true });
    state.knee = choose(state.store, buildReport(state.store, selectStudy(state.store, 'fixture'), { here: fixtureMachine }), 'knee');
  });
  after(() => {
    state.store.close();
    rmSync(state.dir, { recursive: true, force: true });
  });
  return state;
}
