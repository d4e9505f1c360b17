// ledger/invariants.ts — the ledger's promises, checked from the rows themselves.
import { ADVANCE_REQUEST_ID_SQL_PATTERN } from './betDecisions.ts';
import type pg from 'pg';
import { LEDGER_LONG_STATEMENT_MS_MAX } from '../core/limits.ts';
import { withTransaction } from './transaction.ts';
import { inspectPayments } from './paymentInvariants.ts';
import { inspectSettlements } from './settlementInvariants.ts';
import type { CatalogueGame } from '../games/types.ts';
import { ticketPublicId } from './tickets.ts';

export interface LedgerReport {
  ok: boolean;
  violations: string[];
  accounts: number;
  transfers: number;
  tickets: number;
}

/**
 * Checks, in one repeatable-read snapshot:
 *  - the balances of all accounts sum to zero (double entry);
 *  - every account's balance equals its credits minus its debits (no unrecorded movement);
 *  - no player wallet (nor any account not allowed to) is negative;
 *  - every ticket has exactly one stake transfer of its cost, from its player's wallet
 *    to its draw's pool, and no stake transfer lacks a ticket;
 *  - every ticket was received in its draw's sales window, and costs its lines times its
 *    game's line price (given by the caller: the ledger knows games only by their types);
 *  - every completed deposit has exactly one deposit transfer of its amount;
 *  - every refunded ticket (migration 019) has exactly one refund: a 'refund' transfer of its
 *    cost from its draw's pool to its owner's wallet, and no prize; every refund transfer is
 *    a ticket's; a sealed draw's count and stake total are those of its tickets not refunded;
 *  - every ticket names an existing draw and player, every stake transfer an existing
 *    ticket, every transfer two existing accounts (these references have no foreign
 *    keys; see migrations 001 and 002);
 *  - settlement (migration 004, see inspectSettlements);
 *  - payments: withdrawals, held prizes, tax, provider clearing (migration 020, see inspectPayments).
 */
export async function checkLedger(pool: pg.Pool, linePricesMinor?: LinePrices): Promise<LedgerReport> {
  // One snapshot for every check; a big ledger takes longer than a request may.
  return withTransaction(pool, (client) => inspectLedger(client, linePricesMinor), {
    isolation: 'repeatable read',
    readOnly: true,
    statementTimeoutMs: LEDGER_LONG_STATEMENT_MS_MAX,
  });
}

/** The stakes a line may have, by game id and bet type, as the games define them (games/). */
export type LinePrices = ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;

/** The line stakes of these games (the caller passes games/' allGames(): the ledger takes only its types). */
export function linePricesOf(games: readonly Pick<CatalogueGame, 'id' | 'betTypes'>[]): LinePrices {
  return new Map(games.map((g) => [g.id, new Map(g.betTypes.map((b) => [b.id, b.stakesMinor]))]));
}

/** The same checks, inside whatever transaction the caller's connection is in. */
export async function inspectLedger(client: pg.ClientBase, linePricesMinor?: LinePrices): Promise<LedgerReport> {
  const violations: string[] = [];
  const accounts = await inspectBalances(client, violations);
  await inspectTickets(client, violations, linePricesMinor);
  await inspectDeposits(client, violations);
  await inspectRefunds(client, violations);
  await inspectPayments(client, violations);
  await inspectReferences(client, violations);
  await inspectSettlements(client, violations);
  const counts = await client.query(
    'select (select count(*) from transfers)::int8 as transfers, (select count(*) from tickets)::int8 as tickets',
  );
  return { ok: violations.length === 0, violations, accounts, transfers: counts.rows[0].transfers, tickets: counts.rows[0].tickets };
}

