// Refunds at a break or self-exclusion (issue 13, ledger/refunds.ts): tickets bought in
// advance for draws not yet open go back to the wallet exactly once, in the exclusion's
// transaction; tickets of open draws stand. A refunded ticket leaves its draw: the seal, the
// settlement, a fixed-odds game's liability and the player's history all see it gone, and
// the ledger invariants account for every refund.
import t from 'tap';
import { CUTOFF_GRACE_MS } from '../core/limits.ts';
import { allGames, liabilityOfGame } from '../games/index.ts';
import { closeDueDraws, drawById, openDueDraws, type DrawRow } from '../ledger/draws.ts';
import { checkLedger, inspectLedger, linePricesOf } from '../ledger/invariants.ts';
import { requestExclusion } from '../ledger/protection.ts';
import { http, newPlayer, openDraw, PlayerConnection, playerIdsByEmail, scheduleDraw, startTestServer, type TestServer } from './support/harness.ts';
import { drawSealed } from './support/draws.ts';

let ts: TestServer;
const LINE = [3, 11, 19, 27, 35, 43];

t.before(async () => {
  ts = await startTestServer();
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

const balance = async (token: string): Promise<number> => (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.balanceMinor;

/** An open draw of the game and the next two, not yet open; the second short, so that a test can see it through. */
async function threeDraws(gameId: string, secondOpensInMs: number): Promise<[DrawRow, DrawRow, DrawRow]> {
  const now = Date.now();
  // A test that sees the second draw through needs the first closed within seconds; the others
  // only buy in it, and give it a minute: registering players under load must not close it.
  const first = await openDraw(ts.pool, secondOpensInMs > 60_000 ? 60_000 : 4_000, now, 500, gameId);
  const second = await scheduleDraw(
    ts.pool,
    { openAtMs: now + secondOpensInMs, cutoffAtMs: now + secondOpensInMs + 2_000, drawAtMs: now + secondOpensInMs + 2_500 },
    gameId,
  );
  const third = await scheduleDraw(ts.pool, { openAtMs: now + 3_600_000, cutoffAtMs: now + 7_200_000, drawAtMs: now + 7_300_000 }, gameId);
  return [first, second, third];
}

t.test('a break refunds the tickets bought for draws not yet open, once; the open draw\'s ticket stands; the next draw is sealed and settled without them', async (t) => {
  // Players first: registering (a scrypt hash each) under load must not eat the draws' seconds.
  const leaving = await newPlayer(ts.httpUrl, 10_000);
  const staying = await newPlayer(ts.httpUrl, 10_000);
  const [first, second, third] = await threeDraws('lotto649', 5_000);
  for (const [p, requestId] of [[leaving, 'adv-l'], [staying, 'adv-s']] as const) {
    const conn = await PlayerConnection.join(ts.wsUrl, p.token, first.publicId);
    const reply = await conn.bet({ requestId, lines: [LINE], draws: 3 });
    t.equal(reply.type, 'bet:accepted', JSON.stringify(reply).slice(0, 200));
    await conn.leave();
  }
  t.equal(await balance(leaving.token), 10_000 - 600);

  const res = await http(ts.httpUrl, 'POST', '/api/me/exclusion', { kind: 'break', days: 1 }, leaving.token);
  t.equal(res.status, 200);
  t.same(res.body.refunded, { tickets: 2, amountMinor: 400 }, 'the two tickets of draws not yet open, refunded');
  const { playerId } = await playerIdsByEmail(ts.pool, leaving.email);
  const { rows: refunds } = await ts.pool.query(
    `select r.draw_id, r.amount_minor, r.reason, s.kind, t.request_id from ticket_refunds r join transfers s on s.id = r.transfer_id join tickets t on t.id = r.ticket_id
      where r.player_id = $1 order by r.draw_id`,
    [playerId],
  );
  t.same(
    refunds.map((r) => [Number(r.draw_id), Number(r.amount_minor), r.reason, r.kind, r.request_id]),
    [
      [second.id, 200, 'break', 'refund', 'adv-l+1'],
      [third.id, 200, 'break', 'refund', 'adv-l+2'],
    ],
  );
  const again = await requestExclusion(ts.pool, playerId, { kind: 'self_exclusion', months: 6 }, Date.now(), liabilityOfGame);
  t.same(again.refunds, { tickets: 0, amountMinor: 0 }, 'a second exclusion refunds nothing more');
  const { rows: wallet } = await ts.pool.query(`select balance_minor from accounts where player_id = $1`, [playerId]);
  t.equal(Number(wallet[0].balance_minor), 10_000 - 200, 'the wallet holds all but the stake of the open draw\'s ticket');

  // The other player's tickets are untouched; the draw is sealed and settled with theirs only.
  t.equal(await balance(staying.token), 10_000 - 600, 'another player\'s advance tickets stand');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, second.openAtMs - Date.now() + 50)));
  await openDueDraws(ts.pool, second.id);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, second.cutoffAtMs + CUTOFF_GRACE_MS + 100 - Date.now())));
  await closeDueDraws(ts.pool, CUTOFF_GRACE_MS);
  for (const d of [first, second]) t.ok(await ts.server.draws.runner.seal(d.id), `draw ${d.publicId} sealed`);
  const sealed = (await drawById(ts.pool, second.id))!;
  t.equal(sealed.seal!.ticketCount, 1, 'the seal holds the staying player\'s ticket only');
  t.equal(sealed.seal!.stakeTotalMinor, 200);
  const drawn = await drawSealed(ts, sealed);
  t.equal(await ts.server.draws.runner.settle(drawn.id), 'settled');
  const { rows: prizes } = await ts.pool.query(`select count(*)::int as n from ticket_prizes p join ticket_refunds r using (ticket_id)`);
  t.equal(prizes[0].n, 0, 'no refunded ticket is paid a prize');
});

