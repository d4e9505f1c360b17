// Advance play (issue 12): one purchase covers the room's draw and the next ones of its game,
// one ticket per draw, each receipted under its own draw and fenced by its own cutoff; bought
// whole or not at all, once per request id, and sealed, drawn and settled with its draw.
import t from 'tap';
import { ADVANCE_DRAWS_MAX, CUTOFF_GRACE_MS } from '../core/limits.ts';
import { receiptFromAck } from '../draw/receiptWire.ts';
import { allPassed, verifyReceipt } from '../draw/verify.ts';
import { closeDueDraws, drawById, type DrawRow } from '../ledger/draws.ts';
import { checkLedger, inspectLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { http, newPlayer, openDraw, PlayerConnection, scheduleDraw, startTestServer, type BetReply, type TestServer } from './support/harness.ts';
import { drawSealed } from './support/draws.ts';

let ts: TestServer;
let first: DrawRow;
let second: DrawRow;
let third: DrawRow;
const LINE = [3, 11, 19, 27, 35, 43];

/** The players of the first two tests, registered before the draws: under load a registration
 * (a scrypt hash, identity, a deposit) takes seconds the draw's short sale does not have. */
let rich: { token: string };
let poor: { token: string };

t.before(async () => {
  ts = await startTestServer();
  rich = await newPlayer(ts.httpUrl, 10_000);
  poor = await newPlayer(ts.httpUrl, 500);
  // The room's draw sells for a few seconds; the next two follow it, not yet open. The second
  // is short, so that the test can see it closed, sealed and settled with its advance ticket.
  const now = Date.now();
  first = await openDraw(ts.pool, 10_000, now, 500);
  second = await scheduleDraw(ts.pool, { openAtMs: first.cutoffAtMs + 1_000, cutoffAtMs: first.cutoffAtMs + 3_000, drawAtMs: first.cutoffAtMs + 3_500 });
  third = await scheduleDraw(ts.pool, { openAtMs: now + 3_600_000, cutoffAtMs: now + 7_200_000, drawAtMs: now + 7_300_000 });
});

t.teardown(async () => {
  await ts.close();
});

async function balance(token: string): Promise<number> {
  return (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.balanceMinor;
}

t.test('one purchase buys a ticket in each of the next draws, each receipted under its own draw, charged once each', async (t) => {
  const { token } = rich;
  const conn = await PlayerConnection.join(ts.wsUrl, token, first.publicId);
  t.teardown(() => conn.leave());
  const reply: BetReply = await conn.bet({ requestId: 'adv-1', lines: [LINE], draws: 3 });
  t.equal(reply.type, 'bet:accepted', JSON.stringify(reply).slice(0, 300));
  t.equal(reply.drawId, first.publicId);
  t.same(reply.advance.map((a: any) => a.drawId), [second.publicId, third.publicId], 'the draws after this one, in order');
  t.equal(reply.balance, 10_000 - 3 * 200, 'the balance after all three');
  t.equal(await balance(token), 10_000 - 600);
  const publicKey = ts.server.draws.publicKey;
  const acks = [{ ...reply, drawId: first.publicId }, ...reply.advance.map((a: any) => ({ ...a, lines: reply.lines, receivedAt: reply.receivedAt }))];
  for (const ack of acks) {
    const receipt = receiptFromAck(ack, ack.drawId, publicKey);
    t.ok(allPassed(verifyReceipt(receipt, { publicKey })), `the receipt of ${ack.ticketId} verifies`);
    t.equal(receipt.ticket.drawId, ack.drawId, 'and names its own draw');
  }
  const { rows } = await ts.pool.query(
    `select t.request_id, d.public_id, t.received_at < d.open_at as before_open from tickets t join draws d on d.id = t.draw_id
      where t.request_id like 'adv-1%' order by d.draw_at`,
  );
  t.same(rows.map((r) => [r.request_id, r.public_id, r.before_open]), [
    ['adv-1', first.publicId, false],
    ['adv-1+1', second.publicId, true],
    ['adv-1+2', third.publicId, true],
  ]);
  const again = await conn.bet({ requestId: 'adv-1', lines: [LINE], draws: 3 });
  t.equal(again.type, 'bet:accepted');
  t.equal(again.duplicate, true, 'a resend is the same purchase');
  t.same(again.advance.map((a: any) => a.ticketId), reply.advance.map((a: any) => a.ticketId));
  t.equal(await balance(token), 10_000 - 600, 'charged once');
  const fewer = await conn.bet({ requestId: 'adv-1', lines: [LINE], draws: 2 });
  t.match(fewer, { type: 'bet:accepted', duplicate: true }, 'a resend naming fewer draws learns those draws\' tickets, charged nothing');
  t.same(fewer.advance.map((a: any) => a.ticketId), [reply.advance[0].ticketId]);
  const two = await conn.bet({ requestId: 'adv-2', lines: [LINE], draws: 2 });
  t.equal(two.type, 'bet:accepted');
  const longer = await conn.bet({ requestId: 'adv-2', lines: [LINE], draws: 3 });
  t.match(longer, { type: 'bet:rejected', code: 'REQUEST_ID_CONFLICT' }, 'the same request id for more draws is another purchase');
  t.equal(await balance(token), 10_000 - 1_000, 'and buys nothing');
  const history = await http(ts.httpUrl, 'GET', `/api/tickets?draw=${third.publicId}`, undefined, token);
  t.same(history.body.tickets.map((x: any) => x.ticketId), [reply.advance[1].ticketId], 'history filtered by a later draw finds the ticket bought in advance');
});

t.test('a purchase is bought whole or not at all', async (t) => {
  const { token } = poor;
  const conn = await PlayerConnection.join(ts.wsUrl, token, first.publicId);
  t.teardown(() => conn.leave());
  const short = await conn.bet({ requestId: 'adv-short', lines: [LINE], draws: 3 });
  t.match(short, { type: 'bet:rejected', code: 'INSUFFICIENT_FUNDS', message: /draw 3 of the 3 .*none was bought/ });
  t.equal(await balance(token), 500, 'nothing charged');
  const { rows } = await ts.pool.query(`select count(*)::int as n from tickets where request_id like 'adv-short%'`);
  t.equal(rows[0].n, 0, 'no ticket written');
  const catalogue = (await http(ts.httpUrl, 'GET', '/api/games')).body;
  t.ok(catalogue.every((g: any) => g.advanceDrawsMax === ADVANCE_DRAWS_MAX), 'GET /api/games says how many draws a purchase may cover');
  const more = await conn.bet({ requestId: 'adv-more', lines: [LINE], draws: ADVANCE_DRAWS_MAX });
  t.match(more, { type: 'bet:rejected', code: 'ADVANCE_UNAVAILABLE' }, 'more draws than the game has scheduled');
  for (const draws of [0, ADVANCE_DRAWS_MAX + 1, 1.5, '2', null]) {
    const bad = await conn.bet({ requestId: `adv-bad-${String(draws)}`, lines: [LINE], draws });
    t.match(bad, { type: 'bet:rejected', code: 'INVALID_DRAWS' }, `draws: ${JSON.stringify(draws)}`);
  }
  const two = await conn.bet({ requestId: 'adv-two', quickPick: 1, draws: 2 });
  t.equal(two.type, 'bet:accepted', 'a quick pick for two draws: the same numbers in both');
  t.equal(await balance(token), 100);
});

t.test('the ledger check holds a ticket received before its draw opened to a purchase that explains it', async (t) => {
  const client = await ts.pool.connect();
  t.teardown(() => client.release());
  await client.query('begin');
  try {
    // A ticket in the second draw, received before it opened, with no first ticket of a purchase.
    const { rows } = await client.query(`select t.player_id, t.lines, t.line_masks from tickets t where t.request_id = 'adv-1'`);
    const r = rows[0];
    await client.query(
      `insert into tickets (draw_id, player_id, request_id, bet_type, stake_minor, lines, line_masks, line_count, cost_minor, quick_pick, received_at)
       values ($1, $2, 'forged+1', 'standard', 200, $3, $4, 1, 200, false, now())`,
      [second.id, r.player_id, JSON.stringify(r.lines), r.line_masks],
    );
    const report = await inspectLedger(client);
    t.ok(report.violations.some((v) => /received outside the sales window .* not in advance/.test(v)), report.violations.join('; '));
  } finally {
    await client.query('rollback');
  }
});

t.test('each ticket of a purchase is sealed, drawn and settled with its own draw', async (t) => {
  const closeAtMs = second.cutoffAtMs + CUTOFF_GRACE_MS + 100;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, closeAtMs - Date.now())));
  await closeDueDraws(ts.pool, CUTOFF_GRACE_MS);
  for (const d of [first, second]) t.ok(await ts.server.draws.runner.seal(d.id), `draw ${d.publicId} sealed`);
  const sealed = (await drawById(ts.pool, second.id))!;
  const { rows } = await ts.pool.query(`select count(*)::int as n from tickets where draw_id = $1`, [second.id]);
  t.equal(sealed.seal!.ticketCount, rows[0].n, 'the seal counts the tickets bought in advance');
  t.ok(rows[0].n >= 2, 'the advance tickets are among them');
  const drawn = await drawSealed(ts, sealed);
  t.equal(await ts.server.draws.runner.settle(drawn.id), 'settled');
  const report = await checkLedger(ts.pool, linePricesOf(allGames()));
  t.same(report.violations, [], 'the ledger balances and every ticket is inside its window or its purchase');
});
