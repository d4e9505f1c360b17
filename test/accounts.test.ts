// Accounts, sessions and deposits over HTTP: happy paths, bad input, idempotency.
import t from 'tap';
import { hashSessionToken } from '../app/auth.ts';
import { SESSION_TTL_MS } from '../core/limits.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { sessionPlayer } from '../ledger/players.ts';
import { http, newPlayer, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer();
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

const password = 'a long enough passphrase';

t.test('register, log in, read the profile, log out', async (t) => {
  const email = `Alice.${Date.now()}@Example.test`;
  const reg = await http(ts.httpUrl, 'POST', '/api/auth/register', { email, password, dateOfBirth: '1985-02-28', country: 'de', region: 'BE' });
  t.equal(reg.status, 201);
  t.match(reg.body.playerId, /^p_/);
  const again = await http(ts.httpUrl, 'POST', '/api/auth/register', { email: email.toLowerCase(), password, dateOfBirth: '1985-02-28', country: 'DE' });
  t.equal(again.status, 409);
  t.equal(again.body.code, 'EMAIL_TAKEN', 'emails are case-insensitive');

  const bad = await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: 'wrong password!' });
  t.equal(bad.status, 401);
  t.equal(bad.body.code, 'INVALID_CREDENTIALS');
  const unknown = await http(ts.httpUrl, 'POST', '/api/auth/login', { email: 'nobody@example.test', password });
  t.equal(unknown.body.code, 'INVALID_CREDENTIALS', 'an unknown email looks the same as a wrong password');

  const login = await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password });
  t.equal(login.status, 200);
  t.match(login.body.token, /^[A-Za-z0-9_-]{43}$/, '256-bit token');
  const { rows } = await ts.pool.query('select count(*)::int as n from sessions where token_hash = $1::bytea', [Buffer.from(login.body.token)]);
  t.equal(rows[0].n, 0, 'the token itself is not stored');

  const me = await http(ts.httpUrl, 'GET', '/api/me', undefined, login.body.token);
  t.equal(me.status, 200);
  t.equal(me.body.email, email.toLowerCase());
  t.equal(me.body.country, 'DE');
  t.equal(me.body.region, 'BE');
  t.equal(me.body.balanceMinor, 0);
  t.equal(me.body.dateOfBirth, '1985-02-28');

  t.equal((await http(ts.httpUrl, 'POST', '/api/auth/logout', undefined, login.body.token)).status, 200);
  const after = await http(ts.httpUrl, 'GET', '/api/me', undefined, login.body.token);
  t.equal(after.status, 401, 'a revoked token no longer works');
  t.equal(after.body.code, 'UNAUTHORIZED');
});

t.test('registration rejects bad input with a clear code', async (t) => {
  const ok = { email: 'x@example.test', password, dateOfBirth: '1990-01-01', country: 'DE' };
  const cases: [unknown, number, string][] = [
    [{ ...ok, email: 'not-an-email' }, 400, 'BAD_REQUEST'],
    [{ ...ok, password: 'short' }, 400, 'BAD_REQUEST'],
    [{ ...ok, dateOfBirth: '1990-02-30' }, 400, 'BAD_REQUEST'],
    [{ ...ok, dateOfBirth: new Date(Date.now() - 10 * 365 * 86400_000).toISOString().slice(0, 10) }, 403, 'UNDERAGE'],
    [{ ...ok, country: 'Germany' }, 400, 'BAD_REQUEST'],
    [{ ...ok, admin: true }, 400, 'BAD_REQUEST'],
    [[ok], 400, 'BAD_REQUEST'],
    ['{"email": ', 400, 'BAD_REQUEST'],
    [{ ...ok, region: 'x'.repeat(20_000) }, 413, 'PAYLOAD_TOO_LARGE'],
  ];
  for (const [body, status, code] of cases) {
    const res = await http(ts.httpUrl, 'POST', '/api/auth/register', body);
    t.equal(res.status, status, `${JSON.stringify(body).slice(0, 60)} -> ${status}`);
    t.equal(res.body.code, code);
    t.type(res.body.message, 'string');
  }
});

t.test('repeated failed logins are rate limited', async (t) => {
  const { email } = await newPlayer(ts.httpUrl);
  let last;
  for (let i = 0; i < 11; i++) last = await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: 'wrong guess ' + i });
  t.equal(last!.status, 429);
  t.equal(last!.body.code, 'RATE_LIMITED');
});

// Deposits themselves (asynchronous, through the provider's webhooks): test/payments.test.ts.

t.test('deposit input is validated and needs a session', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  t.equal((await http(ts.httpUrl, 'POST', '/api/wallet/deposits', { amount: 100, idempotencyKey: 'k' })).status, 401);
  for (const body of [
    { amount: 0, idempotencyKey: 'k' },
    { amount: -500, idempotencyKey: 'k' },
    { amount: 10.5, idempotencyKey: 'k' },
    { amount: '500', idempotencyKey: 'k' },
    { amount: 10_000_000, idempotencyKey: 'k' },
    { amount: 500 },
    { amount: 500, idempotencyKey: 'has spaces' },
  ]) {
    const res = await http(ts.httpUrl, 'POST', '/api/wallet/deposits', body, token);
    t.equal(res.status, 400, JSON.stringify(body));
    t.equal(res.body.code, 'BAD_REQUEST');
  }
});

t.test('games and draws are listed', async (t) => {
  const games = await http(ts.httpUrl, 'GET', '/api/games');
  t.equal(games.status, 200);
  t.equal(games.body[0].gameId, 'lotto649');
  t.strictSame(games.body[0].schedule, { kind: 'daily', timeZone: 'Europe/Berlin', slots: [{ cutoff: '15:00', draw: '16:00' }] }, 'every draw of the day is listed');
  t.equal((await http(ts.httpUrl, 'GET', '/api/draws?game=nope')).status, 404);
  t.equal((await http(ts.httpUrl, 'GET', '/api/draws')).status, 400);
  t.equal((await http(ts.httpUrl, 'GET', '/api/draws?game=lotto649&limit=1000')).status, 400);
  t.equal((await http(ts.httpUrl, 'GET', '/api/draws?game=lotto649')).status, 200);
});

t.test('a malformed path escape is a 400, not a crash', async (t) => {
  const res = await fetch(`${ts.httpUrl}/matchmake/%E0%A4%A/sales`, { method: 'POST', body: '{}' });
  t.equal(res.status, 400);
  t.equal((await res.json()).code, 'BAD_REQUEST');
  t.equal((await http(ts.httpUrl, 'GET', '/api/games')).status, 200, 'the server is still up');
});

t.test('metrics need operator credentials', async (t) => {
  const res = await fetch(`${ts.httpUrl}/metrics`);
  t.equal(res.status, 401);
});

t.test('a session expires after its lifetime', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  const hash = hashSessionToken(token);
  t.ok(await sessionPlayer(ts.pool, hash, Date.now() + SESSION_TTL_MS - 60_000), 'valid shortly before expiry');
  t.equal(await sessionPlayer(ts.pool, hash, Date.now() + SESSION_TTL_MS + 60_000), null, 'refused after expiry');
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, 'x'.repeat(43))).status, 401, 'an unknown token is refused');
});
