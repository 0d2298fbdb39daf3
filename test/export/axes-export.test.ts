import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';

import type { TrialConfig } from '../../src/domain/config.js';
import { launchInstances, renderDocker, renderExportJson, renderKubernetes, renderShell, renderSystemd, type Chosen } from '../../src/export/index.js';
import { kneeFixture } from './knee-fixture.js';

/**
 * Every export format carries what the later axes set: the session axes as AUTOTUNE_* variables
 * (the names autotune/runtime reads) and, in the JSON, as the onnxruntime session options.
 */
const fixture = kneeFixture('autotune-axes-export-');

function tuned(over: Partial<TrialConfig>): Chosen {
  const { knee } = fixture;
  return { ...knee, result: { ...knee.result, config: { ...knee.result.config, ...over } } };
}

/** Every variable each format hands the first instance, as NAME=VALUE. */
function envOfEveryFormat(chosen: Chosen): Record<string, string[]> {
  const shell = renderShell(chosen, { command: 'serve', basePort: 9000 });
  const startLine = shell.split('\n').find((l) => l.startsWith('start 0 '))!;
  const systemd = renderSystemd(chosen, { command: '/bin/serve', name: 'infer', basePort: 9000 })[1]!.content;
  const docker = renderDocker(chosen, { image: 'img', command: 'serve', name: 'infer', basePort: 9000 }).split('\n').find((l) => l.startsWith('docker run'))!;
  const pod = parseYaml(renderKubernetes(chosen, { image: 'img', command: null, name: 'infer', basePort: 9000 })) as {
    spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> };
  };
  return {
    shell: [...startLine.matchAll(/'?(\w+=[^ ']*)'?/g)].map((m) => m[1]!),
    systemd: [...systemd.matchAll(/^Environment="([^"]+)"$/gm)].map((m) => m[1]!),
    docker: [...docker.matchAll(/-e (\S+)/g)].map((m) => m[1]!.replace(/^'|'$/g, '')),
    kubernetes: pod.spec.containers[0]!.env.map((e) => `${e.name}=${e.value}`),
  };
}

test('graph optimization and the CPU arena reach the shell, systemd, docker and kubernetes exports', () => {
  const formats = envOfEveryFormat(tuned({ graphOptimization: 'extended', cpuArena: false }));
  assert.deepEqual(Object.keys(formats), ['shell', 'systemd', 'docker', 'kubernetes']);
  for (const [format, env] of Object.entries(formats)) {
    assert.ok(env.includes('AUTOTUNE_GRAPH_OPTIMIZATION=extended'), `${format}: ${env.join(' ')}`);
    assert.ok(env.includes('AUTOTUNE_CPU_ARENA=0'), `${format}: ${env.join(' ')}`);
  }
});

test('the JSON export states graph optimization and the CPU arena as session options and in the label', () => {
  const doc = JSON.parse(renderExportJson(tuned({ graphOptimization: 'basic', cpuArena: false }))) as {
    label: string;
    config: TrialConfig;
    instances: Array<{ sessionOptions: { graphOptimizationLevel: string; enableCpuMemArena?: boolean } }>;
  };
  assert.match(doc.label, / opt:basic noarena$/);
  assert.equal(doc.config.graphOptimization, 'basic');
  for (const instance of doc.instances) {
    assert.equal(instance.sessionOptions.graphOptimizationLevel, 'basic');
    assert.equal(instance.sessionOptions.enableCpuMemArena, false);
  }
});

test('a preloaded allocator is LD_PRELOAD in every format, the JSON instances and the label; glibc adds none', () => {
  for (const [format, env] of Object.entries(envOfEveryFormat(tuned({ allocator: 'jemalloc' })))) {
    assert.deepEqual(env.filter((v) => v.startsWith('LD_PRELOAD=')), ['LD_PRELOAD=libjemalloc.so.2'], `${format}: ${env.join(' ')}`);
  }
  for (const [format, env] of Object.entries(envOfEveryFormat(tuned({ allocator: 'glibc' })))) {
    assert.ok(!env.some((v) => v.startsWith('LD_PRELOAD=')), `${format}: ${env.join(' ')}`);
  }
  const doc = JSON.parse(renderExportJson(tuned({ allocator: 'tcmalloc' }))) as { label: string; config: TrialConfig; instances: Array<{ env: Record<string, string> }> };
  assert.match(doc.label, / tcmalloc$/);
  assert.equal(doc.config.allocator, 'tcmalloc');
  assert.deepEqual(doc.instances.map((i) => i.env['LD_PRELOAD']), ['libtcmalloc_minimal.so.4', 'libtcmalloc_minimal.so.4']);
});

test('launch starts each instance with the allocator mapped', async () => {
  const launched = launchInstances(tuned({ allocator: 'jemalloc' }), ['sleep', '30'], { basePort: 9000, stdio: 'ignore', graceMs: 5000 });
  try {
    // The launcher execs the command once placed: read the maps of sleep, not of the launcher.
    for (const pid of launched.pids) {
      while (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep')) await new Promise((r) => setImmediate(r));
    }
    const mapped = launched.pids.map((pid) => /\/libjemalloc\.so\.2$/m.test(readFileSync(`/proc/${pid}/maps`, 'utf8')));
    assert.deepEqual(mapped, [true, true]);
  } finally {
    launched.stop('SIGKILL');
    await launched.exited;
  }
});
