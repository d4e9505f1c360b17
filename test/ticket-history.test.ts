// A player's ticket history (GET /api/tickets, GET /api/tickets/:ticketId), on a running
// server: tickets bought over the real SDK come back newest first with their lines, bet type,
// stake and result, and a receipt that is the purchase receipt byte for byte when the ticket
// was alone in its signed batch (and the same ticket encoding under the same key when it was
// not); another player's ticket is a 404 like an unknown one; every refusal of a query has its
// own code. Then a player with 100,000 tickets (written set-based, test/support/history.ts):
// paging returns every ticket once, in order, with every filter, and the page statement reads
// the index of migration 009 without a sequential scan or a sort of the player's rows.
import t from 'tap';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeHistoryCursor } from '../app/schemas.ts';
import { TICKET_HISTORY_PAGE_MAX, TICKET_HISTORY_SCAN_ROWS_MAX } from '../core/limits.ts';
import { encodeTicket } from '../draw/encoding.ts';
import { receiptFromAck } from '../draw/receiptWire.ts';
import { allPassed, verifyReceipt } from '../draw/verify.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { ticketHistoryPage, ticketHistorySql, type HistoryQuery } from '../ledger/ticketHistory.ts';
import { ticketRowId } from '../ledger/tickets.ts';
import type { DrawRow } from '../ledger/draws.ts';
import { allGames } from '../games/index.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type BetReply, type TestServer } from './support/harness.ts';
import { closeAndSeal, drawSealed } from './support/draws.ts';
import { seedHistory, type FixtureDraw } from './support/history.ts';

const CUTOFF_IN_MS = 6_000;

let ts: TestServer;
let publicKey: string;
t.before(async () => {
  ts = await startTestServer();
  publicKey = (await http(ts.httpUrl, 'GET', '/api/keys')).body.keys[0].publicKey;
});
t.teardown(() => ts?.close());

const get = (path: string, token?: string) => http(ts.httpUrl, 'GET', path, undefined, token);

/** Eight keno tickets of ten one-spot lines covering 1..80: exactly 20 winning lines whatever is drawn. */
const kenoBet = (k: number) => ({ stake: 200, lines: Array.from({ length: 10 }, (_, i) => [10 * k + i + 1]) });

interface Bought {
  token: string;
  draw: DrawRow;
  /** Replies in the order sent: two alone, six at once, then a resend of the first. */
  replies: BetReply[];
  other: { token: string; reply: BetReply };
}
let bought: Bought;

t.test('tickets bought over the SDK come back newest first, each with its bet, result and a verifying receipt', async (t) => {
  const a = await newPlayer(ts.httpUrl, 100_000);
  const b = await newPlayer(ts.httpUrl, 100_000);
  const draw = await openDraw(ts.pool, CUTOFF_IN_MS, Date.now(), 1_000, 'keno');
  const conn = await PlayerConnection.join(ts.wsUrl, a.token, draw.publicId);
  const replies: BetReply[] = [];
  // Alone: nothing else is in flight, so each is a signed batch of one.
  for (const k of [0, 1]) replies.push(await conn.bet({ requestId: `alone-${k}`, ...kenoBet(k) }));
  replies.push(...(await Promise.all([2, 3, 4, 5, 6, 7].map((k) => conn.bet({ requestId: `together-${k}`, ...kenoBet(k) })))));
  const resend = await conn.bet({ requestId: 'alone-0', ...kenoBet(0) });
  await conn.leave();
  const connB = await PlayerConnection.join(ts.wsUrl, b.token, draw.publicId);
  const otherReply = await connB.bet({ requestId: 'b-0', ...kenoBet(0) });
  await connB.leave();
  t.ok([...replies, resend, otherReply].every((r) => r.type === 'bet:accepted'), 'every bet accepted');
  t.ok(resend.duplicate, 'the resend is the same ticket');
  bought = { token: a.token, draw, replies: [...replies, resend], other: { token: b.token, reply: otherReply } };

  const res = await get('/api/tickets', a.token);
  t.equal(res.status, 200);
  t.equal(res.body.nextCursor, null, 'one page holds them all');
  const newestFirst = [...replies].sort((x, y) => y.receivedAt - x.receivedAt || ticketRowId(y.ticketId)! - ticketRowId(x.ticketId)!);
  t.same(res.body.tickets.map((x: any) => x.ticketId), newestFirst.map((r) => r.ticketId), "the player's eight tickets, newest first, none of another's");
  for (const item of res.body.tickets) {
    const reply = replies.find((r) => r.ticketId === item.ticketId)!;
    t.same(
      { requestId: item.requestId, gameId: item.gameId, drawId: item.drawId, drawStatus: item.drawStatus, betType: item.betType, stakeMinor: item.stakeMinor, lines: item.lines, lineCount: item.lineCount, costMinor: item.costMinor, quickPick: item.quickPick, receivedAt: item.receivedAt, result: item.result },
      { requestId: reply.requestId, gameId: 'keno', drawId: draw.publicId, drawStatus: 'open', betType: 'standard', stakeMinor: 200, lines: reply.lines, lineCount: 10, costMinor: reply.cost, quickPick: false, receivedAt: new Date(reply.receivedAt).toISOString(), result: { outcome: 'pending' } },
      `${item.ticketId} as bought`,
    );
  }
});

