import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { parse as parseYaml } from 'yaml';

import { choose, deploymentName, DOCKER_NAME, instanceSuffix, KUBERNETES_NAME, SYSTEMD_NAME, type Chosen } from '../../src/export/index.js';
import { renderDocker, renderExportJson, renderKubernetes, renderShell, renderSystemd } from '../../src/export/index.js';
import { buildReport, renderCompareMarkdown, renderMarkdown, selectStudy } from '../../src/report/index.js';
import { openStore } from '../../src/store/index.js';
import { writeReportFixture } from '../fixtures/report/build-db.js';

const run = promisify(execFile);

/**
 * Study names as a database can hold them (tune refuses them, an edit or an older autotune need
 * not): each tries to end a comment or a directive and run a command, or to inject markup.
 */
const HOSTILE_NAMES = [
  'evil\ntouch PWNED-newline\n',
  'x\r\n[Unit]\nExecStartPre=/usr/bin/touch /tmp/PWNED',
  '$(touch PWNED-subst)',
  '`touch PWNED-backtick`',
  "quote'; touch PWNED-quote; '",
  '<script>alert(1)</script><img src=x onerror=alert(2)>',
  '%n %i $HOME ${X} \\',
  'line\u2028separator\u0085next\u0000nul',
  'Ünïcode Name WITH spaces',
  'n'.repeat(300),
  '---',
];

/** Commands a user could pass as --command that break a format that embeds them raw. */
const HOSTILE_COMMANDS = [
  'true; touch PWNED-semicolon',
  'true\ntouch PWNED-newline',
  'true 100% $HOME ${AUTOTUNE_PORT} %i {port} {instance}',
  'true ; touch PWNED-lone-semicolon',
  'true trailing\\',
  'true $(touch PWNED-subst) `touch PWNED-tick`',
];

let dir: string;
/** One Chosen per hostile name: the knee of the report fixture with the study renamed. */
const chosen = new Map<string, Chosen>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-inject-'));
  for (const [i, name] of HOSTILE_NAMES.entries()) {
    const path = join(dir, `fixture-${i}.db`);
    writeReportFixture(path);
    const db = new Database(path);
    db.prepare("UPDATE studies SET name = ? WHERE name = 'fixture'").run(name);
    db.close();
    const store = openStore(path, { readonly: true });
    try {
      chosen.set(name, choose(store, buildReport(store, selectStudy(store, name), { here: null }), 'knee'));
    } finally {
      store.close();
    }
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh directory to run a generated script in; nothing but what the test put there may appear. */
function sandbox(): string {
  const at = mkdtempSync(join(dir, 'run-'));
  return at;
}

function pwned(at: string): string[] {
  return readdirSync(at).filter((f) => f.startsWith('PWNED'));
}

test('derived names are valid for each format, fit with the instance suffix, and differ between studies', () => {
  const rules = [KUBERNETES_NAME, DOCKER_NAME, SYSTEMD_NAME];
  const seen = new Map<string, Set<string>>(rules.map((r) => [r.format, new Set<string>()]));
  for (const name of [...HOSTILE_NAMES, 'plain', 'Plain', 'PLAIN', 'a.b_c', '']) {
    for (const rule of rules) {
      const derived = deploymentName(undefined, name, rule, instanceSuffix(12));
      assert.match(derived + instanceSuffix(12), rule.valid, `${rule.format}: ${JSON.stringify(derived)}`);
      assert.ok(derived.length + 3 <= rule.maxLength, `${rule.format}: ${derived.length}`);
      seen.get(rule.format)!.add(derived);
    }
  }
  for (const rule of rules) assert.equal(seen.get(rule.format)!.size, HOSTILE_NAMES.length + 5, rule.format);
  // A name that is valid as it is stays readable.
  assert.equal(deploymentName(undefined, 'night-run', KUBERNETES_NAME, '-1'), 'autotune-night-run');
  assert.throws(() => deploymentName('Bad_Name', 'x', KUBERNETES_NAME, '-1'), { message: /^--name Bad_Name: a kubernetes name takes lower-case letters/ });
  assert.throws(() => deploymentName('a\nb', 'x', SYSTEMD_NAME), (e: unknown) => e instanceof Error && e.message === '--name a\\nb: a systemd name takes letters, digits, \':\', \'_\', \'.\' and \'-\', at most 200 characters');
});

/**
 * A stand-in for `name` on PATH that records its argv in a file of its own (instances start
 * concurrently), NUL after each word; `log` returns the calls in the order of their first word.
 */
function recorder(name: string): { bin: string; log: (at: string) => string[][] } {
  const bin = join(dir, `fake-${name}`);
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, name), '#!/bin/sh\nprintf "%s\\0" "$@" > "$ARGV_LOG/argv.$$"\n');
  chmodSync(join(bin, name), 0o755);
  const log = (at: string): string[][] =>
    readdirSync(at)
      .filter((f) => f.startsWith('argv.'))
      .map((f) => readFileSync(join(at, f), 'utf8').split('\0').slice(0, -1))
      .sort((x, y) => x.join(' ').localeCompare(y.join(' ')));
  return { bin, log };
}

