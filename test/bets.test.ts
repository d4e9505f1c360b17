// Bets over the real SDK against a real server: durability, debits, idempotency, funds, bad input.
import t from 'tap';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { ticketRowId } from '../ledger/tickets.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;

t.before(async () => {
  // Limits high enough that only the rate-limit test meets them.
  ts = await startTestServer({ env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
});

t.afterEach(async () => {
  const report = await checkLedger(ts.pool, linePricesOf(allGames()));
  t.same(report.violations, [], 'ledger invariants hold');
});

t.teardown(async () => {
  await ts.close();
});

t.test('an accepted bet is in the database and debited exactly its cost', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const reply = await conn.bet({ requestId: 'r1', lines: [[6, 5, 4, 3, 2, 1], [7, 8, 9, 10, 11, 12]] });
  t.equal(reply.type, 'bet:accepted');
  t.same(reply.lines, [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]], 'lines come back in canonical order');
  t.equal(reply.cost, 400, 'two lines at 200');
  t.equal(reply.balance, 9_600);
  t.ok(reply.receivedAt <= Date.now() && reply.receivedAt > Date.now() - 10_000, 'receivedAt is the server receive time');

  const { rows } = await ts.pool.query('select t.cost_minor, t.lines, t.request_id, d.public_id as draw from tickets t join draws d on d.id = t.draw_id where t.id = $1', [ticketRowId(reply.ticketId)]);
  t.equal(rows.length, 1, 'ticket is in the ledger');
  t.equal(rows[0].cost_minor, 400);
  t.equal(rows[0].draw, draw.publicId);
  t.same(rows[0].lines, [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]);
  const me = await http(ts.httpUrl, 'GET', '/api/me', undefined, token);
  t.equal(me.body.balanceMinor, 9_600, 'wallet debited');
  const pool = await ts.pool.query('select balance_minor from accounts where id = $1', [draw.poolAccountId]);
  t.equal(pool.rows[0].balance_minor, 400, 'draw pool credited');
  await conn.leave();
});

t.test('a quick pick is generated server-side: distinct numbers 1..49', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const reply = await conn.bet({ requestId: 'qp', quickPick: 3 });
  t.equal(reply.type, 'bet:accepted');
  t.equal(reply.lines.length, 3);
  for (const l of reply.lines) {
    t.equal(new Set(l).size, 6);
    t.ok(l.every((n: number) => Number.isInteger(n) && n >= 1 && n <= 49));
    t.same(l, [...l].sort((a: number, b: number) => a - b));
  }
  t.equal(reply.cost, 600);
  await conn.leave();
});

t.test('a repeated requestId returns the original ticket and charges once, even under concurrent retries', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const a = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const b = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  // Same request id from two connections at once, plus a quick pick whose retry must not re-roll.
  for (let i = 0; i < 10; i++) {
    a.room.send('bet', { requestId: 'same', lines: [[1, 2, 3, 4, 5, 6]] });
    b.room.send('bet', { requestId: 'same', lines: [[1, 2, 3, 4, 5, 6]] });
    a.room.send('bet', { requestId: 'qp-same', quickPick: 1 });
  }
  await a.waitForReplies(20);
  await b.waitForReplies(10);
  const all = [...a.replies, ...b.replies];
  t.ok(all.every((r) => r.type === 'bet:accepted'), 'every retry is answered as accepted');
  const same = all.filter((r) => r.requestId === 'same');
  t.equal(new Set(same.map((r) => r.ticketId)).size, 1, 'one ticket for all retries');
  const qp = all.filter((r) => r.requestId === 'qp-same');
  t.equal(new Set(qp.map((r) => JSON.stringify(r.lines))).size, 1, 'a retried quick pick returns the original numbers');
  const me = await http(ts.httpUrl, 'GET', '/api/me', undefined, token);
  t.equal(me.body.balanceMinor, 10_000 - 400, 'charged once per request id');

  // A retry long after the original commit is answered from the ledger.
  const late = await a.bet({ requestId: 'same', lines: [[1, 2, 3, 4, 5, 6]] });
  t.equal(late.ticketId, same[0].ticketId);
  t.equal(late.duplicate, true);
  await a.leave();
  await b.leave();
});

