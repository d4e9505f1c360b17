// The invariant checker is only worth something if it catches what it promises to catch:
// each test here breaks the ledger one way (inside a transaction that is rolled back) and
// expects that violation, and no other, to be reported.
import t from 'tap';
import type pg from 'pg';
import type { DrawRow } from '../ledger/draws.ts';
import { checkLedger, inspectLedger, linePricesOf, type LinePrices } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { closeAndSeal, drawSealed, sell } from './support/draws.ts';
import { newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;
/** A settled draw with winners: 1,200 quick-pick lines leave no three-match with probability ~5e-10. */
let settled: DrawRow;

t.before(async () => {
  ts = await startTestServer();
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  for (let i = 0; i < 3; i++) t.equal((await conn.bet({ requestId: `r${i}`, quickPick: 1 })).type, 'bet:accepted');
  await conn.leave();

  const winners = await Promise.all([0, 1, 2].map(() => newPlayer(ts.httpUrl, 100_000)));
  settled = await openDraw(ts.pool, 4_000, Date.now(), 500);
  await sell(ts, settled.publicId, winners.map(({ token }) => ({ token, bets: Array.from({ length: 40 }, () => ({ quickPick: 10 })) })));
  await closeAndSeal(ts, [settled]);
  settled = await drawSealed(ts, settled);
  t.equal(await ts.server.draws.runner.settle(settled.id), 'settled');
  const { rows } = await ts.pool.query(`select count(*)::int8 as n from ticket_prizes where draw_id = $1`, [settled.id]);
  t.ok(rows[0].n > 0, 'the settled draw has winners');
});

t.teardown(async () => {
  await ts.close();
});

const PRICES: LinePrices = linePricesOf(allGames());

/** Runs the corruption and the check on one connection, then undoes both. */
async function violationsAfter(corrupt: (c: pg.PoolClient) => Promise<unknown>, prices: LinePrices | undefined = PRICES): Promise<string[]> {
  const client = await ts.pool.connect();
  try {
    await client.query('begin');
    await corrupt(client);
    return (await inspectLedger(client, prices)).violations;
  } finally {
    await client.query('rollback');
    client.release();
  }
}

t.test('a clean ledger has no violations', async (t) => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, []);
  t.same((await checkLedger(ts.pool, PRICES)).violations, [], 'every ticket costs its lines times its game\'s price');
});

// The cutoff fence after the fact: a ticket received outside [open_at, cutoff_at) of its draw.
const lastTicketOf = (drawId: string) => `(select max(id) from tickets where draw_id <> ${drawId})`;

t.test('a ticket received at or after its cutoff, or before its draw opened, is reported', async (t) => {
  const late = await violationsAfter((c) =>
    c.query(`update tickets t set received_at = d.cutoff_at from draws d where d.id = t.draw_id and t.id = ${lastTicketOf(String(settled.id))}`),
  );
  t.equal(late.length, 1);
  t.match(late[0], /^ticket T\d+ was received outside the sales window of draw /);
  const early = await violationsAfter((c) =>
    c.query(
      `update tickets t set received_at = d.open_at - interval '1 millisecond' from draws d where d.id = t.draw_id and t.id = ${lastTicketOf(String(settled.id))}`,
    ),
  );
  t.equal(early.length, 1);
  t.match(early[0], /was received outside the sales window/);
  const lastMs = await violationsAfter((c) =>
    c.query(
      `update tickets t set received_at = d.cutoff_at - interval '1 millisecond' from draws d where d.id = t.draw_id and t.id = ${lastTicketOf(String(settled.id))}`,
    ),
  );
  t.same(lastMs, [], 'a ticket received 1 ms before cutoff is inside the window');
});

/** Charges a ticket 1 more (stake transfer, wallet and pool with it), keeping the books balanced. */
async function overcharge(c: pg.PoolClient, ticket: string): Promise<void> {
  const { rows } = await c.query(`select id, debit_account_id as wallet, credit_account_id as pool from transfers where ticket_id = ${ticket}`);
  await c.query(`update tickets set cost_minor = cost_minor + 1 where id = ${ticket}`);
  await c.query(`update transfers set amount_minor = amount_minor + 1 where id = $1`, [rows[0].id]);
  await c.query(`update accounts set balance_minor = balance_minor - 1 where id = $1`, [rows[0].wallet]);
  await c.query(`update accounts set balance_minor = balance_minor + 1 where id = $1`, [rows[0].pool]);
}

