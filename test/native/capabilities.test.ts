import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import {
  getCpu,
  getMemPolicy,
  getThreadAffinity,
  launcherPath,
  pageNodes,
  probeCapabilities,
  setMemPolicy,
  setThreadAffinity,
  type CapabilityStatus,
} from '../../src/native/index.js';

/** What really happens when the call is made: the probe must agree with it. */
function outcome(call: () => unknown): { ok: boolean; errno: string | null } {
  try {
    call();
    return { ok: true, errno: null };
  } catch (e) {
    assert.ok(e instanceof AutotuneError, `a refusal must be an AutotuneError, got ${String(e)}`);
    return { ok: false, errno: e.errno ?? null };
  }
}

function agrees(status: CapabilityStatus, real: { ok: boolean; errno: string | null }, name: string): void {
  assert.equal(status.ok, real.ok, `${name}: probe says ${status.detail}`);
  assert.equal(status.errno, real.errno, name);
  if (!status.ok) assert.match(status.detail, new RegExp(`refused: ${status.errno}`), name);
}

test('the probe reports what the calls really do on this machine', () => {
  const caps = probeCapabilities();
  assert.equal(probeCapabilities(), caps, 'cached');
  assert.equal(caps.supported, process.platform === 'linux');
  assert.equal(caps.reason, null);

  agrees(caps.affinity, outcome(() => setThreadAffinity(getThreadAffinity())), 'affinity');
  agrees(caps.getcpu, outcome(() => getCpu()), 'getcpu');
  agrees(caps.movePages, outcome(() => pageNodes(new Uint8Array(8192).fill(1))), 'movePages');
  const before = getMemPolicy();
  agrees(caps.memPolicy, outcome(() => setMemPolicy('default', [])), 'memPolicy');
  assert.deepEqual(getMemPolicy(), before);

  let executable = true;
  try {
    accessSync(launcherPath(), constants.X_OK);
  } catch {
    executable = false;
  }
  assert.equal(caps.launcher.ok, executable);
  assert.ok(caps.launcher.detail.includes(launcherPath()));
});

test('this machine: every placement call works (no seccomp sandbox here)', () => {
  const caps = probeCapabilities();
  for (const name of ['affinity', 'memPolicy', 'getcpu', 'movePages', 'launcher'] as const) {
    assert.equal(caps[name].ok, true, `${name}: ${caps[name].detail}`);
    assert.equal(caps[name].errno, null);
  }
});
