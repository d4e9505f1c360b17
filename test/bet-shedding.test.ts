// Load shedding in the bet writer (core/limits.ts BET_QUEUE_WAIT_MS_MAX): once the oldest
// queued bet has waited a second for a database that is answering but not keeping up, new
// bets are answered SERVER_BUSY at once instead of joining a queue that only grows (near the
// cutoff such a queue ended in DRAW_CLOSED for bets received in time). What was queued is
// still written and answered; once the queue moves again, bets are taken again. Here a lock
// on the draw holds the writer's batches, as a slow commit would.
import t from 'tap';
import { BET_QUEUE_WAIT_MS_MAX, CUTOFF_GRACE_MS } from '../core/limits.ts';
import { newPlayer, openDraw, PlayerConnection, startTestServer, type BetReply } from './support/harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('a queue that stopped moving sheds new bets with SERVER_BUSY and writes what it holds', async (t) => {
  const ts = await startTestServer({ env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
  t.teardown(() => ts.close());
  const { token } = await newPlayer(ts.httpUrl, 100_000);
  const draw = await openDraw(ts.pool);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.equal((await conn.bet({ requestId: 'warm', quickPick: 1 })).type, 'bet:accepted', 'a bet goes through at first');

  const locker = await ts.pool.connect();
  await locker.query('begin');
  await locker.query('select id from draws where id = $1 for update', [draw.id]);
  // Apart, so that each takes a writer slot of its own while there is one (two on
  // PostgreSQL, one on PGlite) and the last waits in the queue.
  const held: Promise<BetReply>[] = [];
  for (const requestId of ['held-0', 'held-1', 'held-2']) {
    held.push(conn.bet({ requestId, quickPick: 1 }));
    await sleep(50);
  }
  await sleep(BET_QUEUE_WAIT_MS_MAX + 200);
  const startedMs = Date.now();
  const shed = await conn.bet({ requestId: 'shed', quickPick: 1 });
  t.match(shed, { type: 'bet:rejected', code: 'SERVER_BUSY' }, 'a bet behind a queue waiting a second is shed');
  t.ok(Date.now() - startedMs < BET_QUEUE_WAIT_MS_MAX, 'at once, not after the queue');

  await locker.query('commit');
  locker.release();
  const replies = await Promise.all(held);
  t.same(replies.map((r) => r.type), ['bet:accepted', 'bet:accepted', 'bet:accepted'], 'the bets already queued are written and answered');
  t.equal((await conn.bet({ requestId: 'after', quickPick: 1 })).type, 'bet:accepted', 'and bets are taken again once the queue moves');
  t.equal((await conn.bet({ requestId: 'shed', quickPick: 1 })).type, 'bet:accepted', 'the shed bet, resent under its request id, is bought then');
  const { rows } = await ts.pool.query<{ request_id: string }>('select request_id from tickets where draw_id = $1 order by request_id', [draw.id]);
  t.same(rows.map((r) => r.request_id), ['after', 'held-0', 'held-1', 'held-2', 'shed', 'warm'], 'one ticket each, the shed bet only from its resend');
  await conn.leave();
});

t.test('a bet still waiting for the database at draw time is answered before its connection is closed (4410)', async (t) => {
  const ts = await startTestServer({ env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
  t.teardown(() => ts.close());
  const [{ token }, { token: idleToken }] = [await newPlayer(ts.httpUrl, 100_000), await newPlayer(ts.httpUrl, 100_000)];
  // Cutoff in 2 s, draw time 1 s after it (the database check lets a batch commit until cutoff + 2 s).
  const draw = await openDraw(ts.pool, 2_000, Date.now(), 1_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const idle = await PlayerConnection.join(ts.wsUrl, idleToken, draw.publicId);
  const closes = [conn, idle].map((c) => new Promise<{ code: number; atMs: number }>((resolve) => c.room.onLeave((code: number) => resolve({ code, atMs: Date.now() }))));

  // The writer is held (a lock on the draw, as an outage would) over the draw time.
  const locker = await ts.pool.connect();
  await locker.query('begin');
  await locker.query('select id from draws where id = $1 for update', [draw.id]);
  const reply = conn.bet({ requestId: 'held', quickPick: 1 });
  const idleClosed = await closes[1];
  t.equal(idleClosed.code, 4410, 'at draw time a connection with nothing in flight is closed DRAW_OVER');
  t.ok(idleClosed.atMs >= draw.drawAtMs, 'not before the draw time');
  // Past cutoff + grace. The batch may still be bought: it read the draw open before the
  // lock held it, and the draw cannot close until it is done (the fence's row lock).
  await sleep(draw.cutoffAtMs + CUTOFF_GRACE_MS + 200 - Date.now());
  let answered = false;
  void reply.then(() => (answered = true));
  t.notOk(answered, 'the bet is still waiting');
  await locker.query('commit');
  locker.release();
  const r = await reply;
  t.ok(r.type === 'bet:accepted' || r.code === 'DRAW_CLOSED', `it gets its answer (${r.type} ${r.code ?? ''})`);
  const closed = await closes[0];
  t.equal(closed.code, 4410, 'and only then is its connection closed');
  const { rows } = await ts.pool.query('select count(*)::int as n from tickets where draw_id = $1', [draw.id]);
  t.equal(rows[0].n, r.type === 'bet:accepted' ? 1 : 0, 'a ticket exactly if it was bought');
});
