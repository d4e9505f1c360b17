// A socket that sends faster than any client should is cut off, but never before every bet
// the room took from it is answered: the room stops reading it, waits for the replies to
// its bets in flight to go out, then closes it at once with FLOODED (a code the SDK does
// not retry), and keeps no seat for it. Before this, Colyseus' own limit dropped such a
// client 20 s later (our onDrop held its seat for reconnection) and the replies to its
// last, charged bets were lost.
import t from 'tap';
import { Client } from '@colyseus/sdk';
import { matchMaker } from '@colyseus/core';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { SalesCloseCode } from '../rooms/closeCodes.ts';
import { newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;

t.before(async () => {
  // The defaults: 20 bets/s, bursts of 40; the socket limit is then 240 frames/s.
  ts = await startTestServer({ env: { BET_RATE_PER_SECOND: '20', BET_RATE_BURST: '40' } });
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

t.test('a flooding socket gets a reply to every bet it sent before the cut, closes with FLOODED within a second, and keeps no seat', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 1_000_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const replyAtMs: number[] = [];
  conn.room.onMessage('bet:accepted', () => replyAtMs.push(Date.now()));
  conn.room.onMessage('bet:rejected', () => replyAtMs.push(Date.now()));
  const closed = new Promise<{ code: number; atMs: number }>((resolve) => conn.room.onLeave((code: number) => resolve({ code, atMs: Date.now() })));
  const { sessionId, roomId } = conn.room;
  const reconnectionToken = conn.room.reconnectionToken;

  const sent = 600;
  const startMs = Date.now();
  for (let i = 0; i < sent; i++) conn.room.send('bet', { requestId: `f-${i}`, quickPick: 1 });
  const close = await Promise.race([closed, new Promise<null>((r) => setTimeout(() => r(null), 25_000))]);
  t.ok(close, 'the socket was closed');
  if (!close) return;
  t.comment(`closed ${close.atMs - startMs} ms after the flood began with code ${close.code}; ${conn.replies.length} replies`);
  t.equal(close.code, SalesCloseCode.FLOODED, 'with the FLOODED close code');
  t.ok(close.atMs - startMs < 3_000, `promptly (${close.atMs - startMs} ms after the flood began)`);
  const lastReplyMs = Math.max(...replyAtMs);
  t.ok(close.atMs - lastReplyMs < 1_000, `within a second of its last reply (${close.atMs - lastReplyMs} ms)`);

  // Every bet taken was answered: the replies are for a prefix of what was sent, without gaps.
  const answered = conn.replies.map((r) => r.requestId);
  t.ok(answered.length > 100 && answered.length < sent, `${answered.length} of ${sent} bets were taken before the cut`);
  // (Refusals go out at once, acceptances after their commit: compare as sets.)
  t.same([...answered].sort(), answered.map((_, i) => `f-${i}`).sort(), 'each taken bet has exactly one reply');
  const accepted = conn.replies.filter((r) => r.type === 'bet:accepted').map((r) => r.requestId);
  t.same(new Set(conn.replies.filter((r) => r.type === 'bet:rejected').map((r) => r.code)), new Set(['RATE_LIMITED']), 'the rest were refused for the rate');
  const { rows } = await ts.pool.query(`select request_id from tickets where draw_id = $1 order by id`, [draw.id]);
  t.same(rows.map((r) => r.request_id), accepted, 'every charged bet was acknowledged, and nothing else was charged');

  // No seat is kept for it: the room holds none, and the SDK cannot reconnect to one.
  const room = matchMaker.getLocalRoomById(roomId);
  t.notOk(room?.hasReservedSeat(sessionId, reconnectionToken.split(':')[1]), 'no seat is held for reconnection');
  const client = new Client(ts.wsUrl);
  await t.rejects(client.reconnect(reconnectionToken), 'reconnecting is refused');

  const again = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.equal((await again.bet({ requestId: 'after-flood', quickPick: 1 })).type, 'bet:accepted', 'the player can join again and bet');
  await again.leave();
});

t.test('a client within its rate is never cut off', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 1_000_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  let left = false;
  conn.room.onLeave(() => (left = true));
  // A burst of 40 at once, then 20 a second for 2 s: what the defaults allow.
  for (let i = 0; i < 40; i++) conn.room.send('bet', { requestId: `ok-${i}`, quickPick: 1 });
  for (let s = 0; s < 2; s++) {
    await new Promise((r) => setTimeout(r, 1_000));
    for (let i = 0; i < 20; i++) conn.room.send('bet', { requestId: `ok-${s}-${i}`, quickPick: 1 });
  }
  await conn.waitForReplies(80);
  t.notOk(left, 'still connected');
  t.equal(conn.replies.filter((r) => r.code === 'RATE_LIMITED').length < 10, true, 'at most a few refused for the rate');
  await conn.leave();
});
