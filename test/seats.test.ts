// One player cannot take a shard's seats. Every join reserves a seat for 15 s whether or
// not anyone connects, and a full shard makes the next player wait for a new one: without
// a bound, one account could hold all 2,000 seats of a shard (and then the next shard's).
// In each process a player holds at most SEATS_PER_PLAYER_PER_DRAW_MAX seats (reserved,
// connected or kept for reconnection) in one draw's shards, and at most
// SEAT_RESERVATIONS_PER_PLAYER_MAX reservations not yet connected (joins in flight) in all;
// past either, matchmaking answers 429 TOO_MANY_SEATS before any seat is taken.
import t from 'tap';
import { SEAT_RESERVATIONS_PER_PLAYER_MAX, SEATS_PER_PLAYER_PER_DRAW_MAX } from '../core/limits.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer({ env: { SALES_ROOM_CLIENTS_MAX: '6' } });
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

const reserve = (token: string, drawId: string) => http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId }, token);

t.test('one player holds at most the per-draw seat limit; the shard stays open to others', async (t) => {
  const draw = await openDraw(ts.pool);
  const greedy = await newPlayer(ts.httpUrl, 10_000);
  const held: PlayerConnection[] = [];
  const refusals: unknown[] = [];
  for (let i = 0; i < 6; i++) {
    await PlayerConnection.join(ts.wsUrl, greedy.token, draw.publicId).then(
      (c) => held.push(c),
      (err) => refusals.push(err),
    );
  }
  t.equal(held.length, SEATS_PER_PLAYER_PER_DRAW_MAX, `${held.length} of 6 joins got a seat`);
  t.equal(new Set(held.map((c) => c.room.sessionId)).size, held.length, 'each connection of one login has a seat of its own');
  const refused = await reserve(greedy.token, draw.publicId);
  t.equal(refused.status, 429, 'the next join is refused');
  t.equal(refused.body.code, 'TOO_MANY_SEATS', 'with TOO_MANY_SEATS');
  const others = await Promise.all([1, 2, 3].map(async () => PlayerConnection.join(ts.wsUrl, (await newPlayer(ts.httpUrl)).token, draw.publicId)));
  t.ok(others.every((c) => c.room.roomId === held[0].room.roomId), 'other players still find a seat in the same shard');
  t.equal((await held[0].bet({ requestId: 's-1', quickPick: 1 })).type, 'bet:accepted', 'the seats held work');

  await held.pop()!.leave();
  const again = await PlayerConnection.join(ts.wsUrl, greedy.token, draw.publicId);
  t.pass('a seat given up can be taken again');
  for (const c of [...held, ...others, again]) await c.leave();
});

t.test('reservations that never connect count too, and joins in flight are bounded across draws', async (t) => {
  const draws = [];
  for (const i of [1, 2, 3]) draws.push(await openDraw(ts.pool, i * 3_600_000));
  const { token } = await newPlayer(ts.httpUrl);
  const statuses: number[] = [];
  for (const draw of draws) for (let i = 0; i < 2; i++) statuses.push((await reserve(token, draw.publicId)).status);
  const granted = statuses.filter((s) => s === 200).length;
  t.equal(granted, SEAT_RESERVATIONS_PER_PLAYER_MAX, `${granted} reservations granted of ${statuses.length} (${statuses.join(' ')})`);
  t.same(statuses.slice(0, SEAT_RESERVATIONS_PER_PLAYER_MAX), Array(SEAT_RESERVATIONS_PER_PLAYER_MAX).fill(200), 'the first ones');
  const over = await reserve(token, draws[0].publicId);
  t.equal(over.body.code, 'TOO_MANY_SEATS', 'then TOO_MANY_SEATS');
  const someoneElse = await reserve((await newPlayer(ts.httpUrl)).token, draws[2].publicId);
  t.equal(someoneElse.status, 200, 'another player is not affected');
});

t.test('a seat kept for a dropped connection counts until it is reclaimed', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl);
  const a = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const b = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  b.room.reconnection.enabled = false;
  b.socket._socket.destroy();
  await new Promise((r) => setTimeout(r, 300));
  t.equal((await reserve(token, draw.publicId)).body.code, 'TOO_MANY_SEATS', 'the dropped seat is still held for its reconnection');
  await a.leave();
});
