// The import graph keeps ARCHITECTURE.md's layering: dependencies point downwards only,
// `app/` is the composition root that no layer imports, `draw/` stands alone (an outsider
// builds a verifier from it), and no file imports itself back through a cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What each layer may import besides itself. Roots (app, bench, bin, server.ts) are absent
 * from every list, so nothing below imports them; tests may import anything.
 */
const ALLOWED: Record<string, readonly string[]> = {
  app: ['rooms', 'actors', 'ledger', 'games', 'draw', 'core'],
  rooms: ['actors', 'ledger', 'games', 'draw', 'core'],
  actors: ['ledger', 'games', 'draw', 'core'],
  ledger: ['games', 'core'],
  games: ['core'],
  draw: [],
  core: [],
  // The browser clients bundle draw/'s verifier, core's codes and the jurisdiction table
  // (config/, data); the server never imports them.
  web: ['draw', 'core', 'config'],
  bench: ['app', 'rooms', 'actors', 'ledger', 'games', 'draw', 'core', 'test'],
};
/** Imports of these layers from these must be `import type` (ledger uses games' types only). */
const TYPE_ONLY: Record<string, readonly string[]> = { ledger: ['games'] };

interface Edge { from: string; to: string; typeOnly: boolean }

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'data' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function layerOf(file: string): string {
  const rel = relative(ROOT, file);
  return rel.includes('/') ? rel.split('/')[0] : rel;
}

function edgesOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const edges: Edge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    edges.push({ from: file, to: resolve(dirname(file), specifier), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!clause.namedBindings
        && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0
        && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
      && node.arguments.length > 0 && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

const files = sourceFiles(ROOT).filter((f) => layerOf(f) !== 'test');
const edges = files.flatMap(edgesOf);

t.test('every relative import resolves to a file of ours', async (t) => {
  // Styles and data the web clients import are files too (Vite bundles them).
  const known = new Set([...sourceFiles(ROOT), ...edges.filter((e) => /\.(css|json)$/.test(e.to) && statSync(e.to, { throwIfNoEntry: false })).map((e) => e.to)]);
  const missing = edges.filter((e) => !known.has(e.to)).map((e) => `${relative(ROOT, e.from)} -> ${relative(ROOT, e.to)}`);
  t.same(missing, []);
});

t.test('dependencies point downwards only', async (t) => {
  t.ok(files.length > 50, `found ${files.length} source files`);
  const upward: string[] = [];
  const typeOnly: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (from === to) continue;
    const allowed = ALLOWED[from];
    if (!allowed?.includes(to) && from !== 'server.ts') {
      upward.push(`${relative(ROOT, e.from)} -> ${relative(ROOT, e.to)}`);
    }
    if (TYPE_ONLY[from]?.includes(to) && !e.typeOnly) typeOnly.push(`${relative(ROOT, e.from)} -> ${relative(ROOT, e.to)}`);
  }
  t.same(upward, [], 'no import runs upward or into the composition root');
  t.same(typeOnly, [], 'ledger takes only types from games');
});

t.test('no import cycles between files', async (t) => {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (e.typeOnly) continue; // a type-only import is erased; it cannot cycle at run time
    graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const walk = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...path.slice(path.indexOf(node)), node].map((p) => relative(ROOT, p)).join(' -> '));
      return;
    }
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) walk(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const file of files) walk(file, []);
  t.same(cycles, []);
});