/** Double entry, balances that match their transfers, nothing negative that may not be. Returns the account count. */
async function inspectBalances(client: pg.ClientBase, violations: string[]): Promise<number> {
  const sum = await client.query('select coalesce(sum(balance_minor), 0)::int8 as total, count(*)::int8 as n from accounts');
  if (sum.rows[0].total !== 0) violations.push(`balances sum to ${sum.rows[0].total}, not 0`);

  const drift = await client.query(
    `select a.id, a.kind, a.balance_minor, coalesce(c.total, 0) - coalesce(d.total, 0) as recorded
       from accounts a
       left join (select credit_account_id as id, sum(amount_minor)::int8 as total from transfers group by 1) c on c.id = a.id
       left join (select debit_account_id as id, sum(amount_minor)::int8 as total from transfers group by 1) d on d.id = a.id
      where a.balance_minor <> coalesce(c.total, 0) - coalesce(d.total, 0)
      limit 20`,
  );
  for (const r of drift.rows) violations.push(`account ${r.id} (${r.kind}) balance ${r.balance_minor} but transfers say ${r.recorded}`);

  const negative = await client.query(
    `select id, kind, balance_minor from accounts where balance_minor < 0 and (not may_go_negative or kind = 'player_wallet') limit 20`,
  );
  for (const r of negative.rows) violations.push(`account ${r.id} (${r.kind}) is negative: ${r.balance_minor}`);
  return sum.rows[0].n;
}

/**
 * Each ticket: one stake transfer of its cost from its player's wallet to its draw's pool;
 * received inside its draw's sales window [open_at, cutoff_at) (the cutoff fence, after the
 * fact), or before cutoff in advance with a ticket of an earlier draw; and costing its lines
 * times its game's line price. Without prices, tickets of one game must at least agree on the
 * price of a line.
 */
async function inspectTickets(client: pg.ClientBase, violations: string[], linePricesMinor: LinePrices | undefined): Promise<void> {
  const stakes = await client.query(
    `select t.id, count(s.id) as n,
            bool_and(s.amount_minor = t.cost_minor and s.debit_account_id = w.id and s.credit_account_id = d.pool_account_id) as matches
       from tickets t
       join draws d on d.id = t.draw_id
       join accounts w on w.player_id = t.player_id and w.kind = 'player_wallet'
       left join transfers s on s.ticket_id = t.id
      group by t.id
     having count(s.id) <> 1 or not coalesce(bool_and(s.amount_minor = t.cost_minor and s.debit_account_id = w.id and s.credit_account_id = d.pool_account_id), false)
      limit 20`,
  );
  for (const r of stakes.rows) violations.push(`ticket ${ticketPublicId(r.id)} has ${r.n} stake transfers (matching: ${r.matches})`);

  const orphanStakes = await client.query(`select count(*)::int8 as n from transfers where kind = 'stake' and ticket_id is null`);
  if (orphanStakes.rows[0].n !== 0) violations.push(`${orphanStakes.rows[0].n} stake transfers without a ticket`);

  // A ticket bought in advance (request id <id>+k) was received before its draw opened, with
  // the first ticket of its purchase: that one must exist, be the same bet received at the
  // same instant, and be k draws of the same game earlier (its own window is checked as any).
  const outside = await client.query(
    `select t.id, d.public_id from tickets t join draws d on d.id = t.draw_id
      where t.received_at >= d.cutoff_at
         or (t.received_at < d.open_at and not exists (
              select 1 from tickets h join draws hd on hd.id = h.draw_id
               where t.request_id ~ '${ADVANCE_REQUEST_ID_SQL_PATTERN}'
                 and h.player_id = t.player_id and h.request_id = regexp_replace(t.request_id, '${ADVANCE_REQUEST_ID_SQL_PATTERN}', '')
                 and h.received_at = t.received_at and hd.game_id = d.game_id and h.bet_type = t.bet_type
                 and h.stake_minor = t.stake_minor and h.lines = t.lines and h.cost_minor = t.cost_minor
                 and (select count(*) from draws x where x.game_id = d.game_id and x.draw_at > hd.draw_at and x.draw_at <= d.draw_at)
                     = substring(t.request_id from '[+]([1-9][0-9]*)$')::int8))
      limit 20`,
  );
  for (const r of outside.rows) {
    violations.push(`ticket ${ticketPublicId(r.id)} was received outside the sales window of draw ${r.public_id}, and not in advance with a ticket of an earlier draw`);
  }

  await inspectTicketCosts(client, violations, linePricesMinor);
}