const expand = (command: string, i: number): string => command.replaceAll('{port}', String(9000 + i)).replaceAll('{instance}', String(i));

test('launch.sh: a hostile stored name runs nothing, and the script parses', () => {
  for (const [name, c] of chosen) {
    const at = sandbox();
    writeFileSync(join(at, 'launch.sh'), renderShell(c, { command: 'true', basePort: 9000 }));
    const syntax = spawnSync('bash', ['-n', 'launch.sh'], { cwd: at, encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
    const ran = spawnSync('bash', ['launch.sh'], { cwd: at, encoding: 'utf8', timeout: 20_000 });
    assert.equal(ran.status, 0, ran.stderr);
    assert.deepEqual(pwned(at), [], JSON.stringify(name));
  }
});

test('launch.sh: a hostile --command reaches the placed instance as one sh -c word, none of it runs in the script', () => {
  // numactl is replaced by a recorder, so whatever the script would run unplaced shows up as a file.
  const numactl = recorder('numactl');
  for (const command of HOSTILE_COMMANDS) {
    const at = sandbox();
    writeFileSync(join(at, 'launch.sh'), renderShell(chosen.get(HOSTILE_NAMES[0]!)!, { command, basePort: 9000 }));
    const ran = spawnSync('bash', ['launch.sh'], { cwd: at, encoding: 'utf8', env: { PATH: `${numactl.bin}:/usr/bin:/bin`, ARGV_LOG: at } });
    assert.equal(ran.status, 0, ran.stderr);
    assert.deepEqual(pwned(at), [], JSON.stringify(command));
    const calls = numactl.log(at);
    assert.deepEqual(calls, [0, 1].map((i) => [`--physcpubind=${i}`, '--membind=0', '--', '/bin/sh', '-c', `exec ${expand(command, i)}`]));
  }
});

test('docker-run.sh: docker gets exactly the intended argv, whatever the name and the command', () => {
  const docker = recorder('docker');
  for (const [name, c] of chosen) {
    for (const command of HOSTILE_COMMANDS) {
      const dockerName = deploymentName(undefined, name, DOCKER_NAME, instanceSuffix(2));
      const script = renderDocker(c, { image: 'registry/server:1', command, name: dockerName, basePort: 9000 });
      const at = sandbox();
      writeFileSync(join(at, 'docker-run.sh'), script);
      const ran = spawnSync('sh', ['docker-run.sh'], { cwd: at, encoding: 'utf8', env: { PATH: `${docker.bin}:/usr/bin:/bin`, ARGV_LOG: at } });
      assert.equal(ran.status, 0, ran.stderr);
      assert.deepEqual(pwned(at), []);
      const calls = docker.log(at);
      assert.equal(calls.length, 2);
      calls.forEach((argv, i) => {
        assert.deepEqual(argv.slice(0, 4), ['run', '-d', '--name', `${dockerName}-${i}`]);
        assert.deepEqual(argv.slice(-4), ['registry/server:1', '/bin/sh', '-c', `exec ${expand(command, i)}`]);
      });
    }
  }
});

test('systemd: the unit starts with its comments and [Unit], has one ExecStart, and passes systemd-analyze verify', async () => {
  const c = chosen.get(HOSTILE_NAMES[1]!)!;
  // systemd runs no shell: the first word must be a program, the rest are its arguments.
  for (const [n, command] of HOSTILE_COMMANDS.map((h) => `/bin/true ${h}`).entries()) {
    const name = deploymentName(undefined, HOSTILE_NAMES[1]!, SYSTEMD_NAME);
    const files = renderSystemd(c, { command, name, basePort: 9000 });
    const unit = files[0]!.content.split('\n');
    const firstSetting = unit.findIndex((l) => !l.startsWith('#'));
    assert.equal(unit[firstSetting], '[Unit]', files[0]!.content);
    const execs = unit.filter((l) => l.startsWith('ExecStart'));
    assert.equal(execs.length, 1);
    assert.ok(!unit.some((l) => l.startsWith('ExecStartPre')));
    assert.doesNotMatch(execs[0]!, /\n/);
    // Only the placeholders reach systemd as a specifier and a variable; the user's % and $ are literal.
    if (command.includes('%')) assert.ok(execs[0]!.includes('100%% $$HOME $${AUTOTUNE_PORT} %%i ${AUTOTUNE_PORT} %i'), execs[0]);
    const unitDir = join(dir, `systemd-${n}`);
    for (const f of files) {
      mkdirSync(join(unitDir, f.path, '..'), { recursive: true });
      writeFileSync(join(unitDir, f.path), f.content);
    }
    const { stderr } = await run('systemd-analyze', ['verify', '--man=no', join(unitDir, `${name}@0.service`)]);
    assert.equal(stderr.trim(), '', `${JSON.stringify(command)}: ${stderr}`);
  }
});

test('kubernetes: object names are DNS-1123 labels of at most 63 characters, the study and command survive exactly', () => {
  for (const [name, c] of chosen) {
    const command = HOSTILE_COMMANDS[1]!;
    const podName = deploymentName(undefined, name, KUBERNETES_NAME, instanceSuffix(2));
    const pod = parseYaml(renderKubernetes(c, { image: 'registry/server:1', command, name: podName, basePort: 9000 })) as {
      metadata: { name: string; annotations: Record<string, string> };
      spec: { containers: Array<{ name: string; command: string[] }> };
    };
    for (const object of [pod.metadata.name, ...pod.spec.containers.map((x) => x.name)]) {
      assert.match(object, KUBERNETES_NAME.valid);
      assert.ok(object.length <= 63, object);
    }
    assert.equal(pod.metadata.annotations['autotune/study'], name);
    assert.deepEqual(pod.spec.containers[1]!.command, ['/bin/sh', '-c', 'exec true\ntouch PWNED-newline']);
  }
});

test('every comment header stays comments: a stored name cannot end one and start a line of its own', () => {
  for (const [name, c] of chosen) {
    const docker = renderDocker(c, { image: 'i', command: null, name: 'n', basePort: 1 }).split('\n');
    assert.deepEqual(docker.slice(0, 5).map((l) => l.startsWith('#')), [true, true, true, true, false], JSON.stringify(name));
    const shell = renderShell(c, { command: null, basePort: 1 }).split('\n');
    assert.ok(shell.slice(0, 6).every((l) => l.startsWith('#')) && shell[6] === 'set -euo pipefail', JSON.stringify(name));
    const json = JSON.parse(renderExportJson(c)) as { study: string };
    assert.equal(json.study, name);
  }
});

test('markdown reports pass no raw HTML through and keep the heading on one line', () => {
  for (const [i, name] of HOSTILE_NAMES.entries()) {
    const store = openStore(join(dir, `fixture-${i}.db`), { readonly: true });
    try {
      const report = buildReport(store, selectStudy(store, name), { here: null });
      for (const md of [renderMarkdown(report), renderCompareMarkdown([report, report])]) {
        assert.doesNotMatch(md, /<[a-z/!]/i, JSON.stringify(name));
        const heading = md.split('\n')[0]!;
        assert.match(heading, /^# autotune (report|comparison): /);
        assert.equal(md.split('\n')[1], '', 'the heading is one line');
      }
    } finally {
      store.close();
    }
  }
  assert.equal(existsSync(join(dir, 'PWNED')), false);
});

test('systemd: a model path with quotes, specifiers, a backslash and a newline stays one Environment= line per variable and verifies', async () => {
  const base = chosen.get(HOSTILE_NAMES[8]!)!;
  const model = '/srv/my "models"/100%/a\\b/$HOME\nExecStartPre=/usr/bin/touch /tmp/PWNED.onnx';
  const c: Chosen = { ...base, result: { ...base.result, model: { ...base.result.model, path: model } } };
  const files = renderSystemd(c, { command: '/bin/true', name: 'model-path', basePort: 9000 });
  for (const dropIn of files.slice(1)) {
    const lines = dropIn.content.trimEnd().split('\n');
    assert.ok(!lines.some((l) => l.startsWith('ExecStartPre')), dropIn.content);
    const model = lines.filter((l) => l.startsWith('Environment="AUTOTUNE_MODEL='));
    assert.deepEqual(model, ['Environment="AUTOTUNE_MODEL=/srv/my \\"models\\"/100%%/a\\\\b/$HOME\\x0aExecStartPre=/usr/bin/touch /tmp/PWNED.onnx"']);
    assert.ok(lines.slice(1).every((l) => /^(CPUAffinity|NUMAPolicy|NUMAMask|Environment)=/.test(l)), dropIn.content);
  }
  const unitDir = join(dir, 'systemd-model-path');
  for (const f of files) {
    mkdirSync(join(unitDir, f.path, '..'), { recursive: true });
    writeFileSync(join(unitDir, f.path), f.content);
  }
  const { stderr } = await run('systemd-analyze', ['verify', '--man=no', join(unitDir, 'model-path@0.service')]);
  assert.equal(stderr.trim(), '');
});