t.test('the history receipt is the purchase receipt byte for byte when the ticket was alone in its batch', async (t) => {
  const { token, draw, replies } = bought;
  const items = new Map<string, any>((await get('/api/tickets', token)).body.tickets.map((x: any) => [x.ticketId, x]));
  const again = new Map<string, any>((await get('/api/tickets', token)).body.tickets.map((x: any) => [x.ticketId, x]));
  let alone = 0;
  let shared = 0;
  for (const reply of replies) {
    const purchase = receiptFromAck(reply as any, draw.publicId, publicKey);
    const history = items.get(reply.ticketId).receipt;
    t.ok(allPassed(verifyReceipt(history, { publicKey })), `${reply.ticketId}: the history receipt verifies against the published key`);
    t.same(history, again.get(reply.ticketId).receipt, `${reply.ticketId}: regenerated identically on every request`);
    t.equal(bytesToHex(encodeTicket(history.ticket)), bytesToHex(encodeTicket(purchase.ticket)), `${reply.ticketId}: the same ticket encoding as the purchase receipt`);
    if (purchase.batch.size === 1) {
      alone++;
      t.equal(JSON.stringify(history), JSON.stringify(purchase), `${reply.ticketId}: alone in its batch, so the same receipt, signature included`);
    } else {
      shared++;
      t.not(history.signature, purchase.signature, `${reply.ticketId}: shared a batch of ${purchase.batch.size}, so the history signs a batch of one`);
      t.equal(history.batch.size, 1);
    }
  }
  t.ok(alone >= 3, `the two bets sent alone and the resend were batches of one (${alone} alone, ${shared} shared)`);
  t.equal(receiptFromAck(replies[0] as any, draw.publicId, publicKey).batch.size, 1, 'the first bet was alone');
  t.equal(receiptFromAck(replies[8] as any, draw.publicId, publicKey).batch.size, 1, 'so was its resend');
});

t.test('one ticket by id: yours, or a 404 that is the same for an unknown id and for another player\'s', async (t) => {
  const { token, replies, other } = bought;
  const list = (await get('/api/tickets', token)).body.tickets;
  const one = await get(`/api/tickets/${replies[3].ticketId}`, token);
  t.equal(one.status, 200);
  t.same(one.body, list.find((x: any) => x.ticketId === replies[3].ticketId), 'as the list shows it');
  const theirs = await get(`/api/tickets/${other.reply.ticketId}`, token);
  const unknown = await get('/api/tickets/T999999999999', token);
  t.equal(theirs.status, 404);
  // Exactly, but for the clock: the two answers' Date headers may fall either side of a second.
  const withoutDate = (r: typeof theirs) => ({ ...r, headers: { ...r.headers, date: undefined } });
  t.same(withoutDate(theirs), withoutDate(unknown), "another player's ticket is answered exactly as a ticket that does not exist");
  t.equal((await get(`/api/tickets/${other.reply.ticketId}`, other.token)).status, 200, 'its owner sees it');
  t.equal((await get('/api/tickets/X12', token)).status, 400, 'a malformed id is a bad request');
  t.equal((await get('/api/tickets')).status, 401, 'a session is needed');
  t.equal((await get(`/api/tickets/${replies[0].ticketId}`)).status, 401);
});

