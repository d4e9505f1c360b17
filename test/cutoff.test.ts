// The three-layer cutoff fence: room receive time, the batch's database check, the closed draw.
import t from 'tap';
import { ClockHealth } from '../actors/ClockHealth.ts';
import { DrawScheduler } from '../actors/DrawScheduler.ts';
import { LocalLeadership } from '../actors/Leadership.ts';
import { createLogger } from '../core/logger.ts';
import { offsetClock, type Clock } from '../core/clock.ts';
import { CUTOFF_GRACE_MS } from '../core/limits.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { closeDueDraws } from '../ledger/draws.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';
import { operators } from './support/operators.ts';

/** The server's clock: real time, optionally frozen or skewed by a test. */
const clock: Clock & { offsetMs: number; frozenMs: number | undefined } = {
  offsetMs: 0,
  frozenMs: undefined,
  nowMs() {
    return this.frozenMs ?? Date.now() + this.offsetMs;
  },
};

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer({ clock, env: { BET_RATE_PER_SECOND: '10000', BET_RATE_BURST: '10000' } });
});

t.afterEach(async () => {
  clock.offsetMs = 0;
  clock.frozenMs = undefined;
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});

t.teardown(() => ts.close());

const LINE = [[1, 2, 3, 4, 5, 6]];

t.test('a bet received 1 ms before cutoff is accepted; one received at cutoff is rejected', async (t) => {
  const draw = await openDraw(ts.pool, 30_000);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  clock.frozenMs = draw.cutoffAtMs - 1;
  const before = await conn.bet({ requestId: 'before', lines: LINE });
  t.equal(before.type, 'bet:accepted');
  t.equal(before.receivedAt, draw.cutoffAtMs - 1);
  clock.frozenMs = draw.cutoffAtMs;
  const at = await conn.bet({ requestId: 'at', lines: LINE });
  t.equal(at.type, 'bet:rejected');
  t.equal(at.code, 'DRAW_CLOSED');
  await conn.leave();
});

t.test('bets streaming across the cutoff: every one received before is accepted, none after', async (t) => {
  // Three players, one connection each (one player may hold at most two seats of a draw).
  const tokens = (await Promise.all([1, 2, 3].map(() => newPlayer(ts.httpUrl, 1_000_000)))).map((p) => p.token);
  const token = tokens[0];
  const draw = await openDraw(ts.pool, 1_500);
  const conns = await Promise.all(tokens.map((tk) => PlayerConnection.join(ts.wsUrl, tk, draw.publicId)));
  let sent = 0;
  const endMs = draw.cutoffAtMs + 700;
  while (Date.now() < endMs) {
    for (const c of conns) c.room.send('bet', { requestId: `s-${sent++}`, lines: LINE });
    await new Promise((r) => setTimeout(r, 5));
  }
  const replies = (await Promise.all(conns.map((c, i) => c.waitForReplies(Math.floor(sent / 3) + (i < sent % 3 ? 1 : 0))))).flat();
  t.equal(replies.length, sent, 'one reply per bet');
  const accepted = replies.filter((r) => r.type === 'bet:accepted');
  const rejected = replies.filter((r) => r.type === 'bet:rejected');
  t.ok(accepted.length > 50 && rejected.length > 50, `bets landed on both sides (${accepted.length} before, ${rejected.length} after)`);
  t.ok(accepted.every((r) => r.receivedAt < draw.cutoffAtMs), 'no bet received at or after cutoff was accepted');
  t.ok(rejected.every((r) => r.code === 'DRAW_CLOSED' && r.receivedAt >= draw.cutoffAtMs), 'every rejection is a late bet');
  const { rows } = await ts.pool.query(
    'select count(*)::int as n, count(*) filter (where received_at >= $2)::int as late from tickets where draw_id = $1',
    [draw.id, new Date(draw.cutoffAtMs)],
  );
  t.equal(rows[0].n, accepted.length, 'the ledger holds exactly the accepted tickets');
  t.equal(rows[0].late, 0, 'no ticket in the ledger was received after cutoff');
  t.equal(conns[0].room.state.status, 'closed', 'the room closed itself at cutoff');
  const rejoin = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: draw.publicId }, token);
  t.equal(rejoin.status, 409, 'no new shard after cutoff');
  t.equal(rejoin.body.code, 'DRAW_CLOSED');
  for (const c of conns) await c.leave();
});

t.test('a node whose clock runs behind cannot sell past cutoff + grace (database clock check)', async (t) => {
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const draw = await openDraw(ts.pool, 400);
  clock.offsetMs = -60_000; // this node believes it is a minute earlier
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  await new Promise((r) => setTimeout(r, 400 + CUTOFF_GRACE_MS + 100));
  const reply = await conn.bet({ requestId: 'skewed', lines: LINE });
  t.equal(reply.type, 'bet:rejected');
  t.equal(reply.code, 'DRAW_CLOSED');
  t.ok(reply.receivedAt < draw.cutoffAtMs, 'even though the node stamped it before cutoff');
  const { rows } = await ts.pool.query('select count(*)::int as n from tickets where draw_id = $1', [draw.id]);
  t.equal(rows[0].n, 0);
  await conn.leave();
});

t.test('once the draw is closed in the database no batch inserts into it', async (t) => {
  const draw = await openDraw(ts.pool, 60_000);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.equal((await conn.bet({ requestId: 'open', lines: LINE })).type, 'bet:accepted');
  await ts.pool.query(`update draws set status = 'closed', closed_at = now() where id = $1`, [draw.id]);
  const reply = await conn.bet({ requestId: 'closed', lines: LINE });
  t.equal(reply.code, 'DRAW_CLOSED', 'the room still thinks it is selling, the ledger refuses');
  await conn.leave();
});

