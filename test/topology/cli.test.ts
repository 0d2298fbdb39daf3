import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import test from 'node:test';
import { renderTopology } from '../../src/cli/commands/topology.js';
import { fingerprint } from '../../src/topology/fingerprint.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { fixture, repoRoot } from './helpers.js';

function autotune(...args: string[]) {
  const r = spawnSync(process.execPath, [`${repoRoot}bin/autotune.js`, 'topology', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('autotune topology --json prints { topology, fingerprint, capabilities }', () => {
  const r = autotune('--sysfs-root', fixture('sparse-nodes'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['topology', 'fingerprint', 'capabilities']);
  assert.deepEqual(out.topology, JSON.parse(JSON.stringify(readTopology({ sysfsRoot: fixture('sparse-nodes') }))));
  const print = out.fingerprint as Record<string, unknown>;
  assert.deepEqual([print.packages, print.nodes, print.cores, print.threads], [2, 5, 16, 16]);
  const caps = out.capabilities as Record<string, { ok: boolean; errno: string | null; detail: string }> & { supported: boolean };
  assert.equal(typeof caps.supported, 'boolean');
  for (const key of ['affinity', 'memPolicy', 'getcpu', 'movePages', 'launcher']) {
    assert.equal(typeof caps[key]?.ok, 'boolean', key);
    assert.equal(typeof caps[key]?.detail, 'string', key);
  }
});

test('autotune topology shows the tree: nodes, packages, cores, threads, L3, distances, limits, fingerprint', () => {
  const r = autotune('--sysfs-root', fixture('container-cgroup2'));
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const at = (text: string): number => {
    const i = lines.findIndex((l) => l.includes(text));
    assert.ok(i >= 0, `output has "${text}":\n${r.stdout}`);
    return i;
  };
  assert.ok(at('node 0: 62.6 GiB, CPUs 0-7,16-23') < at('  package 0'));
  assert.ok(at('  package 0') < at('    core 0: threads 0, 16 (not allowed)'));
  at('    core 4: threads 4, 20');
  at('    core 7: threads 7, 23 (allowed: 23)');
  at('  L3 1: 24.8 MiB, CPUs 8-15,24-31');
  assert.match(lines[at('NUMA distances:') + 2]!, /^\s+0\s+10\s+21$/);
  at('CPUs 4-6,20-23 (7 of 32 online; limited by affinity mask 4-6,20-23 and cgroup v2 cpuset 4-7,20-23 (/run/k8s/cgroup2/kubepods/burstable/pod42/ctr))');
  at('memory nodes 0 (1 of 2; limited by cgroup v2 cpuset mems 0');
  at('placement calls (of this machine, where autotune runs; not of the snapshot):');
  assert.match(r.stdout, /^fingerprint [0-9a-f]{16} \(2 packages, 2 nodes, 16 cores, 32 threads, onnxruntime /m);
});

test('autotune topology says what it worked around', () => {
  const r = autotune('--sysfs-root', fixture('no-numa'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kernel without NUMA: one node assumed/);
  assert.match(r.stdout, /worked around:\n {2}- no NUMA information/);
});

test('autotune topology on a bad root exits 3 with one line on stderr and nothing on stdout', () => {
  const r = autotune('--sysfs-root', '/nonexistent/snapshot');
  assert.equal(r.code, 3);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  assert.match(r.stderr, /^autotune: no CPU topology under \/nonexistent\/snapshot: expected /);
});

test('autotune topology on a malformed list exits 3 with one line', () => {
  const r = autotune('--sysfs-root', `${repoRoot}test/fixtures/sysfs/bad-list`);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  assert.match(r.stderr, /^autotune: .*cpu\/online "0-" is malformed at "0-"/);
});

test('refused placement calls are said plainly, with what trials do instead', () => {
  const t = readTopology({ sysfsRoot: fixture('two-socket-smt') });
  const ok = { ok: true, errno: null, detail: 'works' };
  const refused = (what: string) => ({ ok: false, errno: 'EPERM', detail: `${what} is refused: EPERM (seccomp without CAP_SYS_NICE)` });
  const lines = renderTopology(t, fingerprint(t, '1.30.0'), {
    supported: true,
    reason: null,
    affinity: ok,
    memPolicy: refused('set_mempolicy'),
    getcpu: ok,
    movePages: refused('move_pages'),
    launcher: ok,
  });
  assert.ok(lines.includes('  CPU affinity: ok'), lines.join('\n'));
  assert.ok(
    lines.includes('  memory policy: set_mempolicy is refused: EPERM (seccomp without CAP_SYS_NICE) — trials will run with CPU pinning only'),
    lines.join('\n'),
  );
  assert.ok(lines.some((l) => /move_pages is refused: EPERM .* — where memory landed cannot be verified$/.test(l)));

  const off = { ok: false, errno: null, detail: 'darwin has no CPU affinity calls' };
  const unsupported = renderTopology(t, fingerprint(t, '1.30.0'), {
    supported: false,
    reason: 'darwin has no CPU affinity calls',
    affinity: off,
    memPolicy: off,
    getcpu: off,
    movePages: off,
    launcher: off,
  });
  assert.ok(unsupported.includes('  unavailable (darwin has no CPU affinity calls) — trials will run unpinned'));
});