t.test('once settled, each ticket shows what it won per tier, and the ledger balances', async (t) => {
  const { token, draw } = bought;
  await closeAndSeal(ts, [draw]);
  const drawn = await drawSealed(ts, draw);
  t.equal(await ts.server.draws.runner.settle(drawn.id), 'settled');
  const items = (await get('/api/tickets', token)).body.tickets;
  t.ok(items.every((x: any) => x.drawStatus === 'settled' && ['won', 'no_win'].includes(x.result.outcome)), 'every ticket decided');
  const paid = await ts.pool.query(`select t.id, p.amount_minor, p.tier_lines from ticket_prizes p join tickets t on t.id = p.ticket_id where t.draw_id = $1 and t.player_id = (select player_id from tickets where id = $2)`, [draw.id, ticketRowId(items[0].ticketId)]);
  const prizeOf = new Map(paid.rows.map((r) => [`T${r.id}`, Number(r.amount_minor)]));
  let winningLines = 0;
  for (const item of items) {
    if (item.result.outcome === 'no_win') {
      t.notOk(prizeOf.has(item.ticketId), `${item.ticketId}: no prize paid`);
      continue;
    }
    t.equal(item.result.prizeMinor, prizeOf.get(item.ticketId), `${item.ticketId}: the prize paid`);
    t.equal(item.result.tiers.reduce((s: number, x: any) => s + x.prizeMinor, 0), item.result.prizeMinor, `${item.ticketId}: its tiers add up to it`);
    winningLines += item.result.tiers.reduce((s: number, x: any) => s + x.winningLines, 0);
  }
  t.equal(winningLines, 20, 'the 80 one-spot lines won 20 times: the 20 numbers drawn');
  const report = await checkLedger(ts.pool, linePricesOf(allGames()));
  t.same(report.violations, [], 'ledger invariants hold');
});

t.test('every refusal of a query has a stable code', async (t) => {
  const { token, other } = bought;
  const code = async (query: string) => {
    const res = await get(`/api/tickets?${query}`, token);
    return `${res.status} ${res.body.code}`;
  };
  for (const limit of ['0', '201', '-1', 'abc', '1.5', '', '0200']) t.equal(await code(`limit=${limit}`), '400 INVALID_LIMIT', `limit=${limit}`);
  t.equal(await code(`limit=${TICKET_HISTORY_PAGE_MAX}`), '200 undefined', `limit=${TICKET_HISTORY_PAGE_MAX} is fine`);
  for (const cursor of ['abc$', 'x'.repeat(40), Buffer.from('t1:0').toString('base64url'), Buffer.from('t2:5').toString('base64url'), Buffer.from('t1:99999999999999999').toString('base64url')]) {
    t.equal(await code(`cursor=${encodeURIComponent(cursor)}`), '400 INVALID_CURSOR', `cursor ${cursor}`);
  }
  t.equal(await code(`cursor=${encodeHistoryCursor(ticketRowId(other.reply.ticketId)!)}`), '400 INVALID_CURSOR', "a cursor at another player's ticket");
  t.equal(await code(`cursor=${encodeHistoryCursor(999_999_999_999)}`), '400 INVALID_CURSOR', 'a cursor at no ticket');
  for (const from of ['yesterday', '2026-05-01', '2026-02-30T00:00:00Z', '2026-05-01T00:00:00', '1999-12-31T23:59:59Z', '2100-01-01T00:00:01Z']) {
    t.equal(await code(`from=${encodeURIComponent(from)}`), '400 INVALID_PERIOD', `from=${from}`);
  }
  t.equal(await code('from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z'), '400 INVALID_PERIOD', 'to before from');
  t.equal(await code('from=2026-05-01T00:00:00Z&to=2026-05-01T00:00:00Z'), '400 INVALID_PERIOD', 'an empty period');
  t.equal(await code('from=2026-05-01T00:00:00%2B02:00&to=2026-05-01T00:00:00Z'), '200 undefined', 'offsets count');
  t.equal(await code('game=a%20b'), '400 BAD_REQUEST');
  t.equal(await code('draw=' + 'x'.repeat(65)), '400 BAD_REQUEST');
  t.equal((await get('/api/tickets?game=nosuchgame', token)).body.tickets.length, 0, 'an unknown game: no tickets');
  t.equal((await get('/api/tickets?draw=nosuchdraw', token)).body.tickets.length, 0, 'an unknown draw: no tickets');
  const doc = (await get('/api/openapi.json')).body.paths['/api/tickets'].get;
  t.same(doc.parameters.map((p: any) => p.name).sort(), ['cursor', 'draw', 'from', 'game', 'limit', 'to'], 'the document lists the query parameters');
  t.match(doc.responses['400'].description, /INVALID_CURSOR.*INVALID_PERIOD.*INVALID_LIMIT/, 'and the codes');
  t.same(doc.security, [{ session: [] }]);
});