t.test('500 concurrent bets on a wallet that funds exactly k of them accept exactly k', async (t) => {
  const draw = await openDraw(ts.pool);
  const k = 137;
  const { token } = await newPlayer(ts.httpUrl, k * 200);
  // Two connections: as many as one player may hold in a draw (SEATS_PER_PLAYER_PER_DRAW_MAX).
  const conns = await Promise.all(Array.from({ length: 2 }, () => PlayerConnection.join(ts.wsUrl, token, draw.publicId)));
  for (let i = 0; i < 500; i++) {
    conns[i % 2].room.send('bet', { requestId: `k-${i}`, lines: [[1, 2, 3, 4, 5, 6]] });
  }
  const replies = (await Promise.all(conns.map((c) => c.waitForReplies(250)))).flat();
  t.equal(replies.length, 500, 'every bet got exactly one reply');
  const accepted = replies.filter((r) => r.type === 'bet:accepted');
  const rejected = replies.filter((r) => r.type === 'bet:rejected');
  t.same([...new Set(rejected.map((r) => r.code))], ['INSUFFICIENT_FUNDS'], 'every rejection is for funds');
  t.equal(accepted.length, k, 'exactly k accepted');
  const { rows } = await ts.pool.query('select count(*)::int as n from tickets where draw_id = $1', [draw.id]);
  t.equal(rows[0].n, accepted.length, 'the ledger holds exactly the acknowledged tickets');
  const me = await http(ts.httpUrl, 'GET', '/api/me', undefined, token);
  t.equal(me.body.balanceMinor, 0, 'wallet drained to zero, never below');
  for (const c of conns) await c.leave();
});

t.test('many players betting at once: concurrent batches on one pool neither deadlock nor fail', async (t) => {
  const draw = await openDraw(ts.pool);
  const players = await Promise.all(Array.from({ length: 8 }, () => newPlayer(ts.httpUrl, 100_000)));
  const conns = await Promise.all(players.map((p) => PlayerConnection.join(ts.wsUrl, p.token, draw.publicId)));
  const failedBefore = ts.server.betWriter.failedBatches;
  const perPlayer = 150;
  for (let i = 0; i < perPlayer; i++) {
    for (const c of conns) c.room.send('bet', { requestId: `many-${i}`, quickPick: 1 });
  }
  const replies = (await Promise.all(conns.map((c) => c.waitForReplies(perPlayer)))).flat();
  t.equal(replies.filter((r) => r.type === 'bet:accepted').length, players.length * perPlayer, 'all accepted');
  t.equal(ts.server.betWriter.failedBatches, failedBefore, 'no batch transaction failed');
  const { rows } = await ts.pool.query('select count(*)::int as n, sum(cost_minor)::int8 as stake from tickets where draw_id = $1', [draw.id]);
  t.equal(rows[0].n, players.length * perPlayer);
  const pool = await ts.pool.query('select balance_minor from accounts where id = $1', [draw.poolAccountId]);
  t.equal(pool.rows[0].balance_minor, rows[0].stake, 'the pool holds exactly the stakes');
  for (const c of conns) await c.leave();
});

