import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import test from 'node:test';
import ts from 'typescript';

/**
 * The layering of src/, read from the sources themselves: data flows one way,
 * cli -> ui -> study -> export -> report -> search/runner/store -> measure/placement/native/workload
 * -> topology (runtime, the servers' reader, sits beside measure), and every layer may import the vocabulary (domain) and the one error class.
 * A folder imports only folders of a lower rank: no upward import, and so no cycle.
 */
const RANKS: Record<string, number> = {
  errors: 0,
  domain: 1,
  topology: 2,
  measure: 3,
  placement: 3,
  native: 3,
  workload: 3,
  runtime: 3,
  runner: 4,
  search: 4,
  store: 4,
  report: 5,
  export: 6,
  study: 7,
  ui: 8,
  cli: 9,
};

// The test runs from dist/test; the sources it reads are the TypeScript ones.
const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const src = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `src/runner/trial.ts` -> `runner`; `src/errors.ts` -> `errors`. */
function folderOf(file: string): string {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? parts[0]!.replace(/\.tsx?$/, '') : parts[0]!;
}

interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

function folderEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sources(src)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const imported of info.importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), imported.fileName);
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) edges.push({ from, to, file: relative(root, file), specifier: imported.fileName });
    }
  }
  return edges;
}

const edges = folderEdges();

test('the import scan sees the layers it checks', () => {
  // A scan that found nothing would pass every check below.
  const seen = new Set(edges.flatMap((e) => [e.from, e.to]));
  for (const folder of ['cli', 'study', 'runner', 'store', 'search', 'domain', 'topology']) assert.ok(seen.has(folder), `no import of or from ${folder}`);
  assert.ok(edges.some((e) => e.from === 'cli' && e.to === 'study'));
});

test('every folder of src/ has a rank', () => {
  const unranked = [...new Set(sources(src).map(folderOf))].filter((f) => RANKS[f] === undefined);
  assert.deepEqual(unranked, [], `give these folders a rank in test/architecture.test.ts: ${unranked.join(', ')}`);
});

test('no folder imports a folder of its own rank or above', () => {
  const upward = edges
    .filter((e) => RANKS[e.from] !== undefined && RANKS[e.to] !== undefined && RANKS[e.to]! >= RANKS[e.from]!)
    .map((e) => `${e.file} (${e.from}) imports ${e.specifier} (${e.to})`);
  assert.deepEqual(upward, []);
});

test('no import cycle between folders', () => {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) graph.set(e.from, (graph.get(e.from) ?? new Set()).add(e.to));
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]): void => {
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), node, next].join(' -> '));
      else if (!state.has(next)) visit(next, [...path, node]);
    }
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node, []);
  assert.deepEqual(cycles, []);
});
