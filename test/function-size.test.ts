// Every function of ours fits on a screen (TigerBeetle's 70-line limit, STYLE.md): a longer
// one is split into named steps so that it reads as the story it tells.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Lines from a function's first line to its last, inclusive. */
const FUNCTION_LINES_MAX = 70;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'test', 'data'].includes(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Functions longer than `max` lines in one source text, as `file:line name (lines)`. */
export function longFunctions(file: string, text: string, max: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      const name = (node as ts.FunctionLikeDeclaration).name?.getText(source) ?? ts.SyntaxKind[node.kind];
      if (last - first + 1 > max) found.push(`${relative(ROOT, file)}:${first + 1} ${name} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

t.test(`every function outside the tests is at most ${FUNCTION_LINES_MAX} lines`, async (t) => {
  const files = sourceFiles(ROOT);
  t.ok(files.length > 50, `read ${files.length} source files`);
  t.same(files.flatMap((f) => longFunctions(f, readFileSync(f, 'utf8'), FUNCTION_LINES_MAX)), []);
});

t.test('the measure counts a function from its first line to its last', async (t) => {
  const body = Array.from({ length: 5 }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const text = `function five() {\n${body}\n}\nconst arrow = () => {\n${body}\n};\n`;
  t.same(longFunctions(join(ROOT, 'x.ts'), text, 7).length, 0, 'seven lines each fit in seven');
  t.same(longFunctions(join(ROOT, 'x.ts'), text, 6), ['x.ts:1 five (7 lines)', 'x.ts:8 ArrowFunction (7 lines)']);
});