t.test('malformed bets get BAD_MESSAGE or INVALID_SELECTION and the connection survives', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const cases: [unknown, string][] = [
    [null, 'BAD_MESSAGE'],
    ['a string', 'BAD_MESSAGE'],
    [[1, 2, 3], 'BAD_MESSAGE'],
    [{ lines: [[1, 2, 3, 4, 5, 6]] }, 'BAD_MESSAGE'],
    [{ requestId: '', lines: [[1, 2, 3, 4, 5, 6]] }, 'BAD_MESSAGE'],
    [{ requestId: 'x'.repeat(65), lines: [[1, 2, 3, 4, 5, 6]] }, 'BAD_MESSAGE'],
    [{ requestId: 'm1' }, 'BAD_MESSAGE'],
    [{ requestId: 'm2', lines: [[1, 2, 3, 4, 5, 6]], quickPick: 1 }, 'BAD_MESSAGE'],
    [{ requestId: 'm3', lines: [[1, 2, 3, 4, 5, 6]], extra: true }, 'BAD_MESSAGE'],
    [{ requestId: 'm4', lines: [[1, 2, 3, 4, 5]] }, 'INVALID_SELECTION'],
    [{ requestId: 'm5', lines: [[1, 2, 3, 4, 5, 50]] }, 'INVALID_SELECTION'],
    [{ requestId: 'm6', lines: [[1, 1, 3, 4, 5, 6]] }, 'INVALID_SELECTION'],
    [{ requestId: 'm7', lines: [[1, 2, 3, 4, 5, 6.5]] }, 'INVALID_SELECTION'],
    [{ requestId: 'm8', lines: [] }, 'INVALID_SELECTION'],
    [{ requestId: 'm9', lines: Array(11).fill([1, 2, 3, 4, 5, 6]) }, 'INVALID_SELECTION'],
    [{ requestId: 'm10', lines: 'all of them' }, 'INVALID_SELECTION'],
    [{ requestId: 'm11', quickPick: 0 }, 'INVALID_SELECTION'],
    [{ requestId: 'm12', quickPick: 11 }, 'INVALID_SELECTION'],
    [{ requestId: 'm13', quickPick: '3' }, 'INVALID_SELECTION'],
  ];
  for (const [message] of cases) conn.room.send('bet', message);
  conn.room.send('no-such-type', { hello: 1 });
  const replies = await conn.waitForReplies(cases.length + 1);
  t.same(
    replies.slice(0, cases.length).map((r) => r.code),
    cases.map(([, code]) => code),
    'each bad bet gets its code, in order',
  );
  t.equal(replies[cases.length].code, 'BAD_MESSAGE', 'an unknown message type is answered, not ignored');
  const ok = await conn.bet({ requestId: 'after', lines: [[1, 2, 3, 4, 5, 6]] });
  t.equal(ok.type, 'bet:accepted', 'the connection still works after bad input');
  const { rows } = await ts.pool.query('select count(*)::int as n from tickets where draw_id = $1', [draw.id]);
  t.equal(rows[0].n, 1, 'nothing but the good bet was written');
  await conn.leave();
});

t.test('a message over 4 KiB closes only its own connection; nothing is written', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const big = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const other = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const closed = new Promise<number>((resolve) => big.room.onLeave((code: number) => resolve(code)));
  big.room.send('bet', { requestId: 'huge', lines: [[1, 2, 3, 4, 5, 6]], pad: 'x'.repeat(5_000) });
  const code = await closed;
  t.ok(code >= 1000, `the oversized sender was disconnected (close code ${code})`);
  const ok = await other.bet({ requestId: 'small', lines: [[1, 2, 3, 4, 5, 6]] });
  t.equal(ok.type, 'bet:accepted', 'other connections are unaffected');
  const { rows } = await ts.pool.query('select request_id from tickets where draw_id = $1', [draw.id]);
  t.same(rows.map((r) => r.request_id), ['small']);
  await other.leave();
});

t.test('a connection over its bet rate gets RATE_LIMITED for the excess only', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 1_000_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const sent = 1_500;
  for (let i = 0; i < sent; i++) conn.room.send('bet', { requestId: `rl-${i}`, lines: [[1, 2, 3, 4, 5, 6]] });
  const replies = await conn.waitForReplies(sent);
  const limited = replies.filter((r) => r.code === 'RATE_LIMITED').length;
  const accepted = replies.filter((r) => r.type === 'bet:accepted').length;
  t.equal(limited + accepted, sent, 'every bet is either accepted or rate limited');
  t.ok(accepted >= 1_000 && limited > 0, `the burst of 1000 passes, the excess is limited (accepted ${accepted})`);
  const { rows } = await ts.pool.query('select count(*)::int as n from tickets where draw_id = $1', [draw.id]);
  t.equal(rows[0].n, accepted, 'limited bets were never written');
  await conn.leave();
});

t.test('joining needs a valid session and an open draw; clients cannot create rooms', async (t) => {
  const draw = await openDraw(ts.pool);
  const noAuth = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: draw.publicId });
  t.equal(noAuth.status, 401);
  t.equal(noAuth.body.code, 'UNAUTHORIZED');
  const { token } = await newPlayer(ts.httpUrl);
  const create = await http(ts.httpUrl, 'POST', '/matchmake/create/sales', { drawId: draw.publicId }, token);
  t.equal(create.status, 404, 'create is not exposed');
  const unknown = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: 'no-such-draw' }, token);
  t.equal(unknown.status, 404);
  t.equal(unknown.body.code, 'NOT_FOUND');
  const noDraw = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', {}, token);
  t.equal(noDraw.status, 400);
  const big = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: draw.publicId, pad: 'x'.repeat(20_000) }, token);
  t.equal(big.status, 413, 'matchmaking bodies are bounded');
});
