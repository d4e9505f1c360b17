// ledger/refunds.ts — a player who takes a break or excludes themselves gets back, exactly
// once, every ticket they bought in advance for a draw that has not opened (issue 13;
// migration 019). Tickets of draws already open, closed or drawn stand, and their prizes
// are paid. A draw voided by two operators (ledger/interventions.ts) refunds every ticket
// the same way, exactly once, in steps its leader takes (refundVoidedDraw, at the end).
//
// Runs inside the exclusion's transaction (ledger/protection.ts requestExclusion), after
// the player's wallet is locked: no bet batch of the player commits in between, and every
// later one sees the exclusion and refuses. The draws are locked `for share` in id order, as
// the bet batch locks them; opening a draw (ledger/draws.ts openDueDraws, an UPDATE) waits
// for this to commit, so a ticket is refunded only while its draw is 'scheduled' and a draw
// opens with its refunds done. Liability rows are locked in key order after the wallet and
// the pools last, the bet batch's order (ledger/bets.ts).
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import type { CanonicalBet } from '../games/types.ts';
import { WEEK_QUARTERS } from './playerActivity.ts';
import { withTransaction } from './transaction.ts';

/** What a fixed-odds game's ticket adds to each combination's liability (games/types.ts liability.of); undefined for other games. */
export type LiabilityOf = (gameId: string, bet: CanonicalBet) => readonly { combination: string; payoutMinor: number }[] | undefined;

export type RefundReason = 'break' | 'self_exclusion' | 'draw_voided';

export interface Refunds {
  tickets: number;
  amountMinor: number;
}

interface RefundRow {
  id: number;
  drawId: number;
  gameId: string;
  poolAccountId: number;
  bet: CanonicalBet;
}

interface RefundMove extends RefundRow {
  playerId: number;
  walletId: number;
}


/**
 * Refunds the player's tickets in draws still 'scheduled'. `client` is in the transaction
 * that holds the player's wallet (`walletId`) locked. Returns how many and how much.
 */
export async function refundAdvanceTickets(
  client: pg.ClientBase,
  playerId: number,
  walletId: number,
  reason: RefundReason,
  nowMs: number,
  liabilityOf: LiabilityOf,
): Promise<Refunds> {
  const tickets = await scheduledTickets(client, playerId);
  if (tickets.length === 0) return { tickets: 0, amountMinor: 0 };
  await releaseLiabilities(client, tickets, liabilityOf);
  const amountMinor = await moveRefunds(client, tickets.map((t) => ({ ...t, playerId, walletId })), reason, nowMs);
  return { tickets: tickets.length, amountMinor };
}

/** The player's tickets not yet refunded in draws not yet open, their draws locked `for share`. */
async function scheduledTickets(client: pg.ClientBase, playerId: number): Promise<RefundRow[]> {
  // In read committed, a draw that opened after this statement's snapshot is read again
  // when it is locked, and left out: its tickets stand.
  const { rows } = await client.query(
    `select t.id, t.draw_id, t.bet_type, t.stake_minor, t.lines, t.cost_minor, t.line_masks::text[] as masks, d.game_id, d.pool_account_id
       from tickets t join draws d on d.id = t.draw_id
      where t.player_id = $1 and t.refunded_at is null and d.status = 'scheduled'
      order by d.id, t.id
        for share of d`,
    [playerId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    drawId: Number(r.draw_id),
    gameId: r.game_id,
    poolAccountId: Number(r.pool_account_id),
    bet: { betType: r.bet_type, stakeMinor: Number(r.stake_minor), lines: r.lines, costMinor: Number(r.cost_minor), lineMasks: r.masks },
  }));
}

