// A database that is away is the server's fault, not the client's: every request that needs
// it gets 503 SERVICE_UNAVAILABLE with Retry-After, and the log says so once, not once per
// request with a stack trace (a log flood is a denial of service of its own).
import pg from 'pg';
import t from 'tap';
import { memoryLogger } from './support/logs.ts';
import { until } from './support/wait.ts';
import { newPlayer, openDraw, startTestServer, type TestServer } from './support/harness.ts';

const { logger, lines: logs } = memoryLogger('info');

let ts: TestServer;
t.before(async () => {
  ts = await startTestServer({ logger });
});
t.teardown(() => ts.close());

async function get(path: string, token?: string) {
  const res = await fetch(ts.httpUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(20_000) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

t.test('requests while the database gives no connection are 503 with Retry-After, logged once', async (t) => {
  const { token, email } = await newPlayer(ts.httpUrl);
  // Every connection of the pool taken: each request waits for one until the pool's
  // connect timeout, exactly as when the database does not answer connection attempts.
  const held = await Promise.all(Array.from({ length: ts.pool.options.max ?? 1 }, () => ts.pool.connect()));
  logs.length = 0;
  const replies = await Promise.all([
    ...Array.from({ length: 6 }, () => get('/api/me', token)),
    get('/api/draws?game=lotto649'),
    fetch(`${ts.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery staple' }),
    }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() })),
  ]);
  held.forEach((c) => c.release());
  t.same(
    replies.map((r) => r.status),
    Array(8).fill(503),
    'every request a 503',
  );
  t.ok(
    replies.every((r) => r.body.code === 'SERVICE_UNAVAILABLE' && Number(r.retryAfter) > 0),
    'SERVICE_UNAVAILABLE, with a Retry-After',
  );
  const httpLines = logs.filter((l) => /^http|answering 503/.test(l.msg));
  t.equal(httpLines.length, 1, 'one line for eight failed requests');
  t.equal(httpLines[0]?.msg, 'database unavailable: answering 503');
  t.same(
    logs.filter((l) => l.level >= 50),
    [],
    'nothing logged as an error',
  );
  t.equal((await get('/api/me', token)).status, 200, 'served again once connections are free');
});

t.test('joining a sales room while the database gives no connection is a 503, logged as a warning at most', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl);
  const held = await Promise.all(Array.from({ length: ts.pool.options.max ?? 1 }, () => ts.pool.connect()));
  logs.length = 0;
  const res = await fetch(`${ts.httpUrl}/matchmake/joinOrCreate/sales`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ drawId: draw.publicId }),
    signal: AbortSignal.timeout(20_000),
  });
  held.forEach((c) => c.release());
  const body = await res.json();
  t.equal(res.status, 503, `the join is refused 503 (${JSON.stringify(body)})`);
  t.equal(body.code, 'SERVICE_UNAVAILABLE');
  t.ok(Number(res.headers.get('retry-after')) > 0, 'with a Retry-After');
  t.same(logs.filter((l) => l.level >= 50).map((l) => l.msg), [], 'nothing logged as an error');
  const again = await fetch(`${ts.httpUrl}/matchmake/joinOrCreate/sales`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ drawId: draw.publicId }),
  });
  t.equal(again.status, 200, 'and a seat once the database answers');
});

t.test('a statement cut off by pg_terminate_backend is a 503', { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL: only a PostgreSQL server has backends to terminate' }, async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  const locker = new pg.Client({ connectionString: ts.databaseUrl });
  await locker.connect();
  t.teardown(() => locker.end());
  // Hold the request's statement on a lock, then end its session as a restart or a fail-over would.
  await locker.query('begin');
  await locker.query('lock table players in access exclusive mode');
  const pending = get('/api/me', token);
  const waiting = () =>
    locker
      .query("select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()")
      .then((r) => r.rows.map((row) => row.pid as number));
  t.ok(await until(async () => (await waiting()).length > 0, 5_000), "the request's statement waits on the lock");
  for (const pid of await waiting()) await locker.query('select pg_terminate_backend($1)', [pid]);
  const res = await pending;
  await locker.query('rollback');
  t.equal(res.status, 503);
  t.equal(res.body.code, 'SERVICE_UNAVAILABLE');
  t.ok(Number(res.retryAfter) > 0);
  t.equal((await get('/api/me', token)).status, 200, 'the next request gets a new connection and is served');
});