// ---- 100,000 tickets ----

const HISTORY_TICKETS = 100_000;
let big: { token: string; playerId: number; draws: FixtureDraw[]; newestFirst: number[] };

/** Every page of a query through the ledger, following resume positions to the end. */
async function pageThrough(q: Omit<HistoryQuery, 'afterRowId'>): Promise<{ ids: number[]; requests: number }> {
  const ids: number[] = [];
  let after: number | undefined;
  for (let requests = 1; ; requests++) {
    const page = await ticketHistoryPage(ts.pool, { ...q, afterRowId: after });
    if (page.status !== 'page') throw new Error('unknown cursor');
    ids.push(...page.tickets.map((x) => x.rowId));
    if (page.resumeAfterRowId === null) return { ids, requests };
    after = page.resumeAfterRowId;
  }
}

async function reference(where: string, values: unknown[]): Promise<number[]> {
  const { rows } = await ts.pool.query(
    `select t.id from tickets t join draws d on d.id = t.draw_id where t.player_id = $1 ${where} order by t.received_at desc, t.id desc`,
    [big.playerId, ...values],
  );
  return rows.map((r) => Number(r.id));
}

t.test(`a player with ${HISTORY_TICKETS} tickets pages through every one, once, in order`, async (t) => {
  const player = await newPlayer(ts.httpUrl);
  const { rows } = await ts.pool.query(`select id from players where email = $1`, [player.email]);
  const playerId = Number(rows[0].id);
  const startMs = Date.now();
  const draws = await seedHistory(ts.pool, { playerId, tickets: HISTORY_TICKETS, days: 400, games: ['lotto649', 'keno'], otherPlayers: 200, otherTickets: 100_000 });
  t.comment(`fixture: ${HISTORY_TICKETS} + 100,000 tickets over ${draws.length} draws in ${Date.now() - startMs} ms (${ts.databaseKind})`);
  big = { token: player.token, playerId, draws, newestFirst: [] };
  big.newestFirst = await reference('', []);
  t.equal(big.newestFirst.length, HISTORY_TICKETS);
  const all = await pageThrough({ playerId, limit: TICKET_HISTORY_PAGE_MAX });
  t.equal(all.requests, HISTORY_TICKETS / TICKET_HISTORY_PAGE_MAX, 'full pages, and no empty one after the last: it knew it was the last');
  t.ok(all.ids.length === HISTORY_TICKETS && all.ids.every((id, i) => id === big.newestFirst[i]), 'every ticket once, newest first, ties by id');
});

t.test('with filters too: game, draw, period, and game within a period', async (t) => {
  const { playerId, draws } = big;
  const draw = draws[Math.floor(draws.length / 2)];
  const fromMs = draws[100].openAtMs;
  const toMs = draws[160].openAtMs;
  const cases: [string, Omit<HistoryQuery, 'afterRowId'>, string, unknown[]][] = [
    ['game keno', { playerId, limit: 200, gameId: 'keno' }, `and d.game_id = $2`, ['keno']],
    [`draw ${draw.publicId}`, { playerId, limit: 50, drawPublicId: draw.publicId }, `and d.public_id = $2`, [draw.publicId]],
    ['a month', { playerId, limit: 200, fromMs, toMs }, `and t.received_at >= $2 and t.received_at < $3`, [new Date(fromMs), new Date(toMs)]],
    ['lotto in that month', { playerId, limit: 37, gameId: 'lotto649', fromMs, toMs }, `and d.game_id = $2 and t.received_at >= $3 and t.received_at < $4`, ['lotto649', new Date(fromMs), new Date(toMs)]],
  ];
  for (const [name, q, where, values] of cases) {
    const expected = await reference(where, values);
    const got = await pageThrough(q);
    t.ok(expected.length > 0, `${name}: ${expected.length} tickets`);
    t.same(got.ids, expected, `${name}: every ticket once, in order (${got.requests} requests)`);
  }
});

