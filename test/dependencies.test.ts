// package.json says exactly what runs: every package the server, the CLIs and the bin import
// at run time is a dependency, every dependency is imported at run time (or is the loader
// `npm start` names), and devDependencies are imported only by tests and benchmarks (or
// are the tools and types the scripts use). The web clients (web/) are bundled at build time
// into static files the server serves: their packages are devDependencies, like the tests'.
// Imports are read from the syntax tree, so a
// type-only import (erased when compiled) does not count as a run-time one.
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
const devDependencies = new Set(Object.keys(pkg.devDependencies ?? {}));
/** Folders and files that run in production; test/ and bench/ may use devDependencies too. */
const RUNTIME_ROOTS = ['server.ts', 'app', 'core', 'ledger', 'actors', 'rooms', 'games', 'draw', 'bin'];
const DEV_ROOTS = ['test', 'bench', 'web'];
/**
 * Packages we never import that a dependency imports when it loads. uwebsockets-express is an
 * optional peer of the uWS transport, which imports it at module load: without it that
 * import's rejection goes unhandled and the process exits before it serves anything.
 */
const LOADED_BY_DEPENDENCIES: Record<string, string> = { 'uwebsockets-express': '@colyseus/uwebsockets-transport' };

function sourceFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return /\.(ts|tsx|mts|mjs)$/.test(path) && !path.endsWith('.d.ts') ? [path] : [];
  return readdirSync(path)
    .filter((name) => name !== 'node_modules' && name !== 'dist' && !name.startsWith('.'))
    .flatMap((name) => sourceFiles(join(path, name)));
}

/** '@scope/name/sub.js' -> '@scope/name'; 'name/sub' -> 'name'; a builtin or a relative path -> undefined. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The packages a file loads when it runs: value imports, re-exports, import() and require() of a string. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !isTypeOnly(node.importClause)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      // import('x'), require('x'), createRequire(import.meta.url)('x')
      const callee = node.expression;
      const isLoader = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require') || ts.isCallExpression(callee);
      if (isLoader) found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.map(packageOf).filter((p): p is string => p !== undefined);
}

function isTypeOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false; // import 'x' runs x
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function importsUnder(roots: string[]): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  for (const file of roots.flatMap((r) => sourceFiles(join(ROOT, r)))) {
    for (const name of runtimeImports(file)) byPackage.set(name, [...(byPackage.get(name) ?? []), relative(ROOT, file)]);
  }
  return byPackage;
}

const runtime = importsUnder(RUNTIME_ROOTS);
const dev = importsUnder(DEV_ROOTS);

t.test('every package imported at run time is a dependency, not a devDependency', async (t) => {
  t.ok(runtime.size > 10, `found ${runtime.size} packages imported at run time`);
  for (const [name, files] of runtime) t.ok(dependencies.has(name), `${name} (imported by ${files[0]}) is in dependencies`);
});

t.test('every dependency runs: it is imported at run time, or is the loader npm start uses', async (t) => {
  const loaders = [...String(pkg.scripts.start).matchAll(/--import\s+(\S+)/g)].map((m) => m[1]);
  for (const name of dependencies) {
    const peerOf = LOADED_BY_DEPENDENCIES[name];
    t.ok(runtime.has(name) || loaders.includes(name) || peerOf !== undefined, `${name} is imported by the server, a CLI or the bin (or loaded by npm start or a dependency)`);
  }
});

t.test('a dependency listed because another loads it is that one\'s peer', async (t) => {
  for (const [name, by] of Object.entries(LOADED_BY_DEPENDENCIES)) {
    t.ok(dependencies.has(by), `${by} is a dependency`);
    const peers = JSON.parse(readFileSync(join(ROOT, 'node_modules', by, 'package.json'), 'utf8')).peerDependencies ?? {};
    t.ok(name in peers, `${by} declares ${name} as a peer`);
  }
});

t.test('tests and benchmarks import only what package.json lists', async (t) => {
  for (const [name, files] of dev) t.ok(dependencies.has(name) || devDependencies.has(name), `${name} (imported by ${files[0]}) is listed`);
});

t.test('every devDependency is used: imported by a test or benchmark, a tool the scripts run, or types of a listed package', async (t) => {
  const scripts = Object.values<string>(pkg.scripts).join(' ');
  const tools: Record<string, string> = { typescript: 'tsc', tap: 'tap', vite: 'vite' };
  for (const name of devDependencies) {
    const typesOf = name.startsWith('@types/') ? name.slice('@types/'.length) : undefined;
    const used = dev.has(name) || (tools[name] !== undefined && new RegExp(`\\b${tools[name]}\\b`).test(scripts)) || (typesOf !== undefined && (typesOf === 'node' || dependencies.has(typesOf)));
    t.ok(used, `${name} is used`);
  }
});

t.test('the uWebSockets.js alias is pinned in dependencies and overrides alike (ARCHITECTURE.md)', async (t) => {
  t.equal(pkg.dependencies['uWebSockets.js'], pkg.overrides?.['uWebSockets.js']);
});