/** Takes the refunded tickets' payouts off their draws' liabilities (fixed-odds games), rows locked in key order. */
async function releaseLiabilities(client: pg.ClientBase, tickets: readonly RefundRow[], liabilityOf: LiabilityOf): Promise<void> {
  const byKey = new Map<string, { drawId: number; combination: string; subMinor: number }>();
  for (const t of tickets) {
    for (const p of liabilityOf(t.gameId, t.bet) ?? []) {
      const key = `${t.drawId}/${p.combination}`;
      const entry = byKey.get(key) ?? { drawId: t.drawId, combination: p.combination, subMinor: 0 };
      entry.subMinor += p.payoutMinor;
      byKey.set(key, entry);
    }
  }
  if (byKey.size === 0) return;
  const subs = [...byKey.values()];
  const { rows } = await client.query(
    `with locked as materialized (
       select l.draw_id, l.combination from draw_liabilities l
         join unnest($1::int8[], $2::text[]) as x(d, c) on l.draw_id = x.d and l.combination = x.c
        order by l.draw_id, l.combination for no key update of l
     )
     update draw_liabilities l set payout_minor = l.payout_minor - x.sub
       from unnest($1::int8[], $2::text[], $3::int8[]) as x(d, c, sub)
      where l.draw_id = x.d and l.combination = x.c and (select count(*) from locked) = $4
     returning 1`,
    [subs.map((s) => s.drawId), subs.map((s) => s.combination), subs.map((s) => s.subMinor), subs.length],
  );
  invariant(rows.length === subs.length, () => `released ${rows.length} liabilities of ${subs.length}`);
}

/**
 * One refund transfer per ticket, pool to wallet, recorded in ticket_refunds; the tickets
 * marked refunded; the pools (in id order) and each wallet moved once; the refund counted in
 * each player's activity as a prize is (their loss limits no longer count it). The wallets
 * are locked by the caller. Returns the sum.
 */
async function moveRefunds(client: pg.ClientBase, tickets: readonly RefundMove[], reason: RefundReason, nowMs: number): Promise<number> {
  const { rows } = await client.query(
    `with input as materialized (
       select x.ticket_id, x.draw_id, x.pool_id, x.player_id, x.wallet_id, x.amount, nextval(pg_get_serial_sequence('transfers', 'id')) as transfer_id
         from unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int8[], $6::int8[]) as x(ticket_id, draw_id, pool_id, player_id, wallet_id, amount)
     ), pools as materialized (
       select id from accounts where id in (select pool_id from input) order by id for no key update
     ), moved as (
       insert into transfers (id, debit_account_id, credit_account_id, amount_minor, kind, created_at)
       select transfer_id, pool_id, wallet_id, amount, 'refund', $7 from input
       returning 1
     ), recorded as (
       insert into ticket_refunds (ticket_id, draw_id, player_id, amount_minor, reason, transfer_id, refunded_at)
       select ticket_id, draw_id, player_id, amount, $8, transfer_id, $7 from input
       returning 1
     ), marked as (
       update tickets t set refunded_at = $7 from input i where t.id = i.ticket_id and t.refunded_at is null
       returning 1
     ), debited as (
       update accounts a set balance_minor = a.balance_minor - p.amount
         from (select pool_id, sum(amount)::int8 as amount from input group by pool_id) p
        where a.id = p.pool_id and (select count(*) from pools) = (select count(distinct pool_id) from input)
       returning 1
     ), credited as (
       update accounts a set balance_minor = a.balance_minor + w.amount
         from (select wallet_id, player_id, sum(amount)::int8 as amount from input group by wallet_id, player_id) w
        where a.id = w.wallet_id and a.player_id = w.player_id
       returning 1
     ), activity as (
       update player_activity a set
              series = activity_add_won(a.series, x.q, x.amount, x.q - ${WEEK_QUARTERS}),
              month_won = case when a.month_key = x.month_now then a.month_won else 0 end + x.amount,
              month_staked = case when a.month_key = x.month_now then a.month_staked else 0 end,
              month_key = x.month_now
         from (select w.player_id, w.amount, floor(extract(epoch from $7::timestamptz) / 900)::int8 as q,
                      (extract(year from $7::timestamptz at time zone p.time_zone) * 12 + extract(month from $7::timestamptz at time zone p.time_zone) - 1)::int4 as month_now
                 from (select player_id, sum(amount)::int8 as amount from input group by player_id) w join players p on p.id = w.player_id) x
        where a.player_id = x.player_id
       returning 1
     )
     select (select count(*) from input)::int8 as staged, (select coalesce(sum(amount), 0) from input)::int8 as amount,
            (select count(*) from moved)::int8 as moved, (select count(*) from recorded)::int8 as recorded,
            (select count(*) from marked)::int8 as marked, (select count(*) from debited)::int8 as debited,
            (select count(distinct pool_id) from input)::int8 as pools, (select count(*) from credited)::int8 as credited,
            (select count(distinct wallet_id) from input)::int8 as wallets, (select count(*) from activity)::int8 as activity,
            (select count(distinct player_id) from input)::int8 as players`,
    [
      tickets.map((t) => t.id),
      tickets.map((t) => t.drawId),
      tickets.map((t) => t.poolAccountId),
      tickets.map((t) => t.playerId),
      tickets.map((t) => t.walletId),
      tickets.map((t) => t.bet.costMinor),
      new Date(nowMs),
      reason,
    ],
  );
  const r = rows[0];
  invariant(r.staged === tickets.length, () => `staged ${r.staged} refunds of ${tickets.length}`);
  invariant(r.moved === r.staged && r.recorded === r.staged && r.marked === r.staged, () => `refunds: ${r.moved} transfers, ${r.recorded} records, ${r.marked} tickets marked, of ${r.staged}`);
  invariant(r.debited === r.pools && r.credited === r.wallets && r.activity === r.players, () => `refunds: debited ${r.debited} of ${r.pools} pools, credited ${r.credited} of ${r.wallets} wallets, ${r.activity} of ${r.players} activity rows`);
  return Number(r.amount);
}

