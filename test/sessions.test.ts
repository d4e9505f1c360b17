// A session that ends takes its sockets with it. Logout, expiry, and any later end of a
// session (an account suspended or self-excluded, a password change: Sessions.end) close
// every connection that joined with it, within a second, after answering the bets it had
// in flight; bets that arrive meanwhile are refused SESSION_ENDED, and the socket closes
// with SESSION_ENDED (4401), which the SDK does not retry. A revocation nobody announced is
// found by each process's periodic check against the ledger. (The same across processes:
// test/serial/sessions-cluster.test.ts.)
import t from 'tap';
import { Client } from '@colyseus/sdk';
import { SESSION_CHECK_INTERVAL_MS } from '../core/limits.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { insertSession } from '../ledger/players.ts';
import { hashSessionToken, newSessionToken } from '../app/auth.ts';
import { SalesCloseCode } from '../rooms/closeCodes.ts';
import { until } from './support/wait.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer({ env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

interface Watched {
  conn: PlayerConnection;
  closed: Promise<{ code: number; reason: string; atMs: number }>;
}

function watch(conn: PlayerConnection): Watched {
  const closed = new Promise<{ code: number; reason: string; atMs: number }>((resolve) =>
    conn.room.onLeave((code: number, reason?: string) => resolve({ code, reason: reason ?? '', atMs: Date.now() })),
  );
  return { conn, closed };
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<null>((r) => setTimeout(() => r(null), ms))]);

async function loginAgain(email: string): Promise<string> {
  const login = await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: 'correct horse battery staple' });
  return login.body.token;
}

t.test('logout closes the session’s sockets within a second, after answering their bets; no bet after logout is accepted', async (t) => {
  const draw = await openDraw(ts.pool);
  const otherDraw = await openDraw(ts.pool, 2 * 3_600_000);
  const { token, email } = await newPlayer(ts.httpUrl, 1_000_000);
  const otherSession = await loginAgain(email);
  const a = watch(await PlayerConnection.join(ts.wsUrl, token, draw.publicId));
  const b = watch(await PlayerConnection.join(ts.wsUrl, token, otherDraw.publicId));
  const survivor = await PlayerConnection.join(ts.wsUrl, otherSession, draw.publicId);

  for (let i = 0; i < 20; i++) a.conn.room.send('bet', { requestId: `in-flight-${i}`, quickPick: 1 });
  const startMs = Date.now();
  const logout = await http(ts.httpUrl, 'POST', '/api/auth/logout', undefined, token);
  const answeredMs = Date.now();
  t.equal(logout.status, 200);
  for (const w of [a, b]) w.conn.room.send('bet', { requestId: `after-logout-${w === a ? 'a' : 'b'}`, quickPick: 1 });

  const closes = await Promise.all([a, b].map((w) => within(w.closed, 2_000)));
  for (const [i, c] of closes.entries()) {
    t.ok(c, `socket ${i + 1} closed`);
    if (!c) continue;
    t.equal(c.code, SalesCloseCode.SESSION_ENDED, `socket ${i + 1}: with SESSION_ENDED`);
    t.match(c.reason, /^SESSION_ENDED/, 'the reason names the code');
    t.ok(c.atMs - startMs < 1_000, `socket ${i + 1} closed ${c.atMs - startMs} ms after logout was asked (${c.atMs - answeredMs} ms after it answered)`);
  }
  const inFlight = a.conn.replies.filter((r) => r.requestId?.startsWith('in-flight-'));
  t.equal(inFlight.length, 20, 'every bet sent before logout was answered before the close');
  t.ok(inFlight.every((r) => r.type === 'bet:accepted' || r.code === 'SESSION_ENDED'), 'accepted, or refused SESSION_ENDED');
  const after = [...a.conn.replies, ...b.conn.replies].filter((r) => r.requestId?.startsWith('after-logout'));
  t.ok(after.every((r) => r.type === 'bet:rejected' && r.code === 'SESSION_ENDED'), 'a bet sent after logout is refused, if answered at all');
  const { rows } = await ts.pool.query(`select count(*)::int as n from tickets where request_id like 'after-logout%'`);
  t.equal(rows[0].n, 0, 'and never bought');

  t.equal((await survivor.bet({ requestId: 'other-session', quickPick: 1 })).type, 'bet:accepted', 'the player’s other session is untouched');
  const rejoin = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: draw.publicId }, token);
  t.equal(rejoin.status, 401, 'the ended session cannot join again');
  await survivor.leave();
});

