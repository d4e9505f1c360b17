// The HTTP edge answers every request, within a bounded time, with our { code, message }:
// unknown paths and methods, bodies nobody asked for, trickling bodies, text PostgreSQL
// cannot store, and matchmaking errors. A request left hanging holds a file descriptor
// forever; enough of them and /healthz stops answering.
import net from 'node:net';
import t from 'tap';
import { HTTP_BODY_RECEIVE_MS_MAX, LOGIN_PAIR_FAILURES_FREE } from '../core/limits.ts';
import { http, newPlayer, openDraw, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer();
});
t.teardown(() => ts.close());

/** A fetch that gives up after `timeoutMs`, so a request the server never answers fails the test instead of hanging it. */
async function request(method: string, path: string, init: RequestInit = {}, timeoutMs = 3_000) {
  const res = await fetch(ts.httpUrl + path, { method, signal: AbortSignal.timeout(timeoutMs), ...init });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** Writes `head` (and then `chunks`, one per `everyMs`) on a raw socket; resolves with what came back and when. */
function rawExchange(head: string, chunks: string[] = [], everyMs = 0, waitMs = 3_000): Promise<{ reply: string; afterMs: number; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(ts.httpUrl).port), '127.0.0.1');
    const startMs = Date.now();
    let reply = '';
    let closed = false;
    let i = 0;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      timers.forEach(clearTimeout);
      socket.destroy();
      resolve({ reply, afterMs: Date.now() - startMs, closed });
    };
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      if (/\r\n\r\n/.test(reply)) setTimeout(finish, 50);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(head);
    const tick = () => {
      if (i < chunks.length && !socket.destroyed) {
        socket.write(chunks[i++]);
        timers.push(setTimeout(tick, everyMs));
      }
    };
    tick();
    timers.push(setTimeout(finish, waitMs));
  });
}

t.test('every request to an unknown path or method is answered: 404, or 405 with Allow', async (t) => {
  const cases: [string, string, number, string?][] = [
    ['GET', '/x', 404],
    ['GET', '/api/me/', 404],
    ['GET', '//api/me', 404],
    ['DELETE', '/x', 404],
    ['PUT', '/api/me', 405, 'GET'],
    ['GET', '/api/auth/login', 405, 'POST'],
    ['PATCH', '/api/draws/some-draw', 405, 'GET'],
  ];
  for (const [method, path, status, allow] of cases) {
    const res = await request(method, path);
    t.equal(res.status, status, `${method} ${path} -> ${status}`);
    t.equal(res.body?.code, status === 404 ? 'NOT_FOUND' : 'METHOD_NOT_ALLOWED', `${method} ${path} has a stable code`);
    t.type(res.body?.message, 'string');
    if (allow) t.equal(res.headers.get('allow'), allow, `${method} ${path} says what is allowed`);
  }
});

t.test('two hundred unknown requests at once are all answered, and /healthz still answers', async (t) => {
  const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => request('GET', `/nothing/${i}`, {}, 5_000).then((r) => r.status, () => 0)));
  t.equal(replies.filter((s) => s === 404).length, 200, 'every one got its 404');
  t.equal((await request('GET', '/healthz')).status, 200);
});

t.test('GET / is the player app (app/webApp.ts), naming no framework and no version', async (t) => {
  const res = await request('GET', '/');
  t.equal(res.status, 200);
  t.notMatch(res.text, /colyseus|uwebsockets/i, 'no banner');
  t.notMatch([...res.headers].join('\n'), /colyseus|x-powered-by/i, 'no framework in the headers');
});

t.test('a body sent to an unknown path (a trailing slash) is answered without being read', async (t) => {
  // 100 MB announced, 64 KiB sent: the answer must come before the rest is even sent.
  const head =
    'POST /matchmake/joinOrCreate/sales/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' + `Content-Length: ${100 * 1024 * 1024}\r\n\r\n`;
  const res = await rawExchange(head, ['{"x":"' + 'a'.repeat(64 * 1024)]);
  t.match(res.reply, /^HTTP\/1\.1 404 /, 'a 404 straight away');
  t.match(res.reply, /"code":"NOT_FOUND"/);
});

t.test('a body that trickles in is answered 408 REQUEST_TIMEOUT before uWS would drop the socket', async (t) => {
  const head = 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n';
  // One byte a second: uWS would close the socket without a word after about 10 s.
  const res = await rawExchange(head, Array.from({ length: 39 }, () => ' '), 1_000, HTTP_BODY_RECEIVE_MS_MAX + 4_000);
  t.match(res.reply, /^HTTP\/1\.1 408 /, 'a 408 answer');
  t.match(res.reply, /"code":"REQUEST_TIMEOUT"/);
  t.ok(res.afterMs < HTTP_BODY_RECEIVE_MS_MAX + 2_000, `answered after ${res.afterMs} ms, within the limit of ${HTTP_BODY_RECEIVE_MS_MAX} ms`);
});

