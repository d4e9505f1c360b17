// ledger/settle.ts — the settlement before issue 12, kept as bench/settle.ts's same-run
// baseline (the server settles with ledger/settleSets.ts): prize transfers pool -> wallet,
// ticket_prizes, the pool -> house remainder, and the draw marked settled (migration 004),
// with every ticket's prize computed in JavaScript and no rollover.
//
// The caller (actors/DrawRunner.ts) locks the draw in status 'drawn', computes each
// ticket's prize with its game's pure rules (games/prizes.ts) and hands the result here,
// all in one transaction: settlement happens entirely or not at all, once, however many
// processes try it. A retry after a crash starts again from the untouched draw.
//
// Lock order, as for every money transaction (ledger/bets.ts): the winners' wallets first,
// ascending id (statements run in wallet order, each locking its wallets in id order), then
// the system accounts, pool and house, ascending id. The pool is debited once, at the end.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { SETTLE_PRIZES_PER_STATEMENT_MAX } from '../core/limits.ts';
import type { PrizeAllocation } from '../games/prizes.ts';
import type { LockedDrawStep } from './drawSteps.ts';

export interface TicketPrize {
  /** Row id of the winning ticket. */
  ticketId: number;
  amountMinor: number;
  /** Winning lines of the ticket per tier, in the game's tier order. */
  tierLines: number[];
}

export interface SettlementTotals {
  winningTickets: number;
  prizeTotalMinor: number;
  houseShareMinor: number;
  houseTransferId: number | null;
}

interface PrizeToWrite extends TicketPrize {
  walletId: number;
}

/**
 * Writes the settlement of a draw locked in status 'drawn' and marks it settled. `prizes`
 * holds every ticket with a prize above zero; `allocation` the draw's split of its stakes.
 */
export async function recordSettlement(
  client: pg.PoolClient,
  draw: LockedDrawStep,
  allocation: PrizeAllocation,
  prizes: readonly TicketPrize[],
): Promise<SettlementTotals> {
  invariant(draw.status === 'drawn' && draw.seal !== null, `draw ${draw.publicId} is ${draw.status}, not drawn`);
  invariant(allocation.stakeTotalMinor === draw.seal.stakeTotalMinor, `draw ${draw.publicId}: allocated ${allocation.stakeTotalMinor}, sealed ${draw.seal.stakeTotalMinor}`);
  const tickets = new Set<number>();
  let prizeTotalMinor = 0;
  for (const p of prizes) {
    invariant(Number.isSafeInteger(p.amountMinor) && p.amountMinor > 0, `ticket ${p.ticketId}: prize ${p.amountMinor} is not a positive integer`);
    invariant(p.tierLines.every((n) => Number.isSafeInteger(n) && n >= 0), `ticket ${p.ticketId}: tier lines ${p.tierLines}`);
    invariant(!tickets.has(p.ticketId), `ticket ${p.ticketId} has two prizes`);
    tickets.add(p.ticketId);
    prizeTotalMinor += p.amountMinor;
  }
  // Pair assertion: the prizes add up to what the allocation pays players, the rest to the house.
  invariant(prizeTotalMinor === allocation.playersMinor, `draw ${draw.publicId}: prizes sum to ${prizeTotalMinor}, allocation pays ${allocation.playersMinor}`);
  const houseShareMinor = draw.seal.stakeTotalMinor - prizeTotalMinor;
  invariant(houseShareMinor === allocation.houseMinor, `draw ${draw.publicId}: house share ${houseShareMinor}, allocation says ${allocation.houseMinor}`);

  const toWrite = await withWallets(client, draw, prizes);
  toWrite.sort((a, b) => a.walletId - b.walletId || a.ticketId - b.ticketId);
  for (let i = 0; i < toWrite.length; i += SETTLE_PRIZES_PER_STATEMENT_MAX) {
    await payPrizes(client, draw, toWrite.slice(i, i + SETTLE_PRIZES_PER_STATEMENT_MAX));
  }
  const houseTransferId = await closePool(client, draw, prizeTotalMinor, houseShareMinor);

  const updated = await client.query(
    `update draws set status = 'settled', settled_at = clock_timestamp(), prize_total_minor = $2, house_share_minor = $3,
                      house_transfer_id = $4, prize_tiers = $5, rollover_in_minor = 0, rollover_out_minor = 0, house_in_minor = 0
      where id = $1 and status = 'drawn'`,
    [draw.id, prizeTotalMinor, houseShareMinor, houseTransferId, JSON.stringify(allocation.tiers)],
  );
  invariant(updated.rowCount === 1, `draw ${draw.publicId} changed status while being settled`);

  // Pair assertion against the rows just written.
  const { rows } = await client.query(
    `select count(*)::int8 as n, coalesce(sum(amount_minor), 0)::int8 as total from ticket_prizes where draw_id = $1`,
    [draw.id],
  );
  invariant(rows[0].n === prizes.length && rows[0].total === prizeTotalMinor, `draw ${draw.publicId}: wrote ${rows[0].n} prizes of ${rows[0].total}, meant ${prizes.length} of ${prizeTotalMinor}`);
  return { winningTickets: prizes.length, prizeTotalMinor, houseShareMinor, houseTransferId };
}

