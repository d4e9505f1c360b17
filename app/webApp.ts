// app/webApp.ts — the three web clients (web/), built by Vite into web/dist and served on
// the server's own port: the player app at /, the live draw stage at /draw/:drawId, the
// operator console at /ops.
//
// The files are read into memory once at start (a few hundred kilobytes): serving them
// touches no disk and no database, so a page loads while the ledger is away too. Hashed
// assets (/assets/name-HASH.js) are cached for a year; the pages themselves are revalidated,
// so a deploy reaches every browser at its next load. Every page carries a strict content
// security policy: scripts from this origin only, connections to this origin only (HTTP and
// its WebSocket), no frames.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpResponse, HttpRoutes } from './http.ts';
import type { Logger } from '../core/logger.ts';
import { ErrorCode } from '../core/errors.ts';
import { WEB_ASSET_BYTES_MAX, WEB_ASSETS_MAX } from '../core/limits.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/** The pages, by the file Vite writes for each (web/vite.config.ts names the same three). */
const PAGES = { player: 'index.html', stage: 'draw.html', ops: 'ops.html' } as const;

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    // Preact sets style properties from script; no inline <style> or style="" comes from the server.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface WebFile {
  contentType: string;
  bytes: Buffer;
}

/** Where the build is: next to the sources (tsx) or two levels up from dist/app (npm start). */
export function webDistDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '../web/dist'), path.resolve(here, '../../web/dist')]) {
    if (fs.existsSync(path.join(candidate, PAGES.player))) return candidate;
  }
  return undefined;
}

/** Reads the build into memory, bounded: a stray file in dist/ cannot grow the process. */
function loadBuild(dir: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      const contentType = CONTENT_TYPES[path.extname(entry.name)];
      if (!contentType) continue;
      const size = fs.statSync(full).size;
      if (size > WEB_ASSET_BYTES_MAX) throw new Error(`web build: ${full} is ${size} bytes, over WEB_ASSET_BYTES_MAX`);
      if (files.size >= WEB_ASSETS_MAX) throw new Error(`web build: more than ${WEB_ASSETS_MAX} files in ${dir}`);
      files.set('/' + path.relative(dir, full).split(path.sep).join('/'), { contentType, bytes: fs.readFileSync(full) });
    }
  };
  walk(dir);
  return files;
}

function page(file: WebFile | undefined): HttpResponse {
  if (!file) return { status: 404, body: { code: ErrorCode.NOT_FOUND, message: 'no such page' } };
  return { status: 200, raw: { contentType: file.contentType, text: file.bytes }, headers: { ...SECURITY_HEADERS, 'cache-control': 'no-cache' } };
}

function asset(file: WebFile | undefined): HttpResponse {
  if (!file) return { status: 404, body: { code: ErrorCode.NOT_FOUND, message: 'no such file' } };
  return {
    status: 200,
    raw: { contentType: file.contentType, text: file.bytes },
    // Vite puts a content hash in every asset's name: a changed file is a new name.
    headers: { ...SECURITY_HEADERS, 'cache-control': 'public, max-age=31536000, immutable' },
  };
}

/**
 * Serves the web clients if they are built. Without a build (a checkout that never ran
 * `npm install`), / answers 503 saying how to build it rather than a bare 404.
 */
export function registerWebApp(routes: HttpRoutes, logger: Logger, dir: string | undefined): { served: boolean } {
  if (!dir) {
    logger.warn({ expected: 'web/dist' }, 'web clients not built: run `npm run build:web` (npm install and npm start do)');
    const missing = (): HttpResponse => ({
      status: 503,
      raw: { contentType: 'text/plain; charset=utf-8', text: 'The web clients are not built: run `npm run build:web`.\n' },
    });
    for (const pattern of ['/', '/ops', '/ops/', '/draw/:drawId']) routes.get(pattern, missing);
    return { served: false };
  }
  const files = loadBuild(dir);
  routes.get('/', () => page(files.get('/' + PAGES.player)));
  routes.get('/ops', () => page(files.get('/' + PAGES.ops)));
  routes.get('/ops/', () => page(files.get('/' + PAGES.ops)));
  routes.get('/draw/:drawId', () => page(files.get('/' + PAGES.stage)));
  routes.get('/assets/:file', ({ params }) => asset(files.get(`/assets/${params.file}`)));
  routes.get('/favicon.svg', () => asset(files.get('/favicon.svg')));
  return { served: true };
}