t.test("a ticket that does not cost its stake times its lines, or at a stake its game does not offer, is reported", async (t) => {
  const ticket = lastTicketOf(String(settled.id));
  const priced = await violationsAfter((c) => overcharge(c, ticket));
  t.equal(priced.length, 1, priced.join('\n'));
  t.match(priced[0], /^ticket T\d+ costs 201 for 1 lines \(line count 1\) at a stake of 200$/);
  const unpriced = await violationsAfter((c) => overcharge(c, ticket), undefined);
  t.equal(unpriced.length, 1, 'without the games, the arithmetic is still checked');
  t.match(unpriced[0], /costs 201 for 1 lines/);
  const restaked = await violationsAfter((c) => c.query(`update tickets set stake_minor = 100, cost_minor = 100 where id = ${ticket}`));
  t.ok(restaked.some((v) => /is a standard bet at 100 a line, which game lotto649 does not offer/.test(v)), restaked.join('\n'));
  const extraLine = await violationsAfter((c) => c.query(`update tickets set lines = lines || '[[1,2,3,4,5,6]]'::jsonb where id = ${ticket}`));
  t.equal(extraLine.length, 1, 'a line added without its price');
  t.match(extraLine[0], /costs 200 for 2 lines \(line count 1\)/);
  const unknown = await violationsAfter(async () => {}, new Map());
  t.ok(unknown.length > 0);
  t.match(unknown[0], /which game \S+ does not offer/);
});

t.test('a balance changed without a transfer is reported', async (t) => {
  const v = await violationsAfter((c) => c.query(`update accounts set balance_minor = balance_minor + 1 where kind = 'house'`));
  t.match(v.join('\n'), /balances sum to 1, not 0/);
  // The house holds the settled draw's share (before()), so its balance is that plus 1.
  const house = (await ts.pool.query(`select balance_minor from accounts where code = 'house'`)).rows[0].balance_minor;
  t.match(v.join('\n'), `(house) balance ${house + 1} but transfers say ${house}`);
});

t.test('a ticket without its stake transfer is reported', async (t) => {
  const v = await violationsAfter((c) =>
    c.query(`insert into tickets (draw_id, player_id, request_id, bet_type, stake_minor, lines, line_masks, line_count, cost_minor, quick_pick, received_at)
             select draw_id, player_id, 'forged', bet_type, stake_minor, lines, line_masks, line_count, cost_minor, quick_pick, received_at from tickets limit 1`),
  );
  t.match(v.join('\n'), /ticket T\d+ has 0 stake transfers/);
});

t.test('a stake transfer that does not match its ticket is reported', async (t) => {
  const v = await violationsAfter(async (c) => {
    const { rows } = await c.query(`select id from transfers where kind = 'stake' order by id limit 1`);
    await c.query(`update accounts set balance_minor = balance_minor + 1 where kind = 'house'`);
    await c.query(`update accounts set balance_minor = balance_minor - 1 where id = (select credit_account_id from transfers where id = $1)`, [rows[0].id]);
    await c.query(`update transfers set credit_account_id = (select id from accounts where kind = 'house') where id = $1`, [rows[0].id]);
  });
  t.match(v.join('\n'), /ticket T\d+ has 1 stake transfers \(matching: false\)/);
});

t.test('references without foreign keys are checked', async (t) => {
  const v = await violationsAfter(async (c) => {
    await c.query(`update tickets set draw_id = -1 where id = (select min(id) from tickets)`);
    await c.query(`update tickets set player_id = -1 where id = (select max(id) from tickets)`);
    await c.query(`insert into transfers (debit_account_id, credit_account_id, amount_minor, kind, ticket_id) values (-7, -8, 1, 'stake', -9)`);
  });
  const text = v.join('\n');
  t.match(text, /1 tickets name a draw that does not exist/);
  t.match(text, /1 tickets name a player that does not exist/);
  t.match(text, /1 stake transfers name a ticket that does not exist/);
  t.match(text, /1 transfers name an account that does not exist/);
});

t.test('a completed deposit without its transfer is reported', async (t) => {
  const v = await violationsAfter((c) =>
    c.query(`insert into deposits (public_id, player_id, idempotency_key, amount_minor, provider, status)
             select 'dep_forged', player_id, 'forged', 100, 'sandbox', 'completed' from deposits limit 1`),
  );
  t.match(v.join('\n'), /deposit dep_forged has 0 transfers for its status/);
});

