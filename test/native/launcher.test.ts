import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { AutotuneError } from '../../src/errors.js';
import { launcherCommand, launcherPath } from '../../src/native/index.js';
import { formatCpuList } from '../../src/topology/cpulist.js';
import { missingCpu, missingNode, startCpus, statusField } from './helpers.js';

const wrapper = fileURLToPath(new URL('../../src/native/index.js', import.meta.url));
const lastCpu = startCpus().at(-1)!;
const mems = statusField('self', 'Mems_allowed_list');

function run(file: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the launcher places the command it execs: CPUs, cpuset view and memory policy', () => {
  const { file, args } = launcherCommand({ cpus: [lastCpu], memPolicy: 'bind', mems: [0] }, ['cat', '/proc/self/status', '/proc/self/numa_maps']);
  assert.equal(file, launcherPath());
  assert.deepEqual(args, ['--cpus', String(lastCpu), '--policy', 'bind', '--mems', '0', '--', 'cat', '/proc/self/status', '/proc/self/numa_maps']);
  const r = run(file, args);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Cpus_allowed_list:\\s+${lastCpu}$`, 'm'));
  assert.match(r.stdout, /^Mems_allowed_list:\s+0$/m);
  // numa_maps shows the task's policy on every mapping without one of its own.
  const policies = r.stdout.split('\n').filter((l) => /^[0-9a-f]+ /.test(l)).map((l) => l.split(' ')[1]);
  assert.ok(policies.length > 3);
  assert.deepEqual([...new Set(policies)], ['bind:0']);
});

test('a Node process started through the launcher is bound from its first thread on', () => {
  // Each thread's numa_maps shows that thread's own policy on mappings without one of their own.
  const script = `const fs = require('node:fs');
    const policies = fs.readdirSync('/proc/self/task').flatMap((t) => fs.readFileSync('/proc/self/task/' + t + '/numa_maps', 'utf8')
      .split('\\n').filter((l) => l !== '').map((l) => l.split(' ')[1]));
    import(${JSON.stringify(wrapper)}).then((n) => console.log(JSON.stringify({
      policy: n.getMemPolicy(), policies: [...new Set(policies)], threads: [...n.getProcessAffinity(process.pid).values()] })))`;
  const { file, args } = launcherCommand({ cpus: [lastCpu], memPolicy: 'bind', mems: [0] }, [process.execPath, '-e', script]);
  const r = run(file, args);
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { policy: unknown; policies: string[]; threads: number[][] };
  assert.deepEqual(seen.policy, { mode: 'bind', nodes: [0] });
  assert.deepEqual(seen.policies, ['bind:0'], 'every thread, V8 helpers included');
  assert.ok(seen.threads.length > 1);
  for (const cpus of seen.threads) assert.deepEqual(cpus, [lastCpu]);
});

test('a refused placement: exit 126 and one line naming what was refused', () => {
  const node = missingNode();
  const mem = run(...spread(launcherCommand({ cpus: null, memPolicy: 'bind', mems: [node] }, ['true'])));
  assert.equal(mem.status, 126);
  assert.equal(mem.stderr, `autotune-launch: cannot bind memory to nodes ${node}: EINVAL (not allowed here; this process may use nodes ${mems})\n`);

  const cpu = missingCpu();
  const pin = run(...spread(launcherCommand({ cpus: [startCpus()[0]!, cpu], memPolicy: 'default', mems: [] }, ['true'])));
  assert.equal(pin.status, 126);
  assert.equal(
    pin.stderr,
    `autotune-launch: cannot pin to CPUs ${startCpus()[0]},${cpu}: EINVAL (not allowed here; this process may use ${formatCpuList(startCpus())})\n`,
  );
});

test('a command that cannot run: exit 127 and one line', () => {
  const r = run(...spread(launcherCommand({ cpus: null, memPolicy: 'default', mems: [] }, ['autotune-no-such-command'])));
  assert.equal(r.status, 127);
  assert.equal(r.stderr, 'autotune-launch: cannot run autotune-no-such-command: ENOENT (No such file or directory)\n');
});

test('launcher usage errors: exit 2, one line', () => {
  for (const args of [['--cpus', '1-', '--', 'true'], ['--cpus', '3-1', '--', 'true'], ['--cpus', '0'], ['--policy', 'bind', '--', 'true'], ['--policy', 'membind', '--mems', '0', '--', 'true'], ['--bogus', 'x', '--', 'true']]) {
    const r = run(launcherPath(), args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^autotune-launch: [^\n]+; usage: autotune-launch [^\n]+\n$/, args.join(' '));
  }
});

test("Node's IPC channel passes through the launcher", async () => {
  const childScript = `process.on('message', (m) => { process.send({ echo: m, pid: process.pid }); process.disconnect(); });`;
  const { file, args } = launcherCommand({ cpus: [lastCpu], memPolicy: 'local', mems: [] }, [process.execPath, '-e', childScript]);
  assert.deepEqual(args.slice(0, 5), ['--cpus', String(lastCpu), '--policy', 'local', '--']);
  const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    child.send({ hello: 'worker' });
    const [reply] = (await once(child, 'message', { signal: AbortSignal.timeout(20_000) })) as [{ echo: unknown; pid: number }];
    assert.deepEqual(reply.echo, { hello: 'worker' });
    assert.equal(reply.pid, child.pid, 'exec keeps the pid, so the runner knows its worker');
    const [code] = (await once(child, 'exit', { signal: AbortSignal.timeout(20_000) })) as [number | null];
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('launcherCommand refuses bad placements before spawning anything', () => {
  const cases: [() => unknown, string][] = [
    [() => launcherCommand({ cpus: null, memPolicy: 'default', mems: [] }, []), 'cannot launch: no command given to run under the placement'],
    [() => launcherCommand({ cpus: [], memPolicy: 'default', mems: [] }, ['w']), 'cannot launch w pinned: the CPU list is empty; give at least one CPU id'],
    [() => launcherCommand({ cpus: [-1], memPolicy: 'default', mems: [] }, ['w']), 'cannot launch w pinned to CPUs -1: CPU ids must be integers from 0 to 4095'],
    [() => launcherCommand({ cpus: null, memPolicy: 'interleave', mems: [] }, ['w']), 'cannot launch w with memory policy interleave: the node list is empty; give at least one node id'],
    [() => launcherCommand({ cpus: null, memPolicy: 'default', mems: [0] }, ['w']), 'cannot launch w with memory policy default: memory policy default takes no nodes, but nodes 0 were given'],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (e: unknown) => e instanceof AutotuneError && e.kind === 'usage' && e.message === message);
  }
  assert.deepEqual(launcherCommand({ cpus: [3, 1, 2, 1], memPolicy: 'interleave', mems: [1, 0] }, ['w', '-x']).args, [
    '--cpus', '1-3', '--policy', 'interleave', '--mems', '0-1', '--', 'w', '-x',
  ]);
  assert.deepEqual(launcherCommand({ cpus: null, memPolicy: 'default', mems: [] }, ['w']).args, ['--', 'w']);
});

function spread(c: { file: string; args: string[] }): [string, string[]] {
  return [c.file, c.args];
}

/** Waits until process `pid` is gone (or a deadline passes) and says whether it went. */
async function gone(pid: number, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

test('--die-with-parent: the command gets SIGKILL when the process that started it is killed', async () => {
  // A shell starts the launcher with itself as the parent, reports the pid, then is killed with SIGKILL.
  const shell = spawn('/bin/sh', ['-c', `"${launcherPath()}" --die-with-parent $$ -- sleep 60 & echo $!; read never`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(shell.stdout, 'data')) as [Buffer];
  const pid = Number(line.toString().trim());
  // Wait until the launcher has armed the signal and exec'd the command.
  const deadline = Date.now() + 10_000;
  while (!statusField(String(pid), 'Name').startsWith('sleep') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(statusField(String(pid), 'Name'), 'sleep');
  shell.kill('SIGKILL');
  assert.equal(await gone(pid), true, 'the command died with its parent');
});

test('--die-with-parent: a parent already gone means the command never starts, and a bad pid is a usage error', () => {
  const orphan = spawnSync(launcherPath(), ['--die-with-parent', '999999999', '--', 'echo', 'started'], { encoding: 'utf8' });
  assert.equal(orphan.signal, 'SIGKILL');
  assert.equal(orphan.stdout, '');
  const bad = run(launcherPath(), ['--die-with-parent', '12x', '--', 'true']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^autotune-launch: --die-with-parent must be the pid of the parent process; usage: /);
  assert.deepEqual(launcherCommand({ cpus: null, memPolicy: 'default', mems: [] }, ['true'], { dieWithParent: 42 }).args, ['--die-with-parent', '42', '--', 'true']);
});
