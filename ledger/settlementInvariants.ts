// ledger/settlementInvariants.ts — settlement's promises (migrations 004, 008 and 012),
// checked from the rows themselves; part of ledger/invariants.ts inspectLedger.
//
// A draw's settlement is decided once (its draw_settlements row, which moves its flows),
// paid in ranges of tickets, and closed (the draw marked settled with the row's totals);
// every check below holds between any two of those transactions, not only at the end:
//  - a settled draw's pool is empty; a draw being paid holds in its pool exactly what its
//    winners not yet paid are owed (players_minor − paid_minor), is still 'drawn', and a
//    closed settlement belongs to a settled draw;
//  - a settlement's paid counters equal its ticket prizes, and no ticket beyond its pay
//    cursor has a prize; a settled draw's totals, tiers and flow transfers are its row's;
//  - every ticket prize names a ticket of its own draw and exactly one transfer: a 'prize'
//    of the same amount from that draw's pool to the ticket owner's wallet; its amount is its
//    winning lines times the per-line amounts of the draw's tiers; every prize transfer is
//    named by exactly one ticket prize;
//  - a settled draw's ticket prizes sum to its prize total; a draw neither settled nor being
//    settled has none;
//  - each flow of a decided draw (rollover in and out, house in, house share) above zero is
//    one transfer of that amount between the right accounts, every such transfer is named by
//    exactly one draw, and a game's rollover account holds what its draws rolled out less
//    what they rolled in.
// Draws settled before migration 012 have no row: their flows are read from their columns.
// A fixed tier's per-line amount is recorded at the tier's base stake (baseStakeMinor): a
// ticket staking k times the base is paid k times as much a line.
import type pg from 'pg';
import { ticketPublicId } from './tickets.ts';

/** Every draw whose settlement has been decided, with its flows: from its row, or (settled before 012) its own columns. */
const DECIDED_DRAWS = `
  select d.id, d.public_id, d.game_id, d.pool_account_id,
         case when s.draw_id is null then d.rollover_in_minor else s.rollover_in_minor end as rollover_in_minor,
         case when s.draw_id is null then d.rollover_in_transfer_id else s.rollover_in_transfer_id end as rollover_in_transfer_id,
         case when s.draw_id is null then d.rollover_out_minor else s.rollover_out_minor end as rollover_out_minor,
         case when s.draw_id is null then d.rollover_out_transfer_id else s.rollover_out_transfer_id end as rollover_out_transfer_id,
         case when s.draw_id is null then d.house_in_minor else s.house_in_minor end as house_in_minor,
         case when s.draw_id is null then d.house_in_transfer_id else s.house_in_transfer_id end as house_in_transfer_id,
         case when s.draw_id is null then d.house_share_minor else s.house_out_minor end as house_out_minor,
         case when s.draw_id is null then d.house_transfer_id else s.house_out_transfer_id end as house_out_transfer_id
    from draws d left join draw_settlements s on s.draw_id = d.id
   where s.draw_id is not null or d.status = 'settled'`;

export async function inspectSettlements(client: pg.ClientBase, violations: string[]): Promise<void> {
  await inspectPools(client, violations);
  await inspectProgress(client, violations);
  await inspectTicketPrizes(client, violations);
  await inspectPrizeTotals(client, violations);
  await inspectDrawFlows(client, violations);
}

/** Settled pools empty; a draw being paid still drawn, its pool holding what its unpaid winners are owed. */
async function inspectPools(client: pg.ClientBase, violations: string[]): Promise<void> {
  const pools = await client.query(
    `select d.public_id, a.balance_minor from draws d join accounts a on a.id = d.pool_account_id
      where d.status = 'settled' and a.balance_minor <> 0 limit 20`,
  );
  for (const r of pools.rows) violations.push(`draw ${r.public_id} is settled but its pool holds ${r.balance_minor}`);
  const paying = await client.query(
    `select d.public_id, d.status, s.closed_at is not null as closed, a.balance_minor, s.players_minor - s.paid_minor as owed
       from draw_settlements s join draws d on d.id = s.draw_id join accounts a on a.id = d.pool_account_id
      where (s.closed_at is null and (d.status <> 'drawn' or a.balance_minor <> s.players_minor - s.paid_minor))
         or (s.closed_at is not null and d.status <> 'settled')
      limit 20`,
  );
  for (const r of paying.rows) {
    if (r.closed) violations.push(`draw ${r.public_id}: its settlement is closed but it is ${r.status}`);
    else if (r.status !== 'drawn') violations.push(`draw ${r.public_id} is being settled but is ${r.status}`);
    else violations.push(`draw ${r.public_id}: its pool holds ${r.balance_minor}, its unpaid winners are owed ${r.owed}`);
  }
}