t.test('accounts, transfers and tickets can never be deleted', async (t) => {
  for (const table of ['accounts', 'transfers', 'tickets']) {
    await t.rejects(violationsAfter((c) => c.query(`delete from ${table} where id = -1`)), /are never deleted/, `delete from ${table}`);
    await t.rejects(violationsAfter((c) => c.query(`truncate ${table} cascade`)), /are never deleted/, `truncate ${table}`);
  }
});

// Settlement (migration 004). Each corruption keeps balances equal to their transfers, so
// only the settlement check it aims at fires.

/** Moves `amountMinor` between two accounts with a transfer of `kind`, keeping the books balanced. */
async function move(c: pg.PoolClient, from: string, to: string, amountMinor: number, kind: string): Promise<void> {
  await c.query(`insert into transfers (debit_account_id, credit_account_id, amount_minor, kind) values ((${from}), (${to}), $1, $2)`, [amountMinor, kind]);
  await c.query(`update accounts set balance_minor = balance_minor - $1 where id = (${from})`, [amountMinor]);
  await c.query(`update accounts set balance_minor = balance_minor + $1 where id = (${to})`, [amountMinor]);
}

const HOUSE = `select id from accounts where code = 'house'`;
const CLEARING = `select id from accounts where code = 'provider_clearing:sandbox'`;
const poolOf = (d: DrawRow) => `${d.poolAccountId}`;
const firstPrize = (d: DrawRow) => `(select min(ticket_id) from ticket_prizes where draw_id = ${d.id})`;

t.test('a settled draw whose pool is not empty is reported', async (t) => {
  // A refund is a ticket's (migration 019): one that is not is reported too.
  const v = await violationsAfter((c) => move(c, HOUSE, poolOf(settled), 1, 'refund'));
  t.same(v, ['1 refund transfers without a ticket refund', `draw ${settled.publicId} is settled but its pool holds 1`]);
});

t.test('a ticket prize for a ticket of another draw is reported', async (t) => {
  const v = await violationsAfter((c) =>
    c.query(`update ticket_prizes set ticket_id = (select min(id) from tickets where draw_id <> $1) where ticket_id = ${firstPrize(settled)}`, [settled.id]),
  );
  t.match(v.join('\n'), new RegExp(`prize of ticket T\\d+ is not a ticket of draw ${settled.publicId}`));
  t.equal(v.length, 1);
});

t.test("a prize paid to someone other than the ticket's owner is reported", async (t) => {
  const v = await violationsAfter(async (c) => {
    const { rows } = await c.query(
      `select s.id, s.credit_account_id as wallet, s.amount_minor from ticket_prizes p join transfers s on s.id = p.transfer_id
        where p.ticket_id = ${firstPrize(settled)}`,
    );
    const other = `select id from accounts where kind = 'player_wallet' and id <> ${rows[0].wallet} order by id limit 1`;
    // Undo the credit to the owner, make it to someone else, and say so in the transfer.
    await c.query(`update accounts set balance_minor = balance_minor - $1 where id = $2`, [rows[0].amount_minor, rows[0].wallet]);
    await c.query(`update accounts set balance_minor = balance_minor + $1 where id = (${other})`, [rows[0].amount_minor]);
    await c.query(`update transfers set credit_account_id = (${other}) where id = $1`, [rows[0].id]);
  });
  t.match(v.join('\n'), /prize of ticket T\d+ does not match its transfer \d+/);
  t.equal(v.length, 1);
});

t.test('a prize transfer without a ticket prize is reported', async (t) => {
  const v = await violationsAfter((c) => move(c, HOUSE, `select min(id) from accounts where kind = 'player_wallet'`, 1, 'prize'));
  t.same(v, ['1 prize transfers without a ticket prize']);
});

t.test("ticket prizes that do not add up to the draw's prize total are reported", async (t) => {
  const v = await violationsAfter((c) =>
    c.query(`update draws set prize_total_minor = prize_total_minor + 1, house_share_minor = house_share_minor - 1 where id = $1`, [settled.id]),
  );
  t.match(v.join('\n'), new RegExp(`draw ${settled.publicId}: ticket prizes sum to (\\d+), its prize total is (?!\\1)\\d+`));
  t.match(v.join('\n'), `draw ${settled.publicId}: its settled totals are not those of its settlement record`, 'and its totals are no longer what was decided');
  t.equal(v.length, 2);
});

