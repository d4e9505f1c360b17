// Settlement on a running server, end to end: tickets sold through the real SDK, the draw
// closed, sealed and drawn by the server's runner, then settled. Expected prizes are
// computed here independently (from the recorded numbers and tickets, with the rules
// written out by hand, not with games/prizes.ts) and compared minor unit by minor unit
// with wallets, transfers, ticket prizes, the pool and the house.
import t from 'tap';
import type pg from 'pg';
import type { DrawRunner } from '../actors/DrawRunner.ts';
import { drawsDue, markHalted } from '../ledger/drawSteps.ts';
import { drawById, type DrawRow } from '../ledger/draws.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { http, newPlayer, openDraw, startTestServer, type TestServer } from './support/harness.ts';
import { closeAndSeal, drawSealed, poolCrashingAtCommit, poolDyingAtStatement, sell, settlingRunner, type BetPlan } from './support/draws.ts';

const DEPOSIT_MINOR = 100_000;
const PLAYERS = 6;
/** Sales window: long enough to sell every bet below on a slow machine. */
const CUTOFF_IN_MS = 5_000;

// The rules, written out independently of games/: 50% of stakes to the prize fund, tiers
// by matched numbers 6/5/4/3 taking 50/20/15/15% of the fund, split per winning line.
const PAYOUT_BP = 5_000n;
const TIER_BP = [5_000n, 2_000n, 1_500n, 1_500n];
const tierOfLine = (line: number[], drawn: number[]): number | null => {
  const matched = line.filter((n) => drawn.includes(n)).length;
  return matched >= 3 ? 6 - matched : null;
};

// Lines every player buys on one ticket (so a winning one is split at least six ways), and
// a ticket holding one line twice (each copy is a winning line of its own).
const SHARED_LINES = Array.from({ length: 8 }, (_, k) => Array.from({ length: 6 }, (_, i) => 6 * k + i + 1));
const TWICE_LINES = [
  [1, 9, 17, 25, 33, 41],
  [1, 9, 17, 25, 33, 41],
];
const mainPlan = (): BetPlan => [{ lines: SHARED_LINES }, { lines: TWICE_LINES }, ...Array.from({ length: 28 }, () => ({ quickPick: 10 }))];

interface Player {
  token: string;
  playerId: number;
  walletId: number;
}

let ts: TestServer;
let players: Player[];
let main: DrawRow;
let empty: DrawRow;
let halted: DrawRow;

async function one<T = any>(sql: string, params: unknown[] = []): Promise<T> {
  return (await ts.pool.query(sql, params)).rows[0];
}

t.before(async () => {
  ts = await startTestServer();
  const registered = await Promise.all(Array.from({ length: PLAYERS }, () => newPlayer(ts.httpUrl, DEPOSIT_MINOR)));
  const { rows } = await ts.pool.query(
    `select p.email, p.id, w.id as wallet_id from players p join accounts w on w.player_id = p.id and w.kind = 'player_wallet' where p.email = any($1)`,
    [registered.map((p) => p.email)],
  );
  players = registered.map((p) => {
    const r = rows.find((x) => x.email === p.email);
    return { token: p.token, playerId: r.id, walletId: r.wallet_id };
  });

  const t0 = Date.now();
  // One draw per game and draw time: hence the draw times a millisecond apart.
  [main, empty, halted] = await Promise.all([0, 1, 2].map((i) => openDraw(ts.pool, CUTOFF_IN_MS, t0, 1_000 + i)));
  await Promise.all([
    sell(ts, main.publicId, players.map((p) => ({ token: p.token, bets: mainPlan() }))),
    sell(ts, halted.publicId, [{ token: players[0].token, bets: [{ quickPick: 3 }, { lines: SHARED_LINES }] }]),
  ]);
  await closeAndSeal(ts, [main, empty, halted]);
});

t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});

t.teardown(async () => {
  await ts.close();
});

/** Everything settlement may touch, to show that a step changed nothing. */
async function snapshot() {
  return one(
    `select (select count(*) from transfers)::int8 as transfers, (select count(*) from ticket_prizes)::int8 as prizes,
            (select json_agg(json_build_array(id, balance_minor) order by id) from accounts) as balances,
            (select json_agg(json_build_array(id, status, prize_total_minor) order by id) from draws) as draws`,
  );
}