t.test('CORS preflight for matchmaking answers what the browser SDK needs (it sends credentials)', async (t) => {
  const origin = 'https://play.example.test';
  const res = await request('OPTIONS', '/matchmake/joinOrCreate/sales', {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
  });
  t.equal(res.status, 204);
  t.equal(res.headers.get('access-control-allow-origin'), origin, 'the origin is echoed: "*" is refused for credentialed requests');
  t.equal(res.headers.get('access-control-allow-credentials'), 'true', 'the SDK fetches with credentials: "include"');
  t.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
  t.match((res.headers.get('access-control-allow-headers') ?? '').toLowerCase(), /content-type/);
  t.match((res.headers.get('access-control-allow-headers') ?? '').toLowerCase(), /authorization/);
  const unknown = await request('OPTIONS', '/no/such/path', { headers: { origin, 'access-control-request-method': 'POST' } });
  t.equal(unknown.status, 404, 'a preflight for a path that does not exist is a 404');
});

t.test('operator answers never allow a credentialed cross-origin read (a browser caches Basic credentials)', async (t) => {
  const res = await request('GET', '/metrics', { headers: { origin: 'https://evil.example.test', authorization: 'Basic ' + Buffer.from('op:whatever-password').toString('base64') } });
  t.not(res.headers.get('access-control-allow-credentials'), 'true');
});

t.test('a matchmaking request for an undefined room is a 404 with our error body, never 520', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  const draw = await openDraw(ts.pool);
  for (const room of ['sales%2F', 'nope', 'SALES']) {
    const res = await http(ts.httpUrl, 'POST', `/matchmake/joinOrCreate/${room}`, { drawId: draw.publicId }, token);
    t.equal(res.status, 404, `${room} -> 404`);
    t.equal(res.body.code, 'NOT_FOUND');
    t.type(res.body.message, 'string');
  }
  const joinNone = await http(ts.httpUrl, 'POST', '/matchmake/join/sales', { drawId: draw.publicId }, token);
  t.equal(joinNone.status, 404, '"join" with no shard to join is a 404');
  t.equal(joinNone.body.code, 'NOT_FOUND');
  const byId = await http(ts.httpUrl, 'POST', '/matchmake/joinById/nosuchroom', {}, token);
  t.equal(byId.status, 404, 'joinById of a room that does not exist is a 404');
  t.equal(byId.body.code, 'NOT_FOUND');
});

t.test('text with NUL, lone surrogates or control characters is a 400 naming the field', async (t) => {
  const ok = { email: 'ctl@example.test', password: 'a long enough passphrase', dateOfBirth: '1990-01-01', country: 'DE' };
  const cases: [string, string, unknown, string][] = [
    ['POST', '/api/auth/register', { ...ok, email: 'a\u0000b@example.test' }, 'email'],
    ['POST', '/api/auth/register', { ...ok, region: 'BE\u0000' }, 'region'],
    ['POST', '/api/auth/register', { ...ok, region: 'B\ud800E' }, 'region'],
    ['POST', '/api/auth/register', { ...ok, region: 'B\nE' }, 'region'],
    ['POST', '/api/auth/register', { ...ok, password: 'a long enough\u0000passphrase' }, 'password'],
    ['POST', '/api/auth/login', { email: 'a\u0000b@example.test', password: 'whatever it is' }, 'email'],
    ['POST', '/api/auth/login', { email: 'ab@example.test', password: 'lone \udc00 surrogate' }, 'password'],
  ];
  for (const [method, path, body, field] of cases) {
    const res = await http(ts.httpUrl, method, path, body);
    t.equal(res.status, 400, `${JSON.stringify(body).slice(0, 70)} -> 400`);
    t.equal(res.body.code, 'BAD_REQUEST');
    t.match(res.body.message, field, `the message names ${field}`);
  }
  const query = await request('GET', '/api/draws?game=lotto%00649');
  t.equal(query.status, 400, 'a query parameter with NUL');
  t.match(query.body.message, 'game');
  const path = await request('GET', '/api/draws/abc%00def');
  t.equal(path.status, 400, 'a path parameter with NUL');
  t.match(path.body.message, 'drawId');
  const { token } = await newPlayer(ts.httpUrl);
  const join = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: 'lotto649\u0000' }, token);
  t.equal(join.status, 400, 'join options with NUL');
  t.match(join.body.message, 'drawId');
  t.equal((await request('GET', '/api/games')).status, 200, 'the server is still up');
});

t.test("without TRUSTED_PROXY a client's own X-Forwarded-For is ignored: it cannot dodge the login throttle", async (t) => {
  const { email } = await newPlayer(ts.httpUrl);
  const statuses: number[] = [];
  for (let i = 0; i < LOGIN_PAIR_FAILURES_FREE + 2; i++) {
    const res = await request('POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
      body: JSON.stringify({ email, password: `wrong guess ${i}` }),
    });
    statuses.push(res.status);
  }
  t.same(statuses, [...Array(LOGIN_PAIR_FAILURES_FREE + 1).fill(401), 429], 'every guess counted against the one real address');
});