// Each test below plays a game of its own: the invariants check that an advance ticket is k
// draws of its game after its purchase's first, so no test may slip draws between another's.
t.test('the history shows a refunded ticket as refunded', async (t) => {
  const [first] = await threeDraws('jackpot569', 3_600_000);
  const p = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, p.token, first.publicId);
  const reply = await conn.bet({ requestId: 'hist', quickPick: 1, draws: 2 });
  t.equal(reply.type, 'bet:accepted');
  await conn.leave();
  const { playerId } = await playerIdsByEmail(ts.pool, p.email);
  await requestExclusion(ts.pool, playerId, { kind: 'break', days: 1 }, Date.now(), liabilityOfGame);
  // The token ended with the break; the player reads their history again once it is over.
  const { rows } = await ts.pool.query(`select id from tickets where player_id = $1 order by id`, [playerId]);
  const login = await http(ts.httpUrl, 'POST', '/api/auth/login', { email: p.email, password: 'correct horse battery staple' });
  t.equal(login.status, 403, 'on a break');
  await ts.pool.query(`update players set excluded_until = now() - interval '1 second' where id = $1`, [playerId]);
  const token = (await http(ts.httpUrl, 'POST', '/api/auth/login', { email: p.email, password: 'correct horse battery staple' })).body.token;
  const history = await http(ts.httpUrl, 'GET', '/api/tickets', undefined, token);
  const byId = new Map(history.body.tickets.map((x: any) => [x.ticketId, x.result]));
  t.match(byId.get(reply.ticketId), { outcome: 'pending' }, 'the open draw\'s ticket stands');
  t.match(byId.get(reply.advance[0].ticketId), { outcome: 'refunded', refundedAt: /^\d{4}-/ }, 'the advance ticket is refunded');
  t.equal(rows.length, 2);
});