/** A settlement's counters are its ticket prizes, none beyond its cursor; a settled draw's columns are its row's. */
async function inspectProgress(client: pg.ClientBase, violations: string[]): Promise<void> {
  const counted = await client.query(
    `select d.public_id, s.paid_tickets, s.paid_minor, count(p.ticket_id)::int8 as prizes, coalesce(sum(p.amount_minor), 0)::int8 as paid,
            count(p.ticket_id) filter (where p.ticket_id > s.paid_through_ticket_id)::int8 as beyond
       from draw_settlements s join draws d on d.id = s.draw_id left join ticket_prizes p on p.draw_id = s.draw_id
      group by d.public_id, s.draw_id
     having s.paid_tickets <> count(p.ticket_id) or s.paid_minor <> coalesce(sum(p.amount_minor), 0)
         or count(p.ticket_id) filter (where p.ticket_id > s.paid_through_ticket_id) > 0
      limit 20`,
  );
  for (const r of counted.rows) {
    violations.push(`draw ${r.public_id}: its settlement counted ${r.paid_tickets} prizes of ${r.paid_minor}, it has ${r.prizes} of ${r.paid} (${r.beyond} beyond the pay cursor)`);
  }
  const recorded = await client.query(
    `select d.public_id from draws d join draw_settlements s on s.draw_id = d.id
      where d.status = 'settled'
        and (d.stake_total_minor <> s.stake_total_minor or d.prize_total_minor <> s.players_minor or d.house_share_minor <> s.house_out_minor
             or d.rollover_in_minor <> s.rollover_in_minor or d.rollover_out_minor <> s.rollover_out_minor or d.house_in_minor <> s.house_in_minor
             or d.house_transfer_id is distinct from s.house_out_transfer_id or d.rollover_in_transfer_id is distinct from s.rollover_in_transfer_id
             or d.rollover_out_transfer_id is distinct from s.rollover_out_transfer_id or d.house_in_transfer_id is distinct from s.house_in_transfer_id
             or d.prize_tiers is distinct from s.tiers)
      limit 20`,
  );
  for (const r of recorded.rows) violations.push(`draw ${r.public_id}: its settled totals are not those of its settlement record`);
}

/** Each ticket prize: a ticket of its draw, its one prize transfer, its lines times the tiers' per-line amounts. */
async function inspectTicketPrizes(client: pg.ClientBase, violations: string[]): Promise<void> {
  const prizes = await client.query(
    `select p.ticket_id,
            case when t.id is null or t.draw_id <> p.draw_id then 'is not a ticket of draw ' || coalesce(d.public_id, p.draw_id::text)
                 when s.id is null or s.kind <> 'prize' or s.amount_minor <> p.amount_minor
                      or s.debit_account_id <> d.pool_account_id or s.credit_account_id is distinct from y.payee
                   then 'does not match its transfer ' || p.transfer_id
                 when hh.ticket_id is not null and (hh.amount_minor <> p.amount_minor or hh.draw_id <> p.draw_id or hh.player_id <> t.player_id)
                   then 'is held as another prize than it is'
                 else 'is not its winning lines times the prizes per line of draw ' || d.public_id
            end as reason
       from ticket_prizes p
       left join tickets t on t.id = p.ticket_id
       left join draws d on d.id = p.draw_id
       left join draw_settlements r on r.draw_id = p.draw_id
       cross join lateral (select coalesce(d.prize_tiers, r.tiers) as tiers) x
       left join accounts w on w.player_id = t.player_id and w.kind = 'player_wallet'
       left join transfers s on s.id = p.transfer_id
       -- A held prize (migration 020) is paid into prizes_held, not the wallet.
       left join prize_holds hh on hh.ticket_id = p.ticket_id
       cross join (select id from accounts where code = 'prizes_held') ph
       cross join lateral (select case when hh.ticket_id is null then w.id else ph.id end as payee) y
      where t.id is null or t.draw_id <> p.draw_id
         or s.id is null or s.kind <> 'prize' or s.amount_minor <> p.amount_minor
         or s.debit_account_id <> d.pool_account_id or s.credit_account_id is distinct from y.payee
         or (hh.ticket_id is not null and (hh.amount_minor <> p.amount_minor or hh.draw_id <> p.draw_id or hh.player_id <> t.player_id))
         or x.tiers is null or jsonb_array_length(x.tiers) <> cardinality(p.tier_lines)
         or p.amount_minor <> (select coalesce(sum(p.tier_lines[i] * (x.tiers -> (i - 1) ->> 'perLineMinor')::int8
                                                   * t.stake_minor / coalesce((x.tiers -> (i - 1) ->> 'baseStakeMinor')::int8, t.stake_minor)), 0)
                                 from generate_subscripts(p.tier_lines, 1) as i)
      limit 20`,
  );
  for (const r of prizes.rows) violations.push(`prize of ticket ${ticketPublicId(r.ticket_id)} ${r.reason}`);

  const unnamed = await client.query(
    `select count(*)::int8 as n from transfers s
      where s.kind = 'prize' and not exists (select 1 from ticket_prizes p where p.transfer_id = s.id)`,
  );
  if (unnamed.rows[0].n !== 0) violations.push(`${unnamed.rows[0].n} prize transfers without a ticket prize`);
}