/** A runner like the server's, on a pool whose COMMIT after settling "crashes" the process. */
function crashingRunner(pool: pg.Pool): DrawRunner {
  return runnerOn(poolCrashingAtCommit(pool, (sql) => typeof sql === 'string' && sql.includes(`set status = 'settled'`)));
}

/** A runner like the server's on `pool`. */
function runnerOn(pool: pg.Pool): DrawRunner {
  return settlingRunner(ts, pool);
}

t.test('a drawn draw pays every winning line its tier share, the rest to the house, and ends with an empty pool', async (t) => {
  const runner = ts.server.draws.runner;
  t.equal(await runner.settle(main.id), 'skipped', 'a sealed draw is not settled before it is drawn');
  main = await drawSealed(ts, main);
  t.ok((await drawsDue(ts.pool)).toSettle.includes(main.id), 'a drawn draw is due for settlement');
  const drawn = main.numbers![0];

  // Expected, from the ledger's tickets and the recorded numbers alone.
  const { rows: tickets } = await ts.pool.query<{ id: number; player_id: number; lines: number[][]; cost_minor: number }>(
    `select id, player_id, lines, cost_minor from tickets where draw_id = $1 order by id`,
    [main.id],
  );
  t.equal(tickets.length, PLAYERS * 30);
  const stakeMinor = tickets.reduce((s, x) => s + x.cost_minor, 0);
  t.equal(stakeMinor, PLAYERS * (8 + 2 + 28 * 10) * 200);
  const ticketTiers = tickets.map((x) => {
    const counts = [0, 0, 0, 0];
    for (const line of x.lines) {
      const tier = tierOfLine(line, drawn);
      if (tier !== null) counts[tier]++;
    }
    return counts;
  });
  const winningLines = [0, 1, 2, 3].map((i) => ticketTiers.reduce((s, c) => s + c[i], 0));
  t.ok(winningLines[3] > 0, `some lines matched three numbers (${winningLines}), so this test pays real prizes`);
  const fundMinor = (BigInt(stakeMinor) * PAYOUT_BP) / 10_000n;
  const perLineMinor = TIER_BP.map((bp, i) => (winningLines[i] === 0 ? 0 : Number((fundMinor * bp) / 10_000n / BigInt(winningLines[i]))));
  const expected = new Map<number, { amount: number; tiers: number[]; playerId: number }>();
  ticketTiers.forEach((counts, k) => {
    const amount = counts.reduce((s, n, i) => s + n * perLineMinor[i], 0);
    if (amount > 0) expected.set(tickets[k].id, { amount, tiers: counts, playerId: tickets[k].player_id });
  });
  const prizeTotalMinor = [...expected.values()].reduce((s, p) => s + p.amount, 0);
  // Unwon, the jackpot tier rolls to the game's next draw (far below its cap here); the rest goes to the house.
  const rolloverOutMinor = winningLines[0] === 0 ? Number((fundMinor * TIER_BP[0]) / 10_000n) : 0;
  const houseShareMinor = stakeMinor - prizeTotalMinor - rolloverOutMinor;
  t.ok(prizeTotalMinor > 0 && prizeTotalMinor <= Number(fundMinor));

  // A process dies at any statement of the decision (the first phase): nothing of it remains.
  // On PostgreSQL its backend is killed right there.
  const before = await snapshot();
  let statements = 0;
  for (let k = 1; ; k++) {
    const dying = poolDyingAtStatement(ts.pool, k, ts.databaseKind === 'postgres');
    await t.rejects(runnerOn(dying.pool).settle(main.id), `a crash at statement ${k}`);
    t.same(await snapshot(), before, `a decision that died at statement ${k} left no trace`);
    if (!dying.reached()) break;
    statements = k;
  }
  t.ok(statements >= 4, `crashed at each of the decision's ${statements} statements before its commit`);

  // A process crashes at the COMMIT that would close the draw: the phases it committed before
  // (the decision with its flows, every range paid) stay, the close does not, and the ledger
  // holds in between (migration 012; test/settlement-resume.test.ts kills it everywhere else).
  const houseBefore = (await one(`select balance_minor from accounts where code = 'house'`)).balance_minor;
  await t.rejects(crashingRunner(ts.pool).settle(main.id), /simulated crash/);
  t.equal((await drawById(ts.pool, main.id))!.status, 'drawn', 'the close did not commit: the draw is not settled');
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'the ledger holds between the phases of a settlement');
  const midway = await one(`select count(*)::int8 as n, coalesce(sum(amount_minor), 0)::int8 as paid from ticket_prizes where draw_id = $1`, [main.id]);
  t.same(midway, { n: expected.size, paid: prizeTotalMinor }, 'every winner was paid before the crash, once');

  // Two processes at once resume it: one closes it, the other skips.
  const outcomes = await Promise.all([runner.settle(main.id), runner.settle(main.id)]);
  t.same(outcomes.sort(), ['settled', 'skipped'], 'settled once, however many try');

  const settled = (await drawById(ts.pool, main.id))!;
  t.equal(settled.status, 'settled');
  t.equal(settled.prizeTotalMinor, prizeTotalMinor, 'the draw records what players were paid');
  const view = await http(ts.httpUrl, 'GET', `/api/draws/${settled.publicId}`);
  t.equal(view.body.status, 'settled');
  t.equal(view.body.settlement.prizeTotalMinor, prizeTotalMinor, 'the public draw shows the prize total');
  t.same(view.body.settlement.tiers.map((x: any) => x.name), settled.prizeTiers!.map((x) => x.name), 'and every tier');
  t.ok(settled.settledAtMs! >= main.drawAtMs - 5_000 && settled.settledAtMs! <= Date.now() + 5_000);
  t.same(
    settled.prizeTiers!.map((x) => [x.name, x.winningLines, x.perLineMinor]),
    ['match6', 'match5', 'match4', 'match3'].map((name, i) => [name, winningLines[i], perLineMinor[i]]),
    'per-line amounts of every tier',
  );
  t.notOk((await drawsDue(ts.pool)).toSettle.includes(main.id), 'a settled draw is no longer due');

  // Ticket prizes and their transfers: one prize transfer per winning ticket, pool -> owner's wallet.
  const { rows: paid } = await ts.pool.query(
    `select p.ticket_id, p.amount_minor, p.tier_lines, s.amount_minor as transfer_minor, s.kind,
            s.debit_account_id, s.credit_account_id, w.player_id as credited_player
       from ticket_prizes p join transfers s on s.id = p.transfer_id join accounts w on w.id = s.credit_account_id
      where p.draw_id = $1 order by p.ticket_id`,
    [main.id],
  );
  t.same(
    paid.map((r) => [r.ticket_id, r.amount_minor, r.tier_lines, r.transfer_minor, r.kind, r.debit_account_id, r.credited_player]),
    [...expected.entries()].map(([id, p]) => [id, p.amount, p.tiers, p.amount, 'prize', main.poolAccountId, p.playerId]),
    `${expected.size} winning tickets, each paid exactly its prize`,
  );
  const prizeTransfers = await one(
    `select count(*)::int8 as n from transfers where kind = 'prize' and debit_account_id = $1`,
    [main.poolAccountId],
  );
  t.equal(prizeTransfers.n, expected.size, 'no other prize transfer left the pool');

  // Wallets: deposit - stakes + prizes, to the minor unit.
  for (const p of players) {
    const spent = tickets.filter((x) => x.player_id === p.playerId).reduce((s, x) => s + x.cost_minor, 0);
    const won = [...expected.values()].filter((x) => x.playerId === p.playerId).reduce((s, x) => s + x.amount, 0);
    const haltedSpent = (await one(`select coalesce(sum(cost_minor), 0)::int8 as s from tickets where draw_id = $1 and player_id = $2`, [halted.id, p.playerId])).s;
    const wallet = await one(`select balance_minor from accounts where id = $1`, [p.walletId]);
    t.equal(wallet.balance_minor, DEPOSIT_MINOR - spent - haltedSpent + won, `player ${p.playerId} won ${won}`);
  }

  // Pool and house.
  t.equal((await one(`select balance_minor from accounts where id = $1`, [main.poolAccountId])).balance_minor, 0, 'the pool is empty');
  t.equal((await one(`select balance_minor from accounts where code = 'house'`)).balance_minor - houseBefore, houseShareMinor, 'the house got the rest');
  const houseTransfer = await one(
    `select s.kind, s.amount_minor, s.debit_account_id, h.code from draws d join transfers s on s.id = d.house_transfer_id
       join accounts h on h.id = s.credit_account_id where d.id = $1`,
    [main.id],
  );
  t.same(houseTransfer, { kind: 'house_share', amount_minor: houseShareMinor, debit_account_id: main.poolAccountId, code: 'house' });
  const rollover = await one(`select balance_minor from accounts where code = 'rollover:lotto649'`);
  t.equal(rollover.balance_minor, rolloverOutMinor, 'an unwon jackpot waits in the rollover account for the next draw');
  t.equal(view.body.settlement.rolloverOutMinor, rolloverOutMinor, 'the public draw shows what rolled over');

  // Settling again changes nothing.
  const after = await snapshot();
  t.equal(await runner.settle(main.id), 'skipped');
  t.same(await snapshot(), after, 'settling a settled draw is a no-op');
});

