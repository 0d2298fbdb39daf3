import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const builtSrc = fileURLToPath(new URL('../../src', import.meta.url));

test('without a built addon the wrapper loads, reports why, and refuses calls in one line', (t) => {
  // A package tree with the compiled code but no build/: what a failed `npm install` leaves behind.
  const root = mkdtempSync(join(tmpdir(), 'autotune-unbuilt-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(builtSrc, join(root, 'dist', 'src'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'autotune', type: 'module' }));
  const script = `import(${JSON.stringify(join(root, 'dist/src/native/index.js'))}).then((n) => {
    let refusal = null;
    try { n.setThreadAffinity([0]); } catch (e) { refusal = { name: e.name, kind: e.kind, message: e.message }; }
    console.log(JSON.stringify({ caps: n.probeCapabilities(), refusal }));
  })`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const { caps, refusal } = JSON.parse(r.stdout) as {
    caps: { supported: boolean; reason: string; affinity: { ok: boolean; detail: string }; launcher: { ok: boolean; detail: string } };
    refusal: { name: string; kind: string; message: string };
  };
  const addon = join(root, 'build/Release/affinity.node');
  assert.equal(caps.supported, false);
  assert.match(caps.reason, new RegExp(`^the native module ${addon} did not load \\(.+\\); run npm run install to build it$`));
  assert.equal(caps.affinity.ok, false);
  assert.equal(caps.affinity.detail, caps.reason);
  assert.equal(caps.launcher.ok, false);
  assert.equal(caps.launcher.detail, `${join(root, 'build/Release/autotune-launch')} is missing or not executable; run npm run install to build it`);
  assert.deepEqual(refusal, { name: 'AutotuneError', kind: 'system', message: `cannot pin a thread: ${caps.reason}` });
});
