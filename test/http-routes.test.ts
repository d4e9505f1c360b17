// HttpRoutes on a bare uWS app with short limits: a handler that never finishes and a body
// that never arrives are answered all the same, and a failed request logs one line at most
// (none for a client's mistake, one per few seconds for a database that is away).
import net from 'node:net';
import t from 'tap';
import { memoryLogger } from './support/logs.ts';
import uWS from 'uWebSockets.js';
import { HttpRoutes } from '../app/http.ts';
import { AppError, ErrorCode } from '../core/errors.ts';

const HANDLER_MS_MAX = 300;
const BODY_RECEIVE_MS_MAX = 300;

const { logger, lines: logs } = memoryLogger('debug');

const app = uWS.App();
const routes = new HttpRoutes(app, logger, { handlerMsMax: HANDLER_MS_MAX, bodyReceiveMsMax: BODY_RECEIVE_MS_MAX });
routes.get('/never', () => new Promise(() => {}));
routes.get('/refused', () => {
  throw new AppError(ErrorCode.NOT_FOUND, 'no such thing', 404);
});
routes.get('/bug', () => {
  throw new TypeError('a real bug');
});
routes.get('/database-away', () => {
  throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
});
routes.post('/echo', (req) => ({ status: 200, body: req.body }));

let port = 0;
let listenSocket: uWS.us_listen_socket | false = false;
t.before(
  () =>
    new Promise<void>((resolve) =>
      app.listen('127.0.0.1', 0, (socket) => {
        listenSocket = socket;
        port = uWS.us_socket_local_port(socket);
        resolve();
      }),
    ),
);
t.teardown(() => {
  if (listenSocket) uWS.us_listen_socket_close(listenSocket);
});

async function get(path: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

t.test('a handler that never finishes is answered 503 SERVICE_UNAVAILABLE within its limit', async (t) => {
  const startMs = Date.now();
  const res = await get('/never');
  const afterMs = Date.now() - startMs;
  t.equal(res.status, 503);
  t.equal(res.body.code, 'SERVICE_UNAVAILABLE');
  t.equal(res.headers.get('retry-after'), '5');
  t.ok(afterMs >= HANDLER_MS_MAX - 20 && afterMs < HANDLER_MS_MAX + 1_500, `answered after ${afterMs} ms (limit ${HANDLER_MS_MAX} ms)`);
  t.ok(logs.some((l) => l.msg === 'http handler over its time limit' && l.route === '/never'), 'said so in the log');
});

t.test('a body that does not arrive within its limit is answered 408, and the connection closed', async (t) => {
  const reply = await new Promise<{ text: string; closed: boolean }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('close', () => resolve({ text, closed: true }));
    socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"a":');
    setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, 3_000);
  });
  t.match(reply.text, /^HTTP\/1\.1 408 /);
  t.match(reply.text, /"code":"REQUEST_TIMEOUT"/);
  t.ok(reply.closed, 'the rest of the body is never read: the server closed the connection');
});

t.test('a client mistake logs nothing above debug; a bug logs one line with its error', async (t) => {
  logs.length = 0;
  t.equal((await get('/refused')).status, 404);
  t.same(
    logs.filter((l) => l.level >= 40),
    [],
    'no warning or error for a refusal',
  );
  const bug = await get('/bug');
  t.equal(bug.status, 500);
  t.equal(bug.body.code, 'INTERNAL_ERROR');
  t.notMatch(JSON.stringify(bug.body), /a real bug/, 'the client is not told the internals');
  const lines = logs.filter((l) => l.level >= 40);
  t.equal(lines.length, 1, 'one line for the bug');
  t.equal(lines[0].msg, 'http handler failed');
  t.match(lines[0].err.stack, /TypeError: a real bug/, 'with its stack, for whoever fixes it');
});

t.test('a database that is away is a 503 with Retry-After for every request, logged once', async (t) => {
  logs.length = 0;
  const replies = await Promise.all(Array.from({ length: 20 }, () => get('/database-away')));
  t.ok(
    replies.every((r) => r.status === 503 && r.body.code === 'SERVICE_UNAVAILABLE'),
    'every request a 503',
  );
  t.ok(
    replies.every((r) => Number(r.headers.get('retry-after')) > 0),
    'every one says when to retry',
  );
  const lines = logs.filter((l) => l.level >= 40);
  t.equal(lines.length, 1, 'one log line for twenty failures');
  t.equal(lines[0].msg, 'database unavailable: answering 503');
  t.notOk(lines[0].err?.stack, 'and no stack trace');
});

t.test('a refusal that says when to retry carries Retry-After; CORS lets a browser read it', async (t) => {
  const res = await fetch(`http://127.0.0.1:${port}/database-away`, { headers: { origin: 'https://play.example.test' } });
  t.equal(res.headers.get('access-control-allow-origin'), 'https://play.example.test');
  t.match(res.headers.get('access-control-expose-headers') ?? '', /retry-after/i);
});