t.test('a draw without tickets settles to zero', async (t) => {
  empty = await drawSealed(ts, empty);
  const before = await snapshot();
  t.equal(await ts.server.draws.runner.settle(empty.id), 'settled');
  const row = await one(`select status, prize_total_minor, house_share_minor, house_transfer_id from draws where id = $1`, [empty.id]);
  t.same(row, { status: 'settled', prize_total_minor: 0, house_share_minor: 0, house_transfer_id: null });
  const after = await snapshot();
  // The rollover passes through the empty draw (in and out again): no other transfer, none of zero.
  const rolled = (await one(`select balance_minor from accounts where code = 'rollover:lotto649'`)).balance_minor;
  t.equal(after.transfers, before.transfers + (rolled > 0 ? 2 : 0), 'no transfer of zero');
  t.equal(after.prizes, before.prizes);
  t.same(after.balances, before.balances);
  t.same((await drawById(ts.pool, empty.id))!.prizeTiers!.map((x) => x.winningLines), [0, 0, 0, 0]);
});

t.test('a halted draw is never settled: its stakes stay in its pool', async (t) => {
  const client = await ts.pool.connect();
  try {
    await markHalted(client, halted.id, 'test: halted after the seal');
  } finally {
    client.release();
  }
  t.notOk((await drawsDue(ts.pool)).toSettle.includes(halted.id), 'a halted draw is not due for settlement');
  const before = await snapshot();
  t.equal(await ts.server.draws.runner.settle(halted.id), 'skipped');
  t.same(await snapshot(), before);
  const row = await one(
    `select d.status, d.settled_at, a.balance_minor from draws d join accounts a on a.id = d.pool_account_id where d.id = $1`,
    [halted.id],
  );
  t.same(row, { status: 'halted', settled_at: null, balance_minor: (3 + 8) * 200 });
  t.equal(await ts.server.draws.runner.settle(987_654_321), 'skipped', 'an unknown draw is skipped');
});

/** Runs a statement in a transaction that is always rolled back, on its own connection. */
async function attempt(sql: string, params: unknown[] = []): Promise<unknown> {
  const client = await ts.pool.connect();
  try {
    await client.query('begin');
    return await client.query(sql, params);
  } finally {
    await client.query('rollback');
    client.release();
  }
}

t.test('settlement rows are permanent and a settled draw must carry its totals', async (t) => {
  await t.rejects(attempt(`delete from ticket_prizes where ticket_id = -1`), /are never deleted/);
  await t.rejects(attempt(`truncate ticket_prizes`), /are never deleted/);
  await t.rejects(attempt(`update draws set prize_total_minor = null where id = $1`, [main.id]), /draw_settled/);
  await t.rejects(attempt(`update draws set house_share_minor = house_share_minor + 1 where id = $1`, [main.id]), /draw_settled_in_full/);
  await t.rejects(attempt(`update draws set status = 'drawn' where id = $1`, [main.id]), /draw_settled/);
  await t.rejects(attempt(`update ticket_prizes set amount_minor = 0 where draw_id = $1`, [main.id]), /amount_minor_check/);
});