async function inspectTicketCosts(client: pg.ClientBase, violations: string[], linePricesMinor: LinePrices | undefined): Promise<void> {
  // A ticket costs its stake times its lines; with the games' stakes known, its bet type and
  // stake must be ones its game offers. Without them, only the arithmetic is checked.
  const offered = [...(linePricesMinor ?? new Map<string, ReadonlyMap<string, readonly number[]>>()).entries()].flatMap(([game, types]) =>
    [...types.entries()].flatMap(([betType, stakes]) => stakes.map((stake) => ({ game, betType, stake }))),
  );
  const { rows } = await client.query(
    `select t.id, t.cost_minor, t.line_count, t.stake_minor, t.bet_type, jsonb_array_length(t.lines) as lines, d.game_id,
            p.stake is not null as offered
       from tickets t join draws d on d.id = t.draw_id
       left join unnest($2::text[], $3::text[], $4::int8[]) as p(game_id, bet_type, stake)
         on p.game_id = d.game_id and p.bet_type = t.bet_type and p.stake = t.stake_minor
      where t.cost_minor <> t.stake_minor * jsonb_array_length(t.lines) or t.line_count <> jsonb_array_length(t.lines)
         or ($1 and p.stake is null)
      limit 20`,
    [linePricesMinor !== undefined, offered.map((o) => o.game), offered.map((o) => o.betType), offered.map((o) => o.stake)],
  );
  for (const r of rows) {
    violations.push(
      r.offered || linePricesMinor === undefined
        ? `ticket ${ticketPublicId(r.id)} costs ${r.cost_minor} for ${r.lines} lines (line count ${r.line_count}) at a stake of ${r.stake_minor}`
        : `ticket ${ticketPublicId(r.id)} is a ${r.bet_type} bet at ${r.stake_minor} a line, which game ${r.game_id} does not offer`,
    );
  }
}

/** Every completed deposit has exactly one deposit transfer of its amount. */
async function inspectDeposits(client: pg.ClientBase, violations: string[]): Promise<void> {
  const deposits = await client.query(
    `select d.public_id, count(t.id) as n
       from deposits d left join transfers t on t.deposit_id = d.id
      group by d.id, d.public_id, d.status, d.amount_minor
     having (d.status = 'completed') <> (count(t.id) = 1)
         or (d.status = 'completed' and sum(t.amount_minor) <> d.amount_minor)
      limit 20`,
  );
  for (const r of deposits.rows) violations.push(`deposit ${r.public_id} has ${r.n} transfers for its status`);
}

/** Refunded tickets (ledger/refunds.ts): one refund each, matching its transfer; refund transfers all named; seals without them. */
async function inspectRefunds(client: pg.ClientBase, violations: string[]): Promise<void> {
  const refunds = await client.query(
    `select r.ticket_id as id,
            case when t.id is null or t.draw_id <> r.draw_id or t.player_id <> r.player_id then 'has a refund naming another draw or player'
                 when t.refunded_at is null then 'has a refund but is not marked refunded'
                 when t.refunded_at <> r.refunded_at then 'is marked refunded at another time than its refund'
                 when r.amount_minor <> t.cost_minor then 'was refunded ' || r.amount_minor || ', not its cost ' || t.cost_minor
                 when s.id is null or s.kind <> 'refund' or s.amount_minor <> r.amount_minor
                      or s.debit_account_id <> d.pool_account_id or s.credit_account_id is distinct from w.id
                   then 'does not match its refund transfer ' || r.transfer_id
                 else 'was refunded and has a prize'
            end as reason
       from ticket_refunds r
       left join tickets t on t.id = r.ticket_id
       left join draws d on d.id = r.draw_id
       left join accounts w on w.player_id = r.player_id and w.kind = 'player_wallet'
       left join transfers s on s.id = r.transfer_id
      where t.id is null or t.draw_id <> r.draw_id or t.player_id <> r.player_id
         or t.refunded_at is distinct from r.refunded_at or r.amount_minor <> t.cost_minor
         or s.id is null or s.kind <> 'refund' or s.amount_minor <> r.amount_minor
         or s.debit_account_id <> d.pool_account_id or s.credit_account_id is distinct from w.id
         or exists (select 1 from ticket_prizes p where p.ticket_id = r.ticket_id)
     union all
     select t.id, 'is marked refunded without a refund' from tickets t
      where t.refunded_at is not null and not exists (select 1 from ticket_refunds r where r.ticket_id = t.id)
      limit 20`,
  );
  for (const r of refunds.rows) violations.push(`ticket ${ticketPublicId(r.id)} ${r.reason}`);

  const unnamed = await client.query(
    `select count(*)::int8 as n from transfers s where s.kind = 'refund' and not exists (select 1 from ticket_refunds r where r.transfer_id = s.id)`,
  );
  if (unnamed.rows[0].n !== 0) violations.push(`${unnamed.rows[0].n} refund transfers without a ticket refund`);

  const seals = await client.query(
    `select d.public_id, d.ticket_count, d.stake_total_minor, coalesce(x.n, 0)::int8 as n, coalesce(x.stake, 0)::int8 as stake
       from draws d
       left join (select t.draw_id, count(*) as n, sum(t.cost_minor) as stake from tickets t
                   -- a voided draw's refunds came after its seal: its sealed tickets are all of them
                   where t.refunded_at is null or exists (select 1 from ticket_refunds r where r.ticket_id = t.id and r.reason = 'draw_voided')
                   group by t.draw_id) x on x.draw_id = d.id
      where d.ticket_count is not null and (d.ticket_count <> coalesce(x.n, 0) or d.stake_total_minor <> coalesce(x.stake, 0))
      limit 20`,
  );
  for (const r of seals.rows) {
    violations.push(`draw ${r.public_id} was sealed with ${r.ticket_count} tickets of ${r.stake_total_minor}, its tickets not refunded are ${r.n} of ${r.stake}`);
  }
  await inspectVoids(client, violations);
}