t.test('the scheduler closes a draw only after cutoff + grace', async (t) => {
  const draw = await openDraw(ts.pool, 300);
  await new Promise((r) => setTimeout(r, 400));
  t.notOk((await closeDueDraws(ts.pool, CUTOFF_GRACE_MS)).includes(draw.publicId), 'not yet: in-flight bets may still commit');
  await new Promise((r) => setTimeout(r, CUTOFF_GRACE_MS));
  t.ok((await closeDueDraws(ts.pool, CUTOFF_GRACE_MS)).includes(draw.publicId), 'closed after the grace');
  t.same(await closeDueDraws(ts.pool, CUTOFF_GRACE_MS), [], 'closing is idempotent');
});

t.test('a retry after cutoff of a bet bought before it returns the ticket, not a refusal', async (t) => {
  const draw = await openDraw(ts.pool, 30_000);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  clock.frozenMs = draw.cutoffAtMs - 1;
  const bought = await conn.bet({ requestId: 'bought', quickPick: 1 });
  t.equal(bought.type, 'bet:accepted');
  clock.frozenMs = draw.cutoffAtMs + 500; // the reply was lost; the client resends after cutoff
  const again = await conn.bet({ requestId: 'bought', quickPick: 1 });
  t.equal(again.type, 'bet:accepted');
  t.equal(again.ticketId, bought.ticketId, 'the same ticket');
  t.same(again.lines, bought.lines, 'with the lines it was bought with');
  t.equal(again.duplicate, true);
  t.equal(again.balance, bought.balance, 'charged once');
  const fresh = await conn.bet({ requestId: 'fresh', quickPick: 1 });
  t.equal(fresh.code, 'DRAW_CLOSED', 'a new bet after cutoff is still refused');
  await conn.leave();
});

t.test('clock health: a process whose clock is off by more than 100 ms says so (metric and log)', async (t) => {
  const metric = async () => {
    const res = await fetch(`${ts.httpUrl}/metrics`, { headers: (await operators(ts.httpUrl, () => clock.nowMs())).support.headers });
    return res.text();
  };
  clock.offsetMs = 400; // this node runs 400 ms ahead of the database
  const skewed = await ts.server.clockHealth.check();
  t.ok(skewed && Math.abs(skewed.offsetMs + 400) < 100, `measured ${Math.round(skewed!.offsetMs)} ms`);
  t.ok(Math.abs(ts.server.clockHealth.dbNowMs() - Date.now()) < 100, 'and still knows the database time');
  const bad = await metric();
  t.match(bad, /lottery_clock_skewed 1/);
  clock.offsetMs = 0;
  await ts.server.clockHealth.check();
  t.match(await metric(), /lottery_clock_skewed 0/);
});

t.test('a draw leader whose clock runs 3 s ahead still closes and draws by the database clock', async (t) => {
  const draw = await openDraw(ts.pool, 1_000, Date.now(), 1_000);
  const scheduler = await leaderWithClock(offsetClock(3_000));
  t.teardown(() => scheduler.stop());
  const row = await settled(draw.id);
  t.equal(row.status, 'settled');
  t.ok(new Date(row.closed_at).getTime() >= draw.cutoffAtMs + CUTOFF_GRACE_MS, 'closed no earlier than cutoff + grace');
  t.ok(new Date(row.drawn_at).getTime() >= draw.drawAtMs, 'drawn no earlier than draw time');
  t.ok(new Date(row.closed_at).getTime() < draw.cutoffAtMs + CUTOFF_GRACE_MS + 1_000, 'and not late either');
});

t.test('a draw nobody opened before its cutoff (every process down) closes unsold and still runs its day', async (t) => {
  const nowMs = Date.now();
  const { draw } = await ts.server.draws.runner.createDraw({
    publicId: `missed-${nowMs}`,
    gameId: 'lotto649',
    businessDate: new Date(nowMs).toISOString().slice(0, 10),
    openAtMs: nowMs - 60_000,
    cutoffAtMs: nowMs - 3_000,
    drawAtMs: nowMs + 1_500,
  });
  t.equal(draw.status, 'scheduled');
  const scheduler = await leaderWithClock({ nowMs: () => Date.now() });
  t.teardown(() => scheduler.stop());
  const row = await settled(draw.id);
  t.equal(row.status, 'settled');
  t.equal(row.ticket_count, 0, 'sealed empty');
  t.ok(new Date(row.drawn_at).getTime() >= draw.drawAtMs, 'drawn at its draw time');
});

/** A draw scheduler leading every draw of this server's database, on the given clock. */
async function leaderWithClock(leaderClock: Clock): Promise<DrawScheduler> {
  const logger = createLogger('silent');
  const health = new ClockHealth(ts.pool, leaderClock, logger);
  await health.check();
  const scheduler = new DrawScheduler({
    pool: ts.pool,
    clock: leaderClock,
    logger,
    runner: ts.server.draws.runner,
    leadership: new LocalLeadership(),
    schedule: { schedule: 'daily', demoPeriodSeconds: 240 },
    dbNowMs: () => health.dbNowMs(),
  });
  await scheduler.start();
  return scheduler;
}

/** The draw's row once it is settled (or as it is after 15 s). */
async function settled(drawId: number) {
  const start = Date.now();
  let row;
  while (Date.now() - start < 15_000) {
    row = (await ts.pool.query('select status, closed_at, drawn_at, ticket_count from draws where id = $1', [drawId])).rows[0];
    if (row.status === 'settled') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return row;
}