t.test('a seat reserved before logout cannot be used after it', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl);
  const reservation = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: draw.publicId }, token);
  t.equal(reservation.status, 200);
  t.equal((await http(ts.httpUrl, 'POST', '/api/auth/logout', undefined, token)).status, 200);
  const client = new Client(ts.wsUrl);
  await t.rejects(client.consumeSeatReservation(reservation.body), 'connecting with it is refused');
});

t.test('a session closes its sockets when it expires', async (t) => {
  const draw = await openDraw(ts.pool);
  const { email } = await newPlayer(ts.httpUrl);
  const { rows } = await ts.pool.query(`select id from players where email = $1`, [email]);
  const token = newSessionToken();
  const expiresAtMs = Date.now() + 1_500;
  await insertSession(ts.pool, hashSessionToken(token), rows[0].id, expiresAtMs);
  const w = watch(await PlayerConnection.join(ts.wsUrl, token, draw.publicId));
  const c = await within(w.closed, 4_000);
  t.ok(c, 'closed');
  if (!c) return;
  t.equal(c.code, SalesCloseCode.SESSION_ENDED);
  t.ok(c.atMs >= expiresAtMs - 50 && c.atMs - expiresAtMs < 1_000, `at its expiry (${c.atMs - expiresAtMs} ms after)`);
});

t.test('a revocation nobody announced is found by the periodic ledger check', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token, email } = await newPlayer(ts.httpUrl);
  const w = watch(await PlayerConnection.join(ts.wsUrl, token, draw.publicId));
  // Behind the server's back, as a lost pub/sub message would leave it.
  await ts.pool.query(`update sessions set revoked_at = now() where token_hash = $1`, [hashSessionToken(token)]);
  const c = await within(w.closed, SESSION_CHECK_INTERVAL_MS + 2_000);
  t.ok(c, 'closed');
  t.equal(c?.code, SalesCloseCode.SESSION_ENDED);

  // A suspended account, likewise.
  const other = await loginAgain(email);
  const w2 = watch(await PlayerConnection.join(ts.wsUrl, other, draw.publicId));
  await ts.pool.query(`update players set status = 'suspended' where email = $1`, [email]);
  const c2 = await within(w2.closed, SESSION_CHECK_INTERVAL_MS + 2_000);
  t.equal(c2?.code, SalesCloseCode.SESSION_ENDED, 'a suspended player’s socket closes too');
});

t.test('Sessions.end (suspension, self-exclusion, password change) closes every session of a player, or all but one', async (t) => {
  const draws = [await openDraw(ts.pool), await openDraw(ts.pool, 2 * 3_600_000)];
  const { token, email } = await newPlayer(ts.httpUrl);
  const second = await loginAgain(email);
  const third = await loginAgain(email);
  const conns = await Promise.all([token, second, third].map(async (tk, i) => watch(await PlayerConnection.join(ts.wsUrl, tk, draws[i % 2].publicId))));
  const { rows } = await ts.pool.query(`select id from players where email = $1`, [email]);
  const keep = hashSessionToken(third).toString('hex'); // a session's id
  const startMs = Date.now();
  const ended = await ts.server.sessions.end({ playerId: rows[0].id, exceptSessionId: keep }, 'password_changed');
  t.equal(ended.length, 2, 'two sessions ended');
  const closes = await Promise.all(conns.slice(0, 2).map((w) => within(w.closed, 2_000)));
  t.ok(closes.every((c) => c && c.code === SalesCloseCode.SESSION_ENDED && c.atMs - startMs < 1_000), 'their sockets closed within a second');
  t.equal((await conns[2].conn.bet({ requestId: 'kept', quickPick: 1 })).code, 'INSUFFICIENT_FUNDS', 'the session kept still works (and has no money)');
  await conns[2].conn.leave();
});
