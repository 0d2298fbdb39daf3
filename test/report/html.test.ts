import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

import { buildReport, renderHtml, selectStudy } from '../../src/report/index.js';
import { openStore } from '../../src/store/index.js';
import { fixtureMachine, writeReportFixture } from '../fixtures/report/build-db.js';

const run = promisify(execFile);

test('the HTML report is one offline file whose charts are inline SVG, and headless Chromium renders it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-html-'));
  try {
    writeReportFixture(join(dir, 'fixture.db'));
    const store = openStore(join(dir, 'fixture.db'), { readonly: true });
    const reports = ['fixture', 'strict'].map((name) => buildReport(store, selectStudy(store, name), { here: fixtureMachine }));
    store.close();
    const html = await renderHtml(reports.slice(0, 1));
    assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org)/, 'no script, stylesheet link or remote resource');
    const scatter = /<div class="chart" id="scatter">(<svg[\s\S]*?<\/svg>)<\/div>/.exec(html)?.[1];
    assert.ok(scatter !== undefined, 'the p99-vs-TPS scatter is inline SVG');
    // One symbol per configuration (vega draws points as paths in a mark-symbol group).
    const symbols = /<g class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(scatter)?.[1] ?? '';
    assert.equal((symbols.match(/<path /g) ?? []).length, reports[0]!.points.length);
    assert.match(scatter, /mark-rule/, 'the SLO line');
    assert.match(scatter, />SLO</);
    assert.ok((html.match(/<svg /g) ?? []).length >= 1 + 4, 'scatter plus a chart per varied parameter');

    const compared = await renderHtml(reports);
    assert.match(compared, /<h2>fixture<\/h2>[\s\S]*<h2>strict<\/h2>/);

    const file = join(dir, 'report.html');
    const shot = join(dir, 'shot.png');
    writeFileSync(file, html);
    await run(
      'chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, `--screenshot=${shot}`, '--window-size=1200,900', pathToFileURL(file).href],
      { timeout: 60_000 },
    );
    const png = readFileSync(shot);
    assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    assert.ok(statSync(shot).size > 20_000, 'a screenshot with content, not a blank page');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