/** Tickets of a voided draw refunded per transaction: bounds its locks and its length. */
export const VOID_REFUND_TICKETS_PER_STEP_MAX = 5_000;

/**
 * Refunds the next tickets of a voided draw (at most `ticketsMax`, in id order), each once,
 * in one transaction: the draw locked first (as every draw step), then the players' wallets in
 * id order, the liabilities and the pool, the bet batch's order. When none is left it marks
 * the draw's refunds done. Returns what this step refunded, and whether the draw is done.
 */
export async function refundVoidedDraw(pool: pg.Pool, drawId: number, nowMs: number, liabilityOf: LiabilityOf, ticketsMax = VOID_REFUND_TICKETS_PER_STEP_MAX): Promise<Refunds & { done: boolean }> {
  return withTransaction(pool, async (client) => {
    const { rows: draws } = await client.query(
      `select id, game_id, pool_account_id from draws where id = $1 and status = 'voided' and void_refunded_at is null for update`,
      [drawId],
    );
    if (!draws.length) return { tickets: 0, amountMinor: 0, done: true };
    const { rows } = await client.query(
      `select t.id, t.player_id, t.bet_type, t.stake_minor, t.lines, t.cost_minor, t.line_masks::text[] as masks
         from tickets t where t.draw_id = $1 and t.refunded_at is null order by t.id limit $2`,
      [drawId, ticketsMax],
    );
    if (!rows.length) {
      await client.query(`update draws set void_refunded_at = $2 where id = $1`, [drawId, new Date(nowMs)]);
      return { tickets: 0, amountMinor: 0, done: true };
    }
    const players = [...new Set(rows.map((r) => Number(r.player_id)))].sort((a, b) => a - b);
    const { rows: wallets } = await client.query(
      `select id, player_id from accounts where kind = 'player_wallet' and player_id = any($1::int8[]) order by id for no key update`,
      [players],
    );
    invariant(wallets.length === players.length, () => `locked ${wallets.length} wallets for ${players.length} players`);
    const walletOf = new Map(wallets.map((w) => [Number(w.player_id), Number(w.id)]));
    const draw = draws[0];
    const tickets: RefundMove[] = rows.map((r) => ({
      id: Number(r.id),
      drawId,
      gameId: draw.game_id,
      poolAccountId: Number(draw.pool_account_id),
      playerId: Number(r.player_id),
      walletId: walletOf.get(Number(r.player_id))!,
      bet: { betType: r.bet_type, stakeMinor: Number(r.stake_minor), lines: r.lines, costMinor: Number(r.cost_minor), lineMasks: r.masks },
    }));
    await releaseLiabilities(client, tickets, liabilityOf);
    const amountMinor = await moveRefunds(client, tickets, 'draw_voided', nowMs);
    return { tickets: tickets.length, amountMinor, done: false };
  });
}
