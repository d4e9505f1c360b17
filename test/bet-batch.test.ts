// The ledger's batch write on its own (ledger/bets.ts), below the rooms and the bet writer:
// every accepted bet gets its own ticket, in the order of the batch, and a request id that
// already bought a ticket, in an earlier batch or earlier in the same one, gets that ticket
// and is charged nothing.
import { drumLineMask } from '../games/lineMask.ts';
import { lotto649 } from '../games/lotto649.ts';
import t from 'tap';
import { writeBetBatch, type BetResult, type BetToWrite } from '../ledger/bets.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { ticketPublicId } from '../ledger/tickets.ts';
import type { DrawRow } from '../ledger/draws.ts';
import { newPlayer, openDraw, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;
let draw: DrawRow;
let player: { playerId: number; walletAccountId: number };

t.before(async () => {
  ts = await startTestServer();
  draw = await openDraw(ts.pool);
  const { email } = await newPlayer(ts.httpUrl, 100_000);
  const { rows } = await ts.pool.query(
    `select p.id as player_id, a.id as wallet from players p join accounts a on a.player_id = p.id where p.email = $1`,
    [email],
  );
  player = { playerId: rows[0].player_id, walletAccountId: rows[0].wallet };
});

t.teardown(async () => {
  await ts.close();
});

const bet = (requestId: string, first: number): BetToWrite => ({
  ...player,
  drawId: draw.id,
  requestId,
  betType: 'standard',
  stakeMinor: 200,
  lines: [[first, first + 1, first + 2, first + 3, first + 4, first + 5]],
  lineMasks: [drumLineMask(lotto649.drums, [[first, first + 1, first + 2, first + 3, first + 4, first + 5]])],
  quickPick: false,
  costMinor: 200,
  receivedAtMs: Date.now(),
});

async function write(bets: BetToWrite[]): Promise<BetResult[]> {
  const client = await ts.pool.connect();
  try {
    return await writeBetBatch(client, bets, 500);
  } finally {
    client.release();
  }
}

async function ticketsOf(requestIds: string[]) {
  const { rows } = await ts.pool.query(`select id, request_id, lines from tickets where player_id = $1 and request_id = any($2)`, [player.playerId, requestIds]);
  return new Map(rows.map((r) => [r.request_id as string, { ticketId: ticketPublicId(r.id), lines: r.lines as number[][] }]));
}

const balance = async () => (await ts.pool.query(`select balance_minor from accounts where id = $1`, [player.walletAccountId])).rows[0].balance_minor as number;

t.test('each bet of a batch gets its own ticket, matched in batch order', async (t) => {
  const before = await balance();
  const bets = Array.from({ length: 40 }, (_, i) => bet(`order-${i}`, 1 + (i % 44)));
  const results = await write(bets);
  const stored = await ticketsOf(bets.map((b) => b.requestId));
  t.equal(stored.size, 40);
  results.forEach((r, i) => {
    const s = stored.get(bets[i].requestId)!;
    if (r.status !== 'accepted' || r.ticketId !== s.ticketId || JSON.stringify(s.lines) !== JSON.stringify(bets[i].lines) || r.duplicate) {
      t.fail(`bet ${i} was answered with another bet's ticket: ${JSON.stringify(r)}`);
    }
  });
  t.equal(await balance(), before - 40 * 200, 'charged once per ticket');
});

t.test('a request that bought earlier gets its ticket back, uncharged, among new ones', async (t) => {
  const [first] = await write([bet('again-0', 7)]);
  t.equal(first.status, 'accepted');
  const before = await balance();
  const results = await write([bet('again-1', 8), bet('again-0', 7), bet('again-2', 10)]);
  t.same(results.map((r) => r.status), ['accepted', 'accepted', 'accepted']);
  const [one, repeat, two] = results as Extract<BetResult, { status: 'accepted' }>[];
  t.equal(repeat.ticketId, (first as any).ticketId, 'the repeat answers with the first ticket');
  t.ok(repeat.duplicate);
  t.same(repeat.lines, [[7, 8, 9, 10, 11, 12]], 'with the lines it bought');
  const stored = await ticketsOf(['again-1', 'again-2']);
  t.equal(one.ticketId, stored.get('again-1')!.ticketId);
  t.equal(two.ticketId, stored.get('again-2')!.ticketId);
  t.equal(await balance(), before - 2 * 200, 'only the two new tickets are charged');
});

t.test('a request twice in one batch buys one ticket, charged once', async (t) => {
  const before = await balance();
  // (The same bet twice: with other lines the second would be a REQUEST_ID_CONFLICT, test/request-ids.test.ts.)
  const results = await write([bet('twice', 20), bet('other', 21), bet('twice', 20)]);
  t.same(results.map((r) => r.status), ['accepted', 'accepted', 'accepted']);
  const stored = await ticketsOf(['twice', 'other']);
  t.equal(stored.size, 2, 'two tickets, not three');
  const twice = stored.get('twice')!.ticketId;
  const ids = results.map((r) => (r.status === 'accepted' ? r.ticketId : ''));
  t.same([ids[0], ids[2]], [twice, twice], 'both answers name the one ticket');
  t.equal(ids[1], stored.get('other')!.ticketId);
  t.equal(await balance(), before - 2 * 200, 'charged for two tickets');
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'the ledger invariants hold');
});

