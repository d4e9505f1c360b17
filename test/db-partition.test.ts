// The network to PostgreSQL is partitioned (packets dropped, nothing closed) with a bet
// batch in flight: the batch's connection is given up after BET_QUERY_MS_MAX and every bet
// is answered within its wait (SERVICE_UNAVAILABLE: resend to learn), not minutes later
// when TCP would give up; the process keeps serving meanwhile; and once the network heals
// the resent bets are bought exactly once and sales go on by themselves.
//
// Needs DATABASE_URL: a partition is between a server and its database over a network
// (here a relay in the test that stops moving bytes); the embedded database has none.
import t from 'tap';
import { openDatabase } from '../app/database.ts';
import { createLogger } from '../core/logger.ts';
import { BET_DATABASE_WAIT_MS_MAX } from '../core/limits.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { createScratchDatabase } from './support/database.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer } from './support/harness.ts';
import { TcpProxy } from './support/tcpProxy.ts';

const databaseUrl = process.env.DATABASE_URL;

t.test(
  'a partition from the database mid-batch: bets answered SERVICE_UNAVAILABLE within their wait, bought once after the heal',
  { skip: databaseUrl ? false : 'needs DATABASE_URL: a network partition needs a database across a network', timeout: 120_000 },
  async (t) => {
    const scratch = await createScratchDatabase(databaseUrl!, 'lottery_partition');
    const target = new URL(scratch.url);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const through = new URL(scratch.url);
    through.port = String(proxy.port);
    const ts = await startTestServer({ databaseUrl: through.toString(), env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
    // The test reads the ledger directly, never through the partition.
    const direct = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolMax: 2, logger: createLogger('silent') });
    t.teardown(async () => {
      proxy.heal();
      await ts.close();
      await proxy.close();
      await direct.close();
      await scratch.drop();
    });

    const draw = await openDraw(ts.pool);
    const { token } = await newPlayer(ts.httpUrl, 100_000);
    const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
    t.equal((await conn.bet({ requestId: 'before', quickPick: 1 })).type, 'bet:accepted', 'sales work through the relay');

    proxy.partition();
    const sentMs = Date.now();
    const lost = await Promise.all(
      Array.from({ length: 3 }, async (_, i) => {
        const reply = await conn.bet({ requestId: `cut-off-${i}`, lines: [[1, 2, 3, 4, 5, 10 + i]] });
        return { reply, afterMs: Date.now() - sentMs };
      }),
    );
    t.same(lost.map((l) => l.reply.code), Array(3).fill('SERVICE_UNAVAILABLE'), 'every bet is answered SERVICE_UNAVAILABLE');
    const slowestMs = Math.max(...lost.map((l) => l.afterMs));
    t.ok(slowestMs < BET_DATABASE_WAIT_MS_MAX + 3_000, `within the bet's wait, not when TCP gives up (${slowestMs} ms)`);
    const health = await fetch(`${ts.httpUrl}/healthz`);
    t.equal(health.status, 200, 'the process keeps serving meanwhile');

    proxy.heal();
    const resent = await Promise.all(lost.map((l, i) => conn.bet({ requestId: l.reply.requestId, lines: [[1, 2, 3, 4, 5, 10 + i]] })));
    t.ok(resent.every((r) => r.type === 'bet:accepted'), 'resent after the heal, every bet is bought');
    t.equal((await conn.bet({ requestId: 'after', quickPick: 1 })).type, 'bet:accepted', 'sales go on by themselves');
    const { rows } = await direct.pool.query(`select request_id from tickets where draw_id = $1 order by id`, [draw.id]);
    t.same(rows.map((r) => r.request_id).sort(), ['after', 'before', 'cut-off-0', 'cut-off-1', 'cut-off-2'], 'one ticket each, none twice');
    const me = await http(ts.httpUrl, 'GET', '/api/me', undefined, token);
    t.equal(me.body.balanceMinor, 100_000 - 5 * 200, 'charged once per ticket');
    t.same((await checkLedger(direct.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
    await conn.leave();
  },
);
