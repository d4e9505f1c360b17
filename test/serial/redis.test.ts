// With REDIS_URL the server uses Redis presence and matchmaking; bets keep every guarantee.
import t from 'tap';
import { checkLedger, linePricesOf } from '../../ledger/invariants.ts';
import { allGames } from '../../games/index.ts';
import { newPlayer, openDraw, PlayerConnection, startTestServer } from '../support/harness.ts';

const redisUrl = process.env.REDIS_URL;

t.test('sales over Redis presence and driver', { skip: redisUrl ? false : 'needs a Redis server (REDIS_URL) to test RedisPresence and RedisDriver' }, async (t) => {
  const ts = await startTestServer({ env: { REDIS_URL: redisUrl! } });
  try {
    const draw = await openDraw(ts.pool);
    const { token } = await newPlayer(ts.httpUrl, 10_000);
    const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
    const reply = await conn.bet({ requestId: 'redis-1', quickPick: 2 });
    t.equal(reply.type, 'bet:accepted');
    const again = await conn.bet({ requestId: 'redis-1', quickPick: 2 });
    t.equal(again.ticketId, reply.ticketId, 'idempotent over Redis too');
    await conn.leave();
    t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, []);
  } finally {
    await ts.close();
  }
});