/** Each winning ticket's owner's wallet, checking that the ticket is in this draw. */
async function withWallets(client: pg.PoolClient, draw: LockedDrawStep, prizes: readonly TicketPrize[]): Promise<PrizeToWrite[]> {
  const out: PrizeToWrite[] = [];
  for (let i = 0; i < prizes.length; i += SETTLE_PRIZES_PER_STATEMENT_MAX) {
    const chunk = prizes.slice(i, i + SETTLE_PRIZES_PER_STATEMENT_MAX);
    const { rows } = await client.query<{ id: number; wallet_id: number }>(
      `select t.id, w.id as wallet_id
         from unnest($1::int8[]) as k(id)
         join tickets t on t.id = k.id and t.draw_id = $2
         join accounts w on w.player_id = t.player_id and w.kind = 'player_wallet'`,
      [chunk.map((p) => p.ticketId), draw.id],
    );
    invariant(rows.length === chunk.length, `draw ${draw.publicId}: ${chunk.length - rows.length} winning tickets not found in the draw with a wallet`);
    const wallets = new Map(rows.map((r) => [r.id, r.wallet_id]));
    for (const p of chunk) out.push({ ...p, walletId: wallets.get(p.ticketId)! });
  }
  return out;
}

/**
 * One statement per chunk (chunks in wallet order): lock the wallets in id order, insert a
 * prize transfer pool -> wallet per ticket under an id taken up front, the ticket_prizes
 * rows naming those transfers, and credit each wallet once with its sum.
 */
async function payPrizes(client: pg.PoolClient, draw: LockedDrawStep, chunk: PrizeToWrite[]): Promise<void> {
  const walletCount = new Set(chunk.map((p) => p.walletId)).size;
  const { rows } = await client.query(
    `with input as materialized (
       select i.ticket_id, i.wallet_id, i.amount_minor, i.tier_lines::int4[] as tier_lines,
              nextval(pg_get_serial_sequence('transfers', 'id')) as transfer_id
         from unnest($3::int8[], $4::int8[], $5::int8[], $6::text[]) as i(ticket_id, wallet_id, amount_minor, tier_lines)
     ), locked as materialized (
       select id from accounts where id in (select wallet_id from input) and kind = 'player_wallet' order by id for no key update
     ), paid as (
       insert into transfers (id, debit_account_id, credit_account_id, amount_minor, kind)
       select transfer_id, $2, wallet_id, amount_minor, 'prize' from input
       returning 1
     ), prized as (
       insert into ticket_prizes (ticket_id, draw_id, amount_minor, tier_lines, transfer_id)
       select ticket_id, $1, amount_minor, tier_lines, transfer_id from input
       returning 1
     ), credited as (
       update accounts a set balance_minor = a.balance_minor + c.amount
         from (select wallet_id, sum(amount_minor)::int8 as amount from input group by wallet_id) c, locked l
        where a.id = c.wallet_id and l.id = c.wallet_id
       returning 1
     )
     select (select count(*) from locked)::int8 as locked, (select count(*) from paid)::int8 as paid,
            (select count(*) from prized)::int8 as prized, (select count(*) from credited)::int8 as credited`,
    [
      draw.id,
      draw.poolAccountId,
      chunk.map((p) => p.ticketId),
      chunk.map((p) => p.walletId),
      chunk.map((p) => p.amountMinor),
      // Array literals of integers checked in recordSettlement: nothing else reaches SQL.
      chunk.map((p) => `{${p.tierLines.join(',')}}`),
    ],
  );
  const r = rows[0];
  invariant(r.locked === walletCount && r.credited === walletCount, `draw ${draw.publicId}: locked ${r.locked} and credited ${r.credited} wallets, expected ${walletCount}`);
  invariant(r.paid === chunk.length && r.prized === chunk.length, `draw ${draw.publicId}: wrote ${r.paid} transfers and ${r.prized} prizes, expected ${chunk.length}`);
}

/**
 * Locks pool and house (id order), moves the remainder to the house and debits the pool
 * by everything paid out. Pair assertion: the pool held exactly the sealed stakes and
 * ends at exactly zero. Returns the house transfer's id (null when there was nothing).
 */
async function closePool(client: pg.PoolClient, draw: LockedDrawStep, prizeTotalMinor: number, houseShareMinor: number): Promise<number | null> {
  const { rows: accounts } = await client.query<{ id: number; kind: string; balance_minor: number }>(
    `select id, kind, balance_minor from accounts where id = $1 or code = 'house' order by id for no key update`,
    [draw.poolAccountId],
  );
  const pool = accounts.find((a) => a.id === draw.poolAccountId && a.kind === 'draw_pool');
  const house = accounts.find((a) => a.kind === 'house');
  invariant(pool && house && accounts.length === 2, `draw ${draw.publicId}: pool or house account missing`);
  invariant(pool.balance_minor === draw.seal!.stakeTotalMinor, `draw ${draw.publicId}: pool holds ${pool.balance_minor}, sealed stakes ${draw.seal!.stakeTotalMinor}`);

  let houseTransferId: number | null = null;
  if (houseShareMinor > 0) {
    const { rows } = await client.query<{ id: number }>(
      `insert into transfers (debit_account_id, credit_account_id, amount_minor, kind) values ($1, $2, $3, 'house_share') returning id`,
      [pool.id, house.id, houseShareMinor],
    );
    houseTransferId = rows[0].id;
  }
  const { rows } = await client.query<{ id: number; balance_minor: number }>(
    `update accounts a set balance_minor = a.balance_minor + m.delta
       from unnest($1::int8[], $2::int8[]) as m(id, delta)
      where a.id = m.id
     returning a.id, a.balance_minor`,
    [
      [pool.id, house.id],
      [-(prizeTotalMinor + houseShareMinor), houseShareMinor],
    ],
  );
  invariant(rows.length === 2, `draw ${draw.publicId}: moved ${rows.length} accounts, expected 2`);
  const poolAfter = rows.find((r) => r.id === pool.id)!.balance_minor;
  invariant(poolAfter === 0, `draw ${draw.publicId}: pool holds ${poolAfter} after settlement, not 0`);
  return houseTransferId;
}
