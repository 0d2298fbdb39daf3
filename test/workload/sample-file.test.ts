import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { after } from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import { loadSampleInputs } from '../../src/workload/index.js';

const dir = mkdtempSync(join(tmpdir(), 'autotune-sample-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('a valid sample file loads as written', () => {
  const path = file('ok.json', '{"x": {"dims": [1, 2], "data": [0.5, 1]}, "sr": {"dims": [], "data": ["16000"]}}');
  assert.deepEqual(loadSampleInputs(path), { x: { dims: [1, 2], data: [0.5, 1] }, sr: { dims: [], data: ['16000'] } });
});

const broken: [string, string, RegExp][] = [
  ['missing.json', '', /sample-input file .*missing\.json not found: check the path/],
  ['syntax.json', '{"x": ', /is not valid JSON: /],
  ['shape.json', '{"x": {"dims": [1.5], "data": [1]}}', /at x\.dims\.0: .*expected \{"NAME": \{"dims"/],
  ['extra.json', '{"x": {"dims": [1], "data": [1], "type": "f"}}', /at x: /],
  ['count.json', '{"x": {"dims": [2, 2], "data": [1, 2, 3]}}', /input "x" has dims \[2,2\] \(4 values\) but 3 values in data/],
];
for (const [name, text, message] of broken) {
  test(`sample file ${name} gives a one-line input error`, () => {
    const path = name === 'missing.json' ? join(dir, name) : file(name, text);
    assert.throws(() => loadSampleInputs(path), (e: unknown) => {
      assert.ok(e instanceof AutotuneError);
      assert.equal(e.kind, 'input');
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });
}