t.test('a refused resend (after cutoff) of a bought ticket gets that ticket; the rest of its batch is decided as before', async (t) => {
  const [first] = await write([bet('late-0', 30)]);
  t.equal(first.status, 'accepted');
  const before = await balance();
  const late = (b: BetToWrite): BetToWrite => ({ ...b, receivedAtMs: draw.cutoffAtMs + 1 });
  const results = await write([late(bet('late-0', 30)), late(bet('late-new', 31)), bet('late-fresh', 32)]);
  t.match(results[0], { status: 'accepted', duplicate: true, ticketId: (first as any).ticketId }, 'the resend learns its ticket');
  t.match(results[1], { status: 'rejected', code: 'DRAW_CLOSED' }, 'a new bet after cutoff is refused');
  t.match(results[2], { status: 'accepted', duplicate: false }, 'a bet in time is bought');
  const [conflict] = await write([late(bet('late-0', 40))]);
  t.match(conflict, { status: 'rejected', code: 'REQUEST_ID_CONFLICT' }, 'another bet under that id after cutoff is a conflict, not DRAW_CLOSED');
  t.equal(await balance(), before - 200, 'only the bet in time is charged');
});

t.test('text reaches the ticket as sent, whatever an array literal would make of it', async (t) => {
  // The batch travels as array literals (ledger/bets.ts insertInput): an unquoted NULL would
  // be SQL NULL, and quotes, backslashes, commas and braces would split or end an element.
  // The room admits fewer characters in a request id; the ledger must not rely on it.
  const ids = ['NULL', 'null', 'a"b', 'a\\b', 'a,b', '{a}', ' spaced ', 'é-ü'];
  const results = await write(ids.map((id, i) => bet(id, 1 + i)));
  t.same(results.map((r) => r.status), ids.map(() => 'accepted'));
  const stored = await ticketsOf(ids);
  t.same([...stored.keys()].sort(), [...ids].sort(), 'each request id stored exactly');
  const again = await write(ids.map((id, i) => bet(id, 1 + i)));
  t.same(again.map((r) => r.status === 'accepted' && r.duplicate), ids.map(() => true), 'each found again by its request id');
});

t.test('a raffle ticket (one empty line, an empty mask) is written with its empty mask', async (t) => {
  const raffleDraw = await openDraw(ts.pool, 60 * 60 * 1000, Date.now(), 60 * 60 * 1000, 'raffle');
  const entry: BetToWrite = { ...bet('raffle-entry', 1), drawId: raffleDraw.id, lines: [[]], lineMasks: [''], stakeMinor: 1_000, costMinor: 1_000 };
  const [result] = await write([entry]);
  t.match(result, { status: 'accepted', duplicate: false });
  const { rows } = await ts.pool.query(`select lines, line_masks::text[] as masks, line_count from tickets where player_id = $1 and request_id = 'raffle-entry'`, [player.playerId]);
  t.same(rows, [{ lines: [[]], masks: [''], line_count: 1 }]);
});

t.test('balance updates are heap-only (HOT): a debit adds nothing to any index of accounts', async (t) => {
  // Every batch rewrites each wallet it debits. On full pages each new row version also
  // needs an entry in every index of accounts (migration 005). Fill pages as a busy table
  // has them, rewrite every other balance once, and count what PostgreSQL did; all of it is
  // rolled back, so the ledger is untouched.
  const client = await ts.pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query(`insert into accounts (kind) select 'draw_pool' from generate_series(1, 2000) returning id`);
    const everyOther = rows.filter((_, i) => i % 2 === 0).map((r) => r.id as number);
    const before = await client.query(`select n_tup_upd, n_tup_hot_upd from pg_stat_xact_user_tables where relname = 'accounts'`);
    await client.query(`update accounts set balance_minor = balance_minor + 1 where id = any($1::int8[])`, [everyOther]);
    const after = await client.query(`select n_tup_upd, n_tup_hot_upd from pg_stat_xact_user_tables where relname = 'accounts'`);
    const updated = Number(after.rows[0].n_tup_upd) - Number(before.rows[0].n_tup_upd);
    const hot = Number(after.rows[0].n_tup_hot_upd) - Number(before.rows[0].n_tup_hot_upd);
    t.equal(updated, everyOther.length, 'every balance was rewritten');
    t.equal(hot, updated, 'and every rewrite was heap-only');
  } finally {
    await client.query('rollback');
    client.release();
  }
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'the ledger invariants hold');
});
