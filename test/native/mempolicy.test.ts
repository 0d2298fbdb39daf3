import assert from 'node:assert/strict';
import test from 'node:test';
import { AutotuneError } from '../../src/errors.js';
import { getMemPolicy, pageNodes, probeCapabilities, setMemPolicy } from '../../src/native/index.js';
import { missingNode, statusField, refusal } from './helpers.js';

const MB = 1 << 20;

/**
 * Where a sandbox refuses memory policy, the probe must say so and the call must be refused the
 * same way; returns true when that was the case (and asserted).
 */
function refusedAsReported(): boolean {
  const caps = probeCapabilities();
  if (caps.memPolicy.ok) return false;
  const e = refusal(() => setMemPolicy('bind', [0]));
  assert.equal(e.errno, caps.memPolicy.errno);
  assert.match(caps.memPolicy.detail, new RegExp(`set_mempolicy is refused: ${e.errno}`));
  return true;
}

test('bind to node 0: freshly touched pages land on node 0', () => {
  if (refusedAsReported()) return;
  assert.deepEqual(getMemPolicy(), { mode: 'default', nodes: [] });
  try {
    setMemPolicy('bind', [0]);
    assert.deepEqual(getMemPolicy(), { mode: 'bind', nodes: [0] });
    const buffer = new Uint8Array(new ArrayBuffer(16 * MB));
    const untouched = pageNodes(buffer);
    assert.ok(untouched.length >= (16 * MB) / 4096);
    // Never written, so mostly not present yet: -ENOENT. Proves pageNodes reports, not assumes.
    assert.ok(untouched.filter((n) => n === -2).length > untouched.length / 2, `untouched pages: ${[...new Set(untouched)].join(',')}`);
    buffer.fill(1);
    const touched = pageNodes(buffer);
    assert.equal(touched.length, untouched.length);
    assert.deepEqual([...new Set(touched)], [0]);
    // A view covers only its own pages: one byte is one page, two pages' worth spans two or three.
    assert.deepEqual(pageNodes(buffer.subarray(5000, 5001)), [0]);
    assert.ok([2, 3].includes(pageNodes(buffer.subarray(4096, 4096 * 3)).length));
  } finally {
    setMemPolicy('default', []);
  }
  assert.deepEqual(getMemPolicy(), { mode: 'default', nodes: [] });
});

test('every mode round-trips through get_mempolicy', () => {
  if (refusedAsReported()) return;
  try {
    for (const [mode, nodes] of [['bind', [0]], ['preferred', [0]], ['interleave', [0]], ['local', []]] as const) {
      setMemPolicy(mode, [...nodes]);
      assert.deepEqual(getMemPolicy(), { mode, nodes: [...nodes] });
    }
  } finally {
    setMemPolicy('default', []);
  }
  assert.deepEqual(getMemPolicy(), { mode: 'default', nodes: [] });
});

test('a node that does not exist: EINVAL naming it, not a crash, policy unchanged', () => {
  const node = missingNode();
  const e = refusal(() => setMemPolicy('bind', [node]));
  assert.equal(e.kind, 'system');
  assert.equal(e.errno, 'EINVAL');
  assert.equal(
    e.message,
    `cannot bind memory to nodes ${node}: EINVAL (not allowed here; this process may use nodes ${statusField('self', 'Mems_allowed_list')})`,
  );
  assert.deepEqual(getMemPolicy(), { mode: 'default', nodes: [] });
});

test('bad memory-policy input is refused before the kernel sees it', () => {
  const cases: [() => unknown, string][] = [
    [() => setMemPolicy('bind', []), 'cannot set memory policy bind: the node list is empty; give at least one node id'],
    [() => setMemPolicy('interleave', [0, 1024]), 'cannot set memory policy interleave to nodes 1024: node ids must be integers from 0 to 1023'],
    [() => setMemPolicy('bind', [0.5]), 'cannot set memory policy bind to nodes 0.5: node ids must be integers from 0 to 1023'],
    [() => setMemPolicy('local', [0]), 'cannot set memory policy local: memory policy local takes no nodes, but nodes 0 were given'],
    [
      () => setMemPolicy('preferred', [0, 1]),
      'cannot set memory policy preferred: memory policy preferred takes exactly one node, not nodes 0-1; use bind or interleave for several',
    ],
    [
      () => setMemPolicy('membind' as never, [0]),
      'cannot set memory policy membind: unknown memory policy "membind"; use default, bind, preferred, interleave, local',
    ],
  ];
  for (const [call, message] of cases) {
    const e = refusal(call);
    assert.equal(e.kind, 'usage');
    assert.equal(e.message, message);
  }
  assert.deepEqual(getMemPolicy(), { mode: 'default', nodes: [] });
});

test('an empty view has no pages', () => {
  assert.deepEqual(pageNodes(new Uint8Array(0)), []);
});
