import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { fingerprint, onnxruntimeVersion } from '../../src/topology/fingerprint.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { fixture, repoRoot } from './helpers.js';

test('onnxruntimeVersion() is the installed onnxruntime-node version', () => {
  const pkg = JSON.parse(readFileSync(`${repoRoot}node_modules/onnxruntime-node/package.json`, 'utf8')) as { version: string };
  assert.equal(onnxruntimeVersion(), pkg.version);
});

test('fingerprint: counts of the machine and a 16-hex-digit sha256 over them and the layout', () => {
  const t = readTopology({ sysfsRoot: fixture('two-socket-smt') });
  const f = fingerprint(t, '1.30.0');
  const fields = {
    cpuModel: 'Intel(R) Xeon(R) Gold 6244 CPU @ 3.60GHz',
    packages: 2,
    nodes: 2,
    cores: 16,
    threads: 32,
    kernel: '6.1.0-18-amd64',
    onnxruntimeVersion: '1.30.0',
  };
  const layout = { nodes: t.nodes.map((n) => [n.id, n.cpus]), cores: t.cores.map((c) => c.cpus) };
  const hash = createHash('sha256').update(JSON.stringify({ fields, layout })).digest('hex').slice(0, 16);
  assert.deepEqual(f, { ...fields, hash });
  assert.match(f.hash, /^[0-9a-f]{16}$/);
});

test('fingerprint: same machine -> same hash whatever the container allows; other machine or runtime -> different', () => {
  const host = fingerprint(readTopology({ sysfsRoot: fixture('two-socket-smt') }), '1.30.0');
  const container = fingerprint(readTopology({ sysfsRoot: fixture('container-cgroup2') }), '1.30.0');
  const snc = fingerprint(readTopology({ sysfsRoot: fixture('snc-4node') }), '1.30.0');
  assert.equal(container.hash, host.hash);
  assert.notEqual(snc.hash, host.hash);
  assert.notEqual(fingerprint(readTopology({ sysfsRoot: fixture('two-socket-smt') }), '1.29.0').hash, host.hash);
  assert.equal(fingerprint(readTopology({ sysfsRoot: fixture('two-socket-smt') }), '1.30.0').hash, host.hash);
});
