// test/web-errors.test.ts — every refusal the server can send has words for people in the web
// clients: web/lib/errors.ts has a message for each code of core/errors.ts (and nothing
// else, and none empty), and every page of web/ that keeps an error to show renders it
// through ErrorNotice or errorMessage, never as the raw exception text. Plain node: no browser.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ErrorCode } from '../core/errors.ts';
import { ERROR_MESSAGES, errorMessage } from '../web/lib/errors.ts';

const WEB = path.resolve(import.meta.dirname, '../web');

t.test('every server error code has a message, and only those', async (t) => {
  const codes = Object.values(ErrorCode).sort();
  const explained = Object.keys(ERROR_MESSAGES).sort();
  t.same(codes.filter((c) => !explained.includes(c)), [], 'no code without a message');
  t.same(explained.filter((c) => !(codes as string[]).includes(c)), [], 'no message for a code the server does not have');
  const empty = Object.entries(ERROR_MESSAGES).filter(([, text]) => typeof text !== 'string' || text.trim().length < 10);
  t.same(empty, [], 'no message empty or a stub');
  const shouting = Object.entries(ERROR_MESSAGES).filter(([code, text]) => text.includes(code));
  t.same(shouting, [], 'a message says what happened in words, not by repeating its code');
});

t.test('errorMessage: the table for known codes, the fallback otherwise', async (t) => {
  t.equal(errorMessage('DRAW_CLOSED'), ERROR_MESSAGES.DRAW_CLOSED);
  t.equal(errorMessage('SOMETHING_NEWER', 'the server says why'), 'the server says why', 'an unknown code shows the server\'s words');
  t.match(errorMessage(undefined), /went wrong/, 'no code, no words: a general message');
  t.match(errorMessage('__proto__'), /went wrong/, 'an inherited property is not a code');
  t.match(errorMessage('toString'), /went wrong/);
});

/** Source files of the web clients (not the build, not the shared library that defines the notices). */
function pageFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const at = path.join(dir, name);
    if (name === 'dist' || name === 'lib' || name === 'public') continue;
    if (fs.statSync(at).isDirectory()) out.push(...pageFiles(at));
    else if (name.endsWith('.tsx')) out.push(at);
  }
  return out;
}

/** Keeps an error to show it: an action's error, an error state, or a caught error put on screen. */
const KEEPS_ERROR = /useAction\(|setError\(|useState<unknown>|\.error\b/;
const SHOWS_FRIENDLY = /\b(ErrorNotice|errorMessage)\b/;
/** The exception's own text in JSX: `{error.message}`, `{err.message}`, `{String(error)}`. */
const SHOWS_RAW = /\{\s*String\(\s*[\w.]*\b(?:error|err|e|ex)\s*\)\s*\}|\{\s*[\w.]*\b(?:error|err|e|ex)\.message\s*\}/;

/** The problems of one page's source, by the light rules above. */
export function errorDisplayProblems(name: string, source: string): string[] {
  const problems: string[] = [];
  if (KEEPS_ERROR.test(source) && !SHOWS_FRIENDLY.test(source)) problems.push(`${name} keeps errors but never shows them with ErrorNotice or errorMessage`);
  const raw = SHOWS_RAW.exec(source);
  if (raw) problems.push(`${name} renders an exception's raw text: ${raw[0]}`);
  return problems;
}

t.test('every page that shows errors shows them through ErrorNotice or errorMessage', async (t) => {
  const files = pageFiles(WEB);
  t.ok(files.length >= 5, `read ${files.length} pages of web/`);
  const problems = files.flatMap((f) => errorDisplayProblems(path.relative(WEB, f), fs.readFileSync(f, 'utf8')));
  t.same(problems, []);
});

t.test('the page rule catches what it is meant to', async (t) => {
  t.same(errorDisplayProblems('ok.tsx', 'const a = useAction(f); return <ErrorNotice error={a.error} />'), []);
  t.same(errorDisplayProblems('quiet.tsx', 'const a = useAction(f); return <p>{a.busy}</p>'), ['quiet.tsx keeps errors but never shows them with ErrorNotice or errorMessage']);
  t.equal(errorDisplayProblems('raw.tsx', 'const a = useAction(f); <ErrorNotice error={a.error} /> <p>{a.error.message}</p>').length, 1, 'raw exception text is found');
  t.equal(errorDisplayProblems('raw2.tsx', '.catch((err) => setError(err)); <ErrorNotice error={x}/> <p>{String(err)}</p>').length, 1);
  t.same(errorDisplayProblems('none.tsx', 'export const A = () => <p>hello</p>'), [], 'a page with no errors has nothing to show');
});
