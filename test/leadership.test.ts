// Draw leadership across processes: one leader per draw through advisory locks on a
// session of its own, hand-over when a leader goes, and a draw that still runs its whole
// day on time when the process leading it dies mid-way.
//
// Needs a real PostgreSQL: several sessions contending for one lock is the point, and the
// embedded database has a single connection inside a single process (which therefore
// leads every draw itself; LocalLeadership, checked at the end).
import t from 'tap';
import pg from 'pg';
import { createLogger } from '../core/logger.ts';
import { DrawScheduler } from '../actors/DrawScheduler.ts';
import { AdvisoryLockLeadership, LocalLeadership, DRAW_LEADER_LOCK_CLASS } from '../actors/Leadership.ts';
import { systemClock } from '../core/clock.ts';
import { drawById } from '../ledger/draws.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { startTestServer, openDraw, newPlayer, PlayerConnection, line, type TestServer } from './support/harness.ts';
import { until } from './support/wait.ts';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');


t.test('embedded database: the one process leads every draw', async (t) => {
  const l = new LocalLeadership();
  t.same(await l.tryAcquire([3, 1]), [3, 1]);
  t.same(await l.tryAcquire([3, 4]), [4], 'a draw already led is not taken again');
  await l.release(3);
  t.same([...l.held].sort(), [1, 4]);
  await l.close();
  t.equal(l.held.size, 0);
});

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  t.comment('skipping advisory-lock leadership: needs DATABASE_URL (several sessions of one PostgreSQL server)');
} else {
  let ts: TestServer;
  t.before(async () => {
    ts = await startTestServer();
  });
  t.teardown(() => ts.close());

  t.test('one leader per draw; a released or ended session hands its draws over', async (t) => {
    const a = new AdvisoryLockLeadership(ts.databaseUrl!, logger);
    const b = new AdvisoryLockLeadership(ts.databaseUrl!, logger);
    t.teardown(async () => {
      await a.close();
      await b.close();
    });
    t.same(await a.tryAcquire([101, 102, 103]), [101, 102, 103]);
    t.same(await b.tryAcquire([101, 102, 103, 104]), [104], 'b gets only the draw nobody leads');
    t.same(await a.tryAcquire([101, 104]), [], 'a never re-takes its own lock, nor b’s');
    await a.release(101);
    t.same(await b.tryAcquire([101]), [101], 'a released draw goes to the next taker');

    // Locks are on a's own session: the pool's sessions see them held by exactly one backend.
    const { rows } = await ts.pool.query(
      `select objid::int as draw, pid from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database()) and classid = $1 and granted order by objid`,
      [DRAW_LEADER_LOCK_CLASS],
    );
    t.same(rows.map((r) => r.draw), [101, 102, 103, 104]);
    t.equal(new Set(rows.filter((r) => r.draw === 102 || r.draw === 103).map((r) => r.pid)).size, 1, 'a holds its draws on one session');

    // The leader's session ends (as when its process dies): PostgreSQL frees its locks.
    const lost: number[][] = [];
    a.onLost((ids) => lost.push(ids));
    const aPid = rows.find((r) => r.draw === 102)!.pid;
    await ts.pool.query('select pg_terminate_backend($1)', [aPid]);
    t.ok(await until(() => lost.length === 1, 5_000), 'a is told it lost its leadership');
    t.same(lost[0].sort(), [102, 103]);
    t.equal(a.held.size, 0);
    t.ok(await until(async () => (await b.tryAcquire([102, 103])).length > 0 && b.held.has(102) && b.held.has(103), 5_000), 'b takes the draws over');
    t.same(await a.tryAcquire([102, 103, 105]), [105], 'a reconnects and takes only what is free');
  });

  t.test('a draw led by a process that dies mid-day is sealed, drawn and settled on time by another', async (t) => {
    // A short day: cutoff in 2.5 s, draw 1.5 s after it.
    // The player first: a registration under load must not eat the draw's short sale.
    const player = await newPlayer(ts.httpUrl, 10_000);
    const draw = await openDraw(ts.pool, 2_500, Date.now(), 1_500);
    const conn = await PlayerConnection.join(ts.wsUrl, player.token, draw.publicId);
    const reply = await conn.bet({ requestId: 'lead-1', lines: [line(1, 2, 3, 4, 5, 6)] });
    t.equal(reply.type, 'bet:accepted');
    await conn.leave();

    const make = () =>
      new DrawScheduler({
        pool: ts.pool,
        clock: systemClock,
        logger,
        runner: ts.server.draws.runner,
        leadership: new AdvisoryLockLeadership(ts.databaseUrl!, logger),
        schedule: { schedule: 'daily', demoPeriodSeconds: 240 },
      });
    const first = make();
    const second = make();
    await first.start();
    t.ok(first.led.includes(draw.id), 'the first process to try leads the draw');
    await second.start();
    t.notOk(second.led.includes(draw.id), 'the second does not');

    // Die before the cutoff: the lock goes with the session, nothing is said to anyone.
    const leaderPid = (
      await ts.pool.query(`select pid from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database()) and classid = $1 and objid = $2 and granted`, [
        DRAW_LEADER_LOCK_CLASS,
        draw.id,
      ])
    ).rows[0].pid;
    await ts.pool.query('select pg_terminate_backend($1)', [leaderPid]);
    await first.stop(); // and its loops stop, as a dead process's would
    t.ok(await until(() => second.led.includes(draw.id), 5_000), 'another process takes the draw over within 5 s');
    t.teardown(() => second.stop());
    t.not(leaderPid, undefined);

    t.ok(await until(async () => (await drawById(ts.pool, draw.id))!.status === 'settled', 15_000, 100), 'the draw runs to settled');
    const done = (await drawById(ts.pool, draw.id))!;
    const drawnAt = await ts.pool.query(`select drawn_at, closed_at from draws where id = $1`, [draw.id]);
    const closedLateMs = new Date(drawnAt.rows[0].closed_at).getTime() - (done.cutoffAtMs + 2_000);
    const drawnLateMs = new Date(drawnAt.rows[0].drawn_at).getTime() - done.drawAtMs;
    t.ok(closedLateMs >= 0 && closedLateMs < 1_500, `closed at cutoff + grace (${closedLateMs} ms after)`);
    t.ok(drawnLateMs >= 0 && drawnLateMs < 1_500, `drawn at draw time (${drawnLateMs} ms after)`);
    t.equal(done.seal?.ticketCount, 1, 'the acknowledged ticket is in the seal');
    t.ok(await until(() => !second.led.includes(draw.id), 3_000), 'leadership is released once the draw is settled');
    t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
  });
}
