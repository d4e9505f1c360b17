// Settlement is exactly once under crashes (issue 12, migration 012): a process killed at any
// point of a settlement paid in many ranges — in the middle of deciding, in the middle of a
// range, between two ranges — leaves a ledger that holds, and another process's DrawRunner
// finishes it, paying every winning ticket exactly once what the rules say. On PostgreSQL
// the killed process's connection is really terminated (pg_terminate_backend) in the middle
// of its transaction; on the embedded database its statement fails instead.
//
// Expected prizes are computed here from the tickets' jsonb lines and the drawn numbers with
// the rules written out (as test/settlement.test.ts does), not with games/ or the masks.
import t from 'tap';
import type pg from 'pg';
import type { DrawRunner } from '../actors/DrawRunner.ts';
import { drawById, type DrawRow } from '../ledger/draws.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { rolloverBalance } from '../ledger/liveInfo.ts';
import { allGames } from '../games/index.ts';
import { newPlayer, openDraw, startTestServer, type TestServer } from './support/harness.ts';
import { closeAndSeal, drawSealed, nthStatement, poolDyingAt, sell, settlingRunner } from './support/draws.ts';

const PLAYERS = 6;
const TICKETS_PER_PLAYER = 24;
/** Small ranges, so that a draw of 144 tickets is paid in 10 transactions. */
const TICKETS_PER_RANGE = 16;
const CUTOFF_IN_MS = 6_000;

// The rules, written out: 50% of stakes to the fund; tiers 6/5/4/3 matched take 50/20/15/15%;
// the rollover in joins the jackpot, which rolls on when unwon (far below its cap here).
const TIER_BP = [5_000n, 2_000n, 1_500n, 1_500n];

/** The test object a subtest receives. */
type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

let ts: TestServer;
const draws: DrawRow[] = [];

t.before(async () => {
  ts = await startTestServer();
  const tokens = await Promise.all(Array.from({ length: PLAYERS }, async () => (await newPlayer(ts.httpUrl, 200_000)).token));
  const t0 = Date.now();
  draws.push(...(await Promise.all([0, 1, 2, 3].map((i) => openDraw(ts.pool, CUTOFF_IN_MS, t0, 1_000 + i)))));
  const plans = tokens.map((token) => ({ token, bets: Array.from({ length: TICKETS_PER_PLAYER }, () => ({ quickPick: 10 })) }));
  await Promise.all(draws.map((d) => sell(ts, d.publicId, plans)));
  await closeAndSeal(ts, draws);
  for (let i = 0; i < draws.length; i++) draws[i] = await drawSealed(ts, draws[i]);
});

t.teardown(async () => {
  await ts.close();
});

function runnerOn(pool: pg.Pool): DrawRunner {
  return settlingRunner(ts, pool, TICKETS_PER_RANGE);
}

/** A runner whose process dies at the statement `dies` picks (its connection killed on PostgreSQL). */
function dyingRunner(dies: (sql: string) => boolean) {
  const terminate = ts.databaseKind === 'postgres' ? (pid: number) => ts.pool.query('select pg_terminate_backend($1)', [pid]) : null;
  const pool = poolDyingAt(ts.pool, dies, terminate);
  return { runner: runnerOn(pool), died: () => pool.died() };
}

/** Every winning ticket's prize by the rules written out above, given the rollover in. */
async function expectedPrizes(draw: DrawRow, rolloverInMinor: number): Promise<Map<number, { amount: number; tiers: number[] }>> {
  const { rows } = await ts.pool.query<{ id: number; lines: number[][]; cost_minor: number }>(`select id, lines, cost_minor from tickets where draw_id = $1`, [draw.id]);
  const drawn = draw.numbers![0];
  const stakeMinor = rows.reduce((s, r) => s + r.cost_minor, 0);
  const tiersOf = rows.map((r) => {
    const counts = [0, 0, 0, 0];
    for (const line of r.lines) {
      const matched = line.filter((n) => drawn.includes(n)).length;
      if (matched >= 3) counts[6 - matched]++;
    }
    return counts;
  });
  const winning = [0, 1, 2, 3].map((i) => tiersOf.reduce((s, c) => s + c[i], 0));
  const fund = (BigInt(stakeMinor) * 5_000n) / 10_000n;
  const amounts = TIER_BP.map((bp) => Number((fund * bp) / 10_000n));
  amounts[0] += rolloverInMinor;
  if (winning[0] === 0) amounts[0] = 0;
  const perLine = amounts.map((a, i) => (winning[i] === 0 ? 0 : Math.floor(a / winning[i])));
  const out = new Map<number, { amount: number; tiers: number[] }>();
  rows.forEach((r, k) => {
    const amount = tiersOf[k].reduce((s, n, i) => s + n * perLine[i], 0);
    if (amount > 0) out.set(Number(r.id), { amount, tiers: tiersOf[k] });
  });
  return out;
}

/** The draw's ticket prizes, and how many prize transfers left its pool. */
async function paid(draw: DrawRow) {
  const { rows } = await ts.pool.query(`select ticket_id, amount_minor, tier_lines from ticket_prizes where draw_id = $1 order by ticket_id`, [draw.id]);
  const transfers = await ts.pool.query(`select count(*)::int8 as n from transfers where kind = 'prize' and debit_account_id = $1`, [draw.poolAccountId]);
  return { rows, transfers: transfers.rows[0].n as number };
}

