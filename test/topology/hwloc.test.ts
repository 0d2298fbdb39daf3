import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import test from 'node:test';
import { parseCpuMask } from '../../src/topology/cpulist.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { fixture } from './helpers.js';

/**
 * Debian's hwloc reads the same fixture trees (HWLOC_FSROOT) and is the outside reference: its
 * packages, NUMA nodes (memory included), cores and PUs must be ours. CI installs hwloc-nox
 * (.ci/run), so there a missing lstopo is a failure, not a skip.
 */
const LSTOPO = 'lstopo-no-graphics';

function lstopoXml(root: string): string | null {
  try {
    return execFileSync(LSTOPO, ['--of', 'xml'], {
      env: { ...process.env, HWLOC_FSROOT: root, HWLOC_COMPONENTS: 'linux,stop' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

interface HwlocObject {
  type: string;
  osIndex: number;
  cpus: number[];
  memory: number | null;
}

function objects(xml: string, type: string): HwlocObject[] {
  return [...xml.matchAll(new RegExp(`<object type="${type}"[^>]*>`, 'g'))]
    .map(([tag]) => {
      const attr = (name: string): string | undefined => new RegExp(` ${name}="([^"]*)"`).exec(tag)?.[1];
      const memory = attr('local_memory');
      return {
        type,
        osIndex: Number(attr('os_index')),
        // hwloc writes 0x-prefixed 32-bit words, most significant first: the kernel's mask format.
        cpus: parseCpuMask((attr('cpuset') ?? '').replace(/0x/g, '')),
        memory: memory === undefined ? null : Number(memory),
      };
    })
    .sort((a, b) => a.osIndex - b.osIndex);
}

function numaLatency(xml: string): number[] {
  const block = /<distances2 type="NUMANode"[^>]*name="NUMALatency"[^>]*>([\s\S]*?)<\/distances2>/.exec(xml)?.[1] ?? '';
  return [...block.matchAll(/<u64values[^>]*>([^<]*)<\/u64values>/g)].flatMap((m) => m[1]!.trim().split(/\s+/).map(Number));
}

for (const name of ['two-socket-smt', 'snc-4node', 'offline-cpus', 'sparse-nodes', 'vm-2cpu']) {
  test(`${name}: packages, NUMA nodes, cores and PUs agree with hwloc's lstopo`, (t) => {
    const xml = lstopoXml(fixture(name));
    if (xml === null) {
      assert.notEqual(process.env.CI, 'true', `${LSTOPO} is missing in CI: .ci/run must install hwloc-nox`);
      t.skip(`${LSTOPO} is not installed (apt-get install hwloc-nox)`);
      return;
    }
    const topo = readTopology({ sysfsRoot: fixture(name) });
    assert.deepEqual(
      objects(xml, 'Package').map((o) => [o.osIndex, o.cpus]),
      topo.packages.map((p) => [p.id, p.cpus]),
    );
    assert.deepEqual(
      objects(xml, 'NUMANode').map((o) => [o.osIndex, o.memory]),
      topo.nodes.map((n) => [n.id, n.memBytes]),
    );
    assert.deepEqual(
      objects(xml, 'Core')
        .map((o) => o.cpus)
        .sort((a, b) => a[0]! - b[0]!),
      topo.cores.map((c) => c.cpus),
    );
    assert.deepEqual(
      objects(xml, 'PU').map((o) => o.osIndex),
      topo.online,
    );
    if (topo.nodes.length > 1) assert.deepEqual(numaLatency(xml), topo.nodes.flatMap((n) => n.distances));
  });
}
