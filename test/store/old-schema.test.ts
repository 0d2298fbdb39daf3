import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';

import { AXIS_NAMES } from '../../src/domain/axes.js';
import { buildReport, renderCsv, renderText, selectStudy } from '../../src/report/index.js';
import { openStore, SCHEMA_VERSION, type Store } from '../../src/store/index.js';
import { fixtureMachine, writeReportFixture } from '../fixtures/report/build-db.js';
import { copyAtOldSchema, tempDir } from './fixtures.js';

/** The axes a schema-4 file's configurations had; every later axis is absent from its JSON. */
const AXES_OF_SCHEMA_4 = ['processes', 'threads', 'numa', 'batch', 'smt', 'spinning'];

function withStores(fn: (current: Store, old: Store, oldPath: string) => void): void {
  const { dir, cleanup } = tempDir();
  try {
    const currentPath = join(dir, 'current.db');
    const oldPath = join(dir, 'old.db');
    writeReportFixture(currentPath);
    copyAtOldSchema(currentPath, oldPath, 4, AXIS_NAMES.filter((a) => !AXES_OF_SCHEMA_4.includes(a)));
    const current = openStore(currentPath);
    const old = openStore(oldPath);
    try {
      fn(current, old, oldPath);
    } finally {
      old.close();
      current.close();
    }
  } finally {
    cleanup();
  }
}

test('a database of schema 4 (per-axis columns) opens at the current schema, its trials reading back with later axes at their baseline', () => {
  withStores((current, old) => {
    assert.ok(SCHEMA_VERSION > 4, 'the fixture must be older than the current schema');
    const study = selectStudy(old, 'fixture');
    const trials = old.listTrials(study.id);
    assert.ok(trials.length > 5);
    // The fixture wrote every later axis at its baseline, so reading them back as absent must give the same records.
    assert.deepEqual(trials, current.listTrials(selectStudy(current, 'fixture').id));
    for (const t of trials) assert.deepEqual(Object.keys(t.config).sort(), [...AXIS_NAMES, 'baseline'].sort());
  });
});

test("an old study's report renders as the same text and CSV as when it was current", () => {
  withStores((current, old) => {
    const render = (store: Store) => {
      const report = buildReport(store, selectStudy(store, 'fixture'), { here: fixtureMachine });
      return { text: renderText(report), csv: renderCsv([report]) };
    };
    const before = render(current);
    const after = render(old);
    assert.match(after.text, /p1 t2 none b1 spin/);
    assert.deepEqual(after, before);
  });
});