t.test('over HTTP: the first page, the next, a deep page and a draw paged to its end', async (t) => {
  const { token, newestFirst, draws } = big;
  const first = await get('/api/tickets?limit=200', token);
  t.same(first.body.tickets.map((x: any) => ticketRowId(x.ticketId)), newestFirst.slice(0, 200));
  const second = await get(`/api/tickets?limit=200&cursor=${first.body.nextCursor}`, token);
  t.same(second.body.tickets.map((x: any) => ticketRowId(x.ticketId)), newestFirst.slice(200, 400));
  const deep = await get(`/api/tickets?cursor=${encodeHistoryCursor(newestFirst[89_999])}`, token);
  t.same(deep.body.tickets.map((x: any) => ticketRowId(x.ticketId)), newestFirst.slice(90_000, 90_050), 'a page 90,000 tickets deep');
  const sample = [...first.body.tickets.slice(0, 3), ...deep.body.tickets.slice(-3)];
  t.ok(sample.every((x: any) => allPassed(verifyReceipt(x.receipt, { publicKey }))), 'their receipts verify');
  const halted = draws.find((d, i) => i > 0 && (i + 1) % 10 === 0)!;
  const ids: number[] = [];
  for (let cursor = ''; ; ) {
    const page = await get(`/api/tickets?draw=${halted.publicId}&limit=40${cursor}`, token);
    t.equal(page.status, 200);
    ids.push(...page.body.tickets.map((x: any) => ticketRowId(x.ticketId)));
    t.ok(page.body.tickets.every((x: any) => x.drawStatus === 'halted' && x.result.outcome === 'halted'), 'a halted draw says so');
    if (page.body.nextCursor === null) break;
    cursor = `&cursor=${page.body.nextCursor}`;
  }
  t.same(ids, await reference('and d.id = $2', [halted.id]), `draw ${halted.publicId} to its end over HTTP`);
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

t.test('the page statement reads the index: no sequential scan, no sort of the player\'s rows', async (t) => {
  const { playerId, newestFirst, draws } = big;
  const queries: [string, HistoryQuery][] = [
    ['first page', { playerId, limit: 50 }],
    ['deep page', { playerId, limit: 50, afterRowId: newestFirst[99_000] }],
    ['game filter', { playerId, limit: 200, gameId: 'keno', afterRowId: newestFirst[50_000] }],
    ['draw filter', { playerId, limit: 200, drawPublicId: draws[300].publicId }],
    ['period', { playerId, limit: 200, fromMs: draws[10].openAtMs, toMs: draws[12].cutoffAtMs }],
  ];
  for (const [name, q] of queries) {
    const { text, values, scanRows } = ticketHistorySql(q);
    const { rows } = await ts.pool.query(`explain (analyze, format json) ${text}`, values);
    const all = nodes(rows[0]['QUERY PLAN'][0].Plan);
    const seqScans = all.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'tickets');
    t.equal(seqScans.length, 0, `${name}: no sequential scan of tickets`);
    const reads = all.filter((n) => n['Index Name'] === 'tickets_player_received');
    const shape = all.map((n) => `${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : ''}`).join(' / ');
    t.ok(reads.length >= 1, `${name}: the page is read from tickets_player_received (${shape})`);
    for (const n of reads) t.ok(n['Actual Rows']! <= scanRows, `${name}: ${n['Actual Rows']} index entries read, at most ${scanRows}`);
    const sorts = all.filter((n) => n['Node Type'] === 'Sort');
    t.ok(sorts.every((n) => n['Actual Rows']! <= Math.min(scanRows, TICKET_HISTORY_SCAN_ROWS_MAX)), `${name}: any sort is of the page's rows only (${sorts.map((n) => n['Actual Rows']).join(', ') || 'none'})`);
  }
});
