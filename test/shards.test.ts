// Sales rooms are shards of one draw: they appear as maxClients is reached and all show
// the same totals, rebuilt from the ledger for a new shard.
import t from 'tap';
import { checkLedger } from '../ledger/invariants.ts';
import { newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer({ env: { SALES_ROOM_CLIENTS_MAX: '3' } });
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool)).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

async function until(check: () => boolean, timeoutMs = 2_000): Promise<boolean> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

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
  t.ok(conns.every((c) => Math.abs(c.room.state.serverTimeMs - Date.now()) < 2_000), 'server time streams');

  for (const c of conns) await c.leave();
  // Every shard is gone; a fresh one must start from the ledger, not from zero.
  const late = await PlayerConnection.join(ts.wsUrl, players[0].token, draw.publicId);
  t.ok(await until(() => late.room.state.ticketsSold === expectedTickets), 'a new shard rebuilds its totals from the ledger');
  t.equal(late.room.state.poolTotalMinor, expectedPool);
  await late.leave();
});