t.test('a ticket prize on a draw that is neither settled nor being settled is reported', async (t) => {
  const unsettle = (c: pg.PoolClient) => c.query(`alter table draws drop constraint draw_settled, drop constraint draw_settled_in_full, drop constraint draw_house_transfer`)
    .then(() => c.query(`update draws set status = 'drawn' where id = $1`, [settled.id]));
  const reopened = await violationsAfter(unsettle);
  t.same(reopened, [`draw ${settled.publicId}: its settlement is closed but it is drawn`], 'a closed settlement belongs to a settled draw');
  const undecided = await violationsAfter(async (c) => {
    await unsettle(c);
    await c.query(`alter table draw_settlements disable trigger draw_settlements_permanent`);
    await c.query(`delete from draw_settlements where draw_id = $1`, [settled.id]);
  });
  t.match(undecided.join('\n'), new RegExp(`draw ${settled.publicId} is drawn but has \\d+ ticket prizes`));
  t.match(undecided.join('\n'), /\d+ rollover, house funding or house share transfers not named by exactly one draw's settlement/);
});

t.test('a settlement in progress is checked between its phases', async (t) => {
  const reopen = async (c: pg.PoolClient) => {
    await c.query(`alter table draws drop constraint draw_settled, drop constraint draw_settled_in_full, drop constraint draw_house_transfer`);
    await c.query(`update draws set status = 'drawn' where id = $1`, [settled.id]);
    await c.query(`alter table draw_settlements drop constraint settlement_closed_in_full`);
    await c.query(`update draw_settlements set closed_at = null where draw_id = $1`, [settled.id]);
  };
  t.same(await violationsAfter(reopen), [], 'a draw paid in full and not yet closed is consistent');
  const behind = await violationsAfter(async (c) => {
    await reopen(c);
    await c.query(`update draw_settlements set paid_through_ticket_id = (select min(ticket_id) from ticket_prizes where draw_id = $1) - 1 where draw_id = $1`, [settled.id]);
  });
  t.match(behind.join('\n'), new RegExp(`draw ${settled.publicId}: its settlement counted \\d+ prizes of \\d+, it has \\d+ of \\d+ \\([1-9]\\d* beyond the pay cursor\\)`));
  const owed = await violationsAfter(async (c) => {
    await reopen(c);
    await move(c, HOUSE, poolOf(settled), 3, 'refund');
  });
  t.match(owed.join('\n'), new RegExp(`draw ${settled.publicId}: its pool holds 3, its unpaid winners are owed 0`));
});

t.test('a prize that is not its winning lines times the per-line amounts is reported', async (t) => {
  const v = await violationsAfter((c) =>
    c.query(`update ticket_prizes set tier_lines = array(select n + 1 from unnest(tier_lines) as n) where ticket_id = ${firstPrize(settled)}`),
  );
  t.match(v.join('\n'), new RegExp(`prize of ticket T\\d+ is not its winning lines times the prizes per line of draw ${settled.publicId}`));
  t.equal(v.length, 1);
});

t.test('a house share not paid pool -> house as one house_share transfer is reported', async (t) => {
  const redirected = await violationsAfter(async (c) => {
    const { rows } = await c.query(`select house_transfer_id as id, house_share_minor as amount from draws where id = $1`, [settled.id]);
    await c.query(`update accounts set balance_minor = balance_minor - $1 where id = (${HOUSE})`, [rows[0].amount]);
    await c.query(`update accounts set balance_minor = balance_minor + $1 where id = (${CLEARING})`, [rows[0].amount]);
    await c.query(`update transfers set credit_account_id = (${CLEARING}) where id = $1`, [rows[0].id]);
  });
  // Money moved into or out of the provider's clearing account is no deposit's or withdrawal's (migration 020).
  const clearing = /^account provider_clearing:sandbox holds -?\d+, its paid withdrawals less its completed deposits are -?\d+$/;
  t.match(redirected, [clearing, `draw ${settled.publicId}: its house share does not match its transfer`]);
  t.equal(redirected.length, 2);
  const stray = await violationsAfter((c) => move(c, CLEARING, HOUSE, 5, 'house_share'));
  t.match(stray, [clearing, "1 rollover, house funding or house share transfers not named by exactly one draw's settlement"]);
  t.equal(stray.length, 2);
});

t.test('ticket prizes can never be deleted', async (t) => {
  await t.rejects(violationsAfter((c) => c.query(`delete from ticket_prizes where ticket_id = -1`)), /are never deleted/);
  await t.rejects(violationsAfter((c) => c.query(`truncate ticket_prizes`)), /are never deleted/);
});
