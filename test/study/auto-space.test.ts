import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { buildReport } from '../../src/report/build.js';
import { renderText } from '../../src/report/render-text.js';
import { openStore } from '../../src/store/index.js';
import { runStudy } from '../../src/study/loop.js';
import { sparseNodes } from '../placement/topologies.js';
import { fakeMachine } from './fake-machine.js';
import { collect, tempDir, tinyStudy } from './helpers.js';

const cacheDir = tempDir();
const fast = fakeMachine({ perf: (c) => ({ tps: 1000 * c.processes, p99Ms: 2 }) });

test('auto is written out for the machine once: the study stores what it searched and what it left out, resumes without a changed definition, and the report says it', async () => {
  const dbPath = join(tempDir(), 'auto.db');
  const definition = tinyStudy({ name: 'auto-space', space: { processes: [1], threads: [1, 2], numa: 'auto', batch: [1], threadPlacement: 'auto' } });
  const first = collect();
  await runStudy({ definition, dbPath, cacheDir, dependencies: fast.dependencies, onEvent: first.listener });
  const started = first.events.find((e) => e.type === 'studyStarted');
  assert.ok(started?.type === 'studyStarted');
  // The fixture machine has one node and one L3 domain: only numa none and compact threads can matter.
  assert.deepEqual(
    started.study.leftOut.map((l) => `${l.axis} ${l.value}`),
    ['numa local', 'numa interleave', 'numa spread', 'numa preferred', 'threadPlacement scatter'],
  );
  assert.deepEqual(new Set(fast.runs.filter((c) => !c.baseline).map((c) => `${c.numa} ${c.threadPlacement}`)), new Set(['none compact']));

  const store = openStore(dbPath, { readonly: true });
  try {
    const study = store.getStudy('auto-space')!;
    const stored = study.definition as { space: Record<string, unknown>; leftOut: unknown[] };
    assert.deepEqual(stored.space['numa'], ['none']);
    assert.deepEqual(stored.space['threadPlacement'], ['compact']);
    assert.equal(stored.leftOut.length, 5);
    const text = renderText(buildReport(store, study, { here: null }));
    assert.match(text, /Left out of the space on this machine: numa local, interleave, spread, preferred \(one NUMA node here: [^)]+\); threadPlacement scatter \(one L3 domain here: [^)]+\)/);
  } finally {
    store.close();
  }

  const again = collect();
  await runStudy({ definition, dbPath, cacheDir, dependencies: fast.dependencies, onEvent: again.listener });
  const warnings = again.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
  assert.equal(warnings.filter((w) => /definition changed/.test(w)).length, 0, warnings.join('\n'));
});

test('on a machine with several L3 domains and nodes, auto keeps scatter and every numa policy', async () => {
  const dbPath = join(tempDir(), 'wide.db');
  const wide = fakeMachine({ perf: (c) => ({ tps: 1000 * c.processes, p99Ms: 2 }) });
  const definition = tinyStudy({ name: 'wide', space: { processes: [1], threads: [2], numa: 'auto', batch: [1], threadPlacement: 'auto' }, budget: { trials: 3 } });
  const events = collect();
  await runStudy({ definition, dbPath, cacheDir, dependencies: { ...wide.dependencies, readTopology: sparseNodes }, onEvent: events.listener });
  const started = events.events.find((e) => e.type === 'studyStarted');
  assert.ok(started?.type === 'studyStarted');
  assert.deepEqual(started.study.leftOut, []);
  assert.equal(started.study.spaceSize, 10);
});
