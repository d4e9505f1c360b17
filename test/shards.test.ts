// Sales rooms are shards of one draw: they appear as maxClients is reached and all show
// the same totals, rebuilt from the ledger for a new shard.
import t from 'tap';
import { createLogger } from '../core/logger.ts';
import { DrawScheduler } from '../actors/DrawScheduler.ts';
import { DRAWS_AHEAD, SALES_SERVER_TIME_REFRESH_MS } from '../core/limits.ts';
import { LocalLeadership } from '../actors/Leadership.ts';
import { until } from './support/wait.ts';
import { offsetClock, systemClock } from '../core/clock.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer({ env: { SALES_ROOM_CLIENTS_MAX: '3' } });
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());


t.test('players beyond maxClients get new shards and every shard shows the draw-wide totals', async (t) => {
  const draw = await openDraw(ts.pool);
  const players = await Promise.all(Array.from({ length: 7 }, () => newPlayer(ts.httpUrl, 10_000)));
  const conns: PlayerConnection[] = [];
  for (const p of players) conns.push(await PlayerConnection.join(ts.wsUrl, p.token, draw.publicId));
  const byRoom = new Map<string, number>();
  for (const c of conns) byRoom.set(c.room.roomId, (byRoom.get(c.room.roomId) ?? 0) + 1);
  t.equal(byRoom.size, 3, 'seven players over shards of three make three shards');
  t.ok([...byRoom.values()].every((n) => n <= 3), 'no shard over maxClients');

  const replies = await Promise.all(conns.map((c, i) => c.bet({ requestId: `shard-${i}`, quickPick: 1 + (i % 2) })));
  t.ok(replies.every((r) => r.type === 'bet:accepted'));
  const expectedTickets = 7;
  const expectedPool = replies.reduce((sum, r) => sum + r.cost, 0);
  const agreed = await until(() =>
    conns.every((c) => c.room.state.ticketsSold === expectedTickets && c.room.state.poolTotalMinor === expectedPool),
  );
  t.ok(agreed, `all shards show ${expectedTickets} tickets and ${expectedPool} in the pool`);
  t.ok(conns.every((c) => c.room.state.cutoffAtMs === draw.cutoffAtMs && c.room.state.status === 'open'), 'draw status and cutoff');
  t.ok(conns.every((c) => Math.abs(c.room.state.serverTimeMs - Date.now()) < SALES_SERVER_TIME_REFRESH_MS + 2_000), 'server time streams');

  for (const c of conns) await c.leave();
  // Every shard is gone; a fresh one must start from the ledger, not from zero.
  const late = await PlayerConnection.join(ts.wsUrl, players[0].token, draw.publicId);
  t.ok(await until(() => late.room.state.ticketsSold === expectedTickets), 'a new shard rebuilds its totals from the ledger');
  t.equal(late.room.state.poolTotalMinor, expectedPool);
  await late.leave();
});

t.test('the scheduler keeps the next draws created, once, however many processes run it', async (t) => {
  const logger = createLogger('silent');
  const schedulers = Array.from({ length: 4 }, () => new DrawScheduler({
        pool: ts.pool,
        clock: systemClock,
        logger,
        runner: ts.server.draws.runner,
        leadership: new LocalLeadership(),
        schedule: { schedule: 'daily', demoPeriodSeconds: 240 },
      }),);
  await Promise.all(schedulers.map((s) => s.ensureUpcoming()));
  await Promise.all(schedulers.map((s) => s.ensureUpcoming()));
  const { rows } = await ts.pool.query(
    `select public_id, cutoff_at, draw_at, seed_commitment, seed_sealed from draws
      where game_id = 'lotto649' and public_id like 'lotto649-%' and draw_at < '2031-01-01' order by draw_at`,
  );
  t.ok(rows.every((r) => r.seed_commitment?.length === 32 && r.seed_sealed?.length === 60), 'every draw is created with its commitment and sealed seed');
  t.equal(rows.length, DRAWS_AHEAD, `exactly ${DRAWS_AHEAD} upcoming draws`);
  t.equal(new Set(rows.map((r) => r.public_id)).size, DRAWS_AHEAD, 'no duplicates');
  for (const r of rows) {
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    t.equal(local.format(new Date(r.cutoff_at)), '15:00', `${r.public_id} cuts off at 15:00 Berlin time`);
    t.equal(local.format(new Date(r.draw_at)), '16:00', `${r.public_id} draws at 16:00 Berlin time`);
  }
  const pools = await ts.pool.query(`select count(*)::int as n from accounts where kind = 'draw_pool' and id not in (select pool_account_id from draws)`);
  t.equal(pools.rows[0].n, 0, 'racing creators leave no orphan pool accounts');
});

t.test('between a cutoff and its draw, the next draws still selling are created all the same', async (t) => {
  // 15:30 in Berlin: today's draw has closed but not been drawn (it ran at that hour of the day).
  const atMs = Date.parse('2031-03-12T14:30:00Z');
  const scheduler = new DrawScheduler({
    pool: ts.pool,
    clock: offsetClock(atMs - Date.now()),
    logger: createLogger('silent'),
    runner: ts.server.draws.runner,
    leadership: new LocalLeadership(),
    schedule: { schedule: 'daily', demoPeriodSeconds: 240 },
  });
  await scheduler.ensureUpcoming();
  const { rows } = await ts.pool.query(
    `select public_id from draws where game_id = 'lotto649' and draw_at >= '2031-03-12' and draw_at < '2031-04-01' order by draw_at`,
  );
  t.same(
    rows.map((r) => r.public_id),
    Array.from({ length: DRAWS_AHEAD }, (_, i) => `lotto649-2031-03-${13 + i}`),
    `the next ${DRAWS_AHEAD} draws that still sell, not today's that has closed`,
  );
});
