// The web clients are served by the server itself (app/webApp.ts): each page at its path
// with a strict content security policy, hashed assets cached for good, unknown files a
// 404 with a code, and a checkout that never built them told how to instead of a bare 404.
import t from 'tap';
import uWS from 'uWebSockets.js';
import { startTestServer, type TestServer } from './support/harness.ts';
import { HttpRoutes } from '../app/http.ts';
import { registerWebApp } from '../app/webApp.ts';
import { createLogger } from '../core/logger.ts';

let ts: TestServer;
t.before(async () => {
  ts = await startTestServer();
});
t.teardown(() => ts?.close());

const get = (path: string) => fetch(ts.httpUrl + path, { signal: AbortSignal.timeout(5_000) });

t.test('each client is served at its path, with a content security policy', async (t) => {
  for (const path of ['/', '/ops', '/ops/', '/draw/lotto649-2026-05-01']) {
    const res = await get(path);
    t.equal(res.status, 200, `${path} is a page`);
    t.match(res.headers.get('content-type'), /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    t.match(csp, /script-src 'self'/, `${path}: scripts from this origin only`);
    t.match(csp, /frame-ancestors 'none'/, `${path}: never framed`);
    t.equal(res.headers.get('x-content-type-options'), 'nosniff');
    t.equal(res.headers.get('cache-control'), 'no-cache', 'pages are revalidated, so a deploy reaches every browser');
    const html = await res.text();
    t.notMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: no inline script (the policy would refuse it)`);
    t.ok(html.includes('<div id="app">'), `${path}: the app's mount point`);
  }
});

t.test('the assets each page names are served, cached for good; an unknown one is a 404 with a code', async (t) => {
  const html = await (await get('/')).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  t.ok(assets.length >= 2, `the player page names ${assets.length} assets`);
  for (const asset of assets) {
    const res = await get(asset);
    t.equal(res.status, 200, asset);
    t.match(res.headers.get('cache-control'), /immutable/, `${asset} is immutable (its name holds its hash)`);
    t.match(res.headers.get('content-type'), /^(text\/javascript|text\/css)/);
  }
  const missing = await get('/assets/nothing-here.js');
  t.equal(missing.status, 404);
  t.equal((await missing.json()).code, 'NOT_FOUND');
  const traversal = await get('/assets/..%2F..%2Fpackage.json');
  t.equal(traversal.status, 404, 'no path outside the build');
});

t.test('without a build, the pages answer 503 saying how to build them', async (t) => {
  const app = uWS.App();
  const routes = new HttpRoutes(app, createLogger('silent'));
  t.same(registerWebApp(routes, createLogger('silent'), undefined), { served: false });
  const listening = await new Promise<uWS.us_listen_socket>((resolve) => app.listen('127.0.0.1', 0, resolve));
  t.teardown(() => uWS.us_listen_socket_close(listening));
  const port = uWS.us_socket_local_port(listening);
  const res = await fetch(`http://127.0.0.1:${port}/`);
  t.equal(res.status, 503);
  t.match(await res.text(), /npm run build:web/);
});