/** A settled draw's prizes sum to its prize total; a draw neither settled nor being settled has none. */
async function inspectPrizeTotals(client: pg.ClientBase, violations: string[]): Promise<void> {
  const totals = await client.query(
    `select d.public_id, d.status, d.prize_total_minor, count(p.ticket_id)::int8 as n, coalesce(sum(p.amount_minor), 0)::int8 as paid
       from draws d left join ticket_prizes p on p.draw_id = d.id
      group by d.id
     having (d.status = 'settled' and coalesce(sum(p.amount_minor), 0) <> d.prize_total_minor)
         or (d.status <> 'settled' and count(p.ticket_id) > 0 and not exists (select 1 from draw_settlements s where s.draw_id = d.id))
      limit 20`,
  );
  for (const r of totals.rows) {
    violations.push(
      r.status === 'settled'
        ? `draw ${r.public_id}: ticket prizes sum to ${r.paid}, its prize total is ${r.prize_total_minor}`
        : `draw ${r.public_id} is ${r.status} but has ${r.n} ticket prizes`,
    );
  }
}

/** Each decided draw's flows are its transfers, each flow transfer is one draw's, and rollover accounts hold what was rolled. */
async function inspectDrawFlows(client: pg.ClientBase, violations: string[]): Promise<void> {
  const flows = await client.query(
    `select d.public_id, f.name from (${DECIDED_DRAWS}) d
       cross join lateral (values
         ('rollover in', d.rollover_in_transfer_id, d.rollover_in_minor, 'rollover', 'rollover:' || d.game_id, null),
         ('rollover out', d.rollover_out_transfer_id, d.rollover_out_minor, 'rollover', null, 'rollover:' || d.game_id),
         ('house funding', d.house_in_transfer_id, d.house_in_minor, 'house_funding', 'house', null),
         ('house share', d.house_out_transfer_id, d.house_out_minor, 'house_share', null, 'house')) as f(name, transfer_id, amount, kind, from_code, to_code)
       left join transfers s on s.id = f.transfer_id
       left join accounts a on a.id = s.debit_account_id
       left join accounts b on b.id = s.credit_account_id
      where (f.amount > 0 or f.transfer_id is not null)
        and (s.id is null or s.kind <> f.kind or s.amount_minor <> f.amount
             or (f.from_code is null and s.debit_account_id <> d.pool_account_id) or (f.from_code is not null and a.code is distinct from f.from_code)
             or (f.to_code is null and s.credit_account_id <> d.pool_account_id) or (f.to_code is not null and b.code is distinct from f.to_code))
      limit 20`,
  );
  for (const r of flows.rows) violations.push(`draw ${r.public_id}: its ${r.name} does not match its transfer`);
  const orphans = await client.query(
    `with named as (
       select x.transfer_id, count(*) as n
         from (${DECIDED_DRAWS}) d
         cross join lateral unnest(array[d.rollover_in_transfer_id, d.rollover_out_transfer_id, d.house_in_transfer_id, d.house_out_transfer_id]) as x(transfer_id)
        where x.transfer_id is not null group by x.transfer_id
     )
     select count(*)::int8 as n from transfers s left join named on named.transfer_id = s.id
      where s.kind in ('rollover', 'house_funding', 'house_share') and coalesce(named.n, 0) <> 1`,
  );
  if (orphans.rows[0].n !== 0) violations.push(`${orphans.rows[0].n} rollover, house funding or house share transfers not named by exactly one draw's settlement`);
  const rollovers = await client.query(
    `select a.code, a.balance_minor,
            coalesce((select sum(d.rollover_out_minor - d.rollover_in_minor) from (${DECIDED_DRAWS}) d where 'rollover:' || d.game_id = a.code), 0)::int8 as expected
       from accounts a where a.kind = 'jackpot_rollover'`,
  );
  for (const r of rollovers.rows) {
    if (Number(r.balance_minor) !== Number(r.expected)) violations.push(`${r.code} holds ${r.balance_minor}, its draws rolled ${r.expected}`);
  }
}