/** A void refunds only a voided draw's tickets; once its refunds are done, every ticket is refunded and its pool is empty. */
async function inspectVoids(client: pg.ClientBase, violations: string[]): Promise<void> {
  const { rows } = await client.query(
    `select d.public_id, d.status, a.balance_minor,
            (select count(*) from tickets t where t.draw_id = d.id and t.refunded_at is null)::int8 as unrefunded
       from draws d join accounts a on a.id = d.pool_account_id
      where d.void_refunded_at is not null
        and (a.balance_minor <> 0 or exists (select 1 from tickets t where t.draw_id = d.id and t.refunded_at is null))
      limit 20`,
  );
  for (const r of rows) violations.push(`draw ${r.public_id} is voided and refunded, but its pool holds ${r.balance_minor} and ${r.unrefunded} tickets are not refunded`);
  const stray = await client.query(
    `select r.ticket_id, d.public_id, d.status from ticket_refunds r join draws d on d.id = r.draw_id
      where r.reason = 'draw_voided' and d.status <> 'voided' limit 20`,
  );
  for (const r of stray.rows) violations.push(`ticket ${ticketPublicId(Number(r.ticket_id))} was refunded for a void, but draw ${r.public_id} is ${r.status}`);
}

/** The references that have no foreign keys (migrations 001 and 002). */
async function inspectReferences(client: pg.ClientBase, violations: string[]): Promise<void> {
  const orphans = await client.query(
    `select
       (select count(*) from tickets t where not exists (select 1 from draws d where d.id = t.draw_id))::int8 as no_draw,
       (select count(*) from tickets t where not exists (select 1 from players p where p.id = t.player_id))::int8 as no_player,
       (select count(*) from transfers s where s.ticket_id is not null
          and not exists (select 1 from tickets t where t.id = s.ticket_id))::int8 as no_ticket,
       (select count(*) from transfers s where not exists (select 1 from accounts a where a.id = s.debit_account_id)
          or not exists (select 1 from accounts a where a.id = s.credit_account_id))::int8 as no_account`,
  );
  const o = orphans.rows[0];
  if (o.no_draw !== 0) violations.push(`${o.no_draw} tickets name a draw that does not exist`);
  if (o.no_player !== 0) violations.push(`${o.no_player} tickets name a player that does not exist`);
  if (o.no_ticket !== 0) violations.push(`${o.no_ticket} stake transfers name a ticket that does not exist`);
  if (o.no_account !== 0) violations.push(`${o.no_account} transfers name an account that does not exist`);
}