async function progress(draw: DrawRow) {
  const { rows } = await ts.pool.query(`select paid_through_ticket_id, pay_ranges, closed_at from draw_settlements where draw_id = $1`, [draw.id]);
  return rows[0] ?? null;
}

async function assertLedger(t: Tap, when: string) {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], `ledger invariants hold ${when}`);
}

/** Kills a settlement where `dies` says, checks the ledger meanwhile, resumes it elsewhere, checks every prize. */
async function killAndResume(t: Tap, draw: DrawRow, dies: (sql: string) => boolean, midway: (t: Tap) => Promise<void>) {
  const rolloverInMinor = await rolloverBalance(ts.pool, 'lotto649');
  const expected = await expectedPrizes(draw, rolloverInMinor);
  const dying = dyingRunner(dies);
  await t.rejects(dying.runner.settle(draw.id), 'the dying process does not finish');
  t.ok(dying.died(), 'it died where it was meant to');
  t.equal((await drawById(ts.pool, draw.id))!.status, 'drawn', 'the draw is not settled');
  await assertLedger(t, 'right after the crash');
  await midway(t);

  t.equal(await runnerOn(ts.pool).settle(draw.id), 'settled', 'another process finishes the settlement');
  const after = await paid(draw);
  t.same(
    after.rows.map((r) => [Number(r.ticket_id), Number(r.amount_minor), r.tier_lines]),
    [...expected.entries()].sort((a, b) => a[0] - b[0]).map(([id, p]) => [id, p.amount, p.tiers]),
    `each of ${expected.size} winning tickets paid exactly its prize, once`,
  );
  t.equal(after.transfers, expected.size, 'one prize transfer per winning ticket, no more');
  const settled = (await drawById(ts.pool, draw.id))!;
  t.equal(settled.flows!.rolloverInMinor, rolloverInMinor, 'the rollover was taken in once');
  t.ok(expected.size > 0, `the draw has winners (${expected.size})`);
  await assertLedger(t, 'after the resumed settlement');
}

t.test('a process killed while deciding leaves nothing; another decides and pays from the start', async (t) => {
  const [draw] = draws;
  const rolloverBefore = await rolloverBalance(ts.pool, 'lotto649');
  await killAndResume(t, draw, nthStatement(1, 'insert into draw_settlements'), async (t) => {
    t.equal(await progress(draw), null, 'no decision was recorded');
    t.equal(await rolloverBalance(ts.pool, 'lotto649'), rolloverBefore, 'the rollover was not taken');
    t.equal((await paid(draw)).rows.length, 0, 'nothing was paid');
  });
  t.equal((await progress(draw)).pay_ranges, Math.ceil((PLAYERS * TICKETS_PER_PLAYER) / TICKETS_PER_RANGE), 'paid in ranges of at most 16 tickets');
});

t.test('a process killed in the middle of a range loses only that range; another pays on from the cursor', async (t) => {
  const draw = draws[1];
  await killAndResume(t, draw, nthStatement(4, 'insert into ticket_prizes'), async (t) => {
    const p = await progress(draw);
    t.equal(p.pay_ranges, 3, 'three ranges committed before the crash');
    const { rows } = await ts.pool.query(`select id from tickets where draw_id = $1 order by id limit 1 offset $2`, [draw.id, 3 * TICKETS_PER_RANGE - 1]);
    t.equal(Number(p.paid_through_ticket_id), Number(rows[0].id), 'the cursor stands at the end of the third range');
    const unpaidBeyond = await ts.pool.query(`select count(*)::int8 as n from ticket_prizes where draw_id = $1 and ticket_id > $2`, [draw.id, p.paid_through_ticket_id]);
    t.equal(unpaidBeyond.rows[0].n, 0, 'nothing of the fourth range was paid');
  });
});

t.test('a process killed between two ranges is resumed by another from the cursor', async (t) => {
  const draw = draws[2];
  // Statements of a settlement that begin a transaction: 1 decides, 2.. pay. The 7th begins the 6th range.
  await killAndResume(t, draw, nthStatement(7, 'begin'), async (t) => {
    t.equal((await progress(draw)).pay_ranges, 5, 'five ranges committed before the crash');
  });
});

t.test('two processes settling one draw at once pay each ticket once', async (t) => {
  const draw = draws[3];
  const expected = await expectedPrizes(draw, await rolloverBalance(ts.pool, 'lotto649'));
  const outcomes = await Promise.all([runnerOn(ts.pool).settle(draw.id), runnerOn(ts.pool).settle(draw.id), ts.server.draws.runner.settle(draw.id)]);
  t.same(outcomes.filter((o) => o === 'settled'), ['settled'], 'exactly one of them closes it');
  const after = await paid(draw);
  t.equal(after.rows.length, expected.size, 'one ticket prize per winning ticket');
  t.equal(after.transfers, expected.size, 'one prize transfer per winning ticket');
  t.equal(after.rows.reduce((s, r) => s + Number(r.amount_minor), 0), [...expected.values()].reduce((s, p) => s + p.amount, 0), 'the prizes the rules say');
  t.equal((await progress(draw)).closed_at !== null, true, 'the settlement is closed');
  await assertLedger(t, 'after concurrent settlements');
});