t.test('a fixed-odds ticket refunded leaves its combination\'s liability', async (t) => {
  const [first, second] = await threeDraws('pick3', 3_600_000);
  const p = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, p.token, first.publicId);
  const reply = await conn.bet({ requestId: 'p3', betType: 'straight', stake: 100, lines: [[5, 1, 9]], draws: 2 });
  t.equal(reply.type, 'bet:accepted', JSON.stringify(reply).slice(0, 200));
  await conn.leave();
  const liability = async (drawId: number) =>
    Number((await ts.pool.query(`select payout_minor from draw_liabilities where draw_id = $1 and combination = '519'`, [drawId])).rows[0].payout_minor);
  t.ok((await liability(second.id)) > 0, 'the advance ticket holds part of the combination\'s cap');
  const sold = await liability(first.id);
  const { playerId } = await playerIdsByEmail(ts.pool, p.email);
  const done = await requestExclusion(ts.pool, playerId, { kind: 'self_exclusion', months: 6 }, Date.now(), liabilityOfGame);
  t.same(done.refunds, { tickets: 1, amountMinor: 100 });
  t.equal(await liability(second.id), 0, 'released in the draw not yet open');
  t.equal(await liability(first.id), sold, 'kept in the open draw, whose ticket stands');
});

t.test('exclusions asked for at once refund each ticket exactly once', async (t) => {
  const [first] = await threeDraws('keno', 3_600_000);
  const p = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, p.token, first.publicId);
  let costMinor = 0;
  for (let i = 0; i < 4; i++) {
    const reply = await conn.bet({ requestId: `race-${i}`, quickPick: 1, draws: 3 });
    t.equal(reply.type, 'bet:accepted', JSON.stringify(reply).slice(0, 200));
    costMinor = reply.cost;
  }
  await conn.leave();
  const { playerId } = await playerIdsByEmail(ts.pool, p.email);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) => requestExclusion(ts.pool, playerId, { kind: 'break', days: 1 + i }, Date.now(), liabilityOfGame)),
  );
  const refunded = results.map((r) => r.refunds);
  t.equal(refunded.reduce((n, r) => n + r.tickets, 0), 8, 'eight advance tickets refunded in all');
  t.equal(refunded.filter((r) => r.tickets > 0).length, 1, 'all by one of the six');
  t.equal(refunded.reduce((n, r) => n + r.amountMinor, 0), 8 * costMinor);
  const { rows } = await ts.pool.query(`select balance_minor from accounts where player_id = $1`, [playerId]);
  t.equal(Number(rows[0].balance_minor), 10_000 - 4 * costMinor, 'the wallet got each refund once');
});

t.test('the invariants name a refund that does not match its ticket', async (t) => {
  const [first] = await threeDraws('pick4', 3_600_000);
  const p = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, p.token, first.publicId);
  t.equal((await conn.bet({ requestId: 'tamper', quickPick: 1, draws: 2 })).type, 'bet:accepted');
  await conn.leave();
  const { playerId } = await playerIdsByEmail(ts.pool, p.email);
  await requestExclusion(ts.pool, playerId, { kind: 'break', days: 1 }, Date.now(), liabilityOfGame);
  const client = await ts.pool.connect();
  try {
    await client.query('begin');
    await client.query(`update tickets set refunded_at = null where player_id = $1 and refunded_at is not null`, [playerId]);
    const report = await inspectLedger(client, linePricesOf(allGames()));
    t.match(report.violations, [/has a refund but is not marked refunded/], 'a refund whose ticket is not marked');
    await client.query('rollback');
    await client.query('begin');
    await t.rejects(client.query(`delete from ticket_refunds where player_id = $1`, [playerId]), /rows of ticket_refunds are never deleted/, 'a refund cannot be deleted');
    await client.query('rollback');
    await client.query('begin');
    await client.query(`alter table ticket_refunds disable trigger ticket_refunds_permanent`);
    await client.query(`delete from ticket_refunds where player_id = $1`, [playerId]);
    const unrecorded = await inspectLedger(client, linePricesOf(allGames()));
    t.match(unrecorded.violations, [/is marked refunded without a refund/, /refund transfers without a ticket refund/], 'a marked ticket whose refund row is gone');
    await client.query('rollback');
  } finally {
    client.release();
  }
});
