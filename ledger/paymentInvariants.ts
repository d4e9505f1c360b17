// ledger/paymentInvariants.ts — the promises of payments (migration 020), checked from the
// rows themselves; part of ledger/invariants.ts inspectLedger:
//  - withdrawals_held holds exactly the withdrawals not yet paid, failed or rejected;
//    prizes_held exactly the prizes still held; tax_liability exactly the tax withheld;
//  - every withdrawal has its hold transfer (wallet -> withdrawals_held, its amount) and,
//    once final, its final transfer (paid: to its provider's clearing account; failed or
//    rejected: back to the wallet); every such transfer is one withdrawal's;
//  - every decided held prize has its transfers (released: the prize less the tax to the
//    wallet, the tax to tax_liability; forfeited: all of it to the house); every such
//    transfer is one held prize's;
//  - each provider's clearing account holds minus its completed deposits plus its paid
//    withdrawals.
import type pg from 'pg';
import { ticketPublicId } from './tickets.ts';

export async function inspectPayments(client: pg.ClientBase, violations: string[]): Promise<void> {
  await inspectHeldBalances(client, violations);
  await inspectWithdrawals(client, violations);
  await inspectPrizeHolds(client, violations);
  await inspectClearing(client, violations);
}

async function inspectHeldBalances(client: pg.ClientBase, violations: string[]): Promise<void> {
  const { rows } = await client.query(
    `select a.code, a.balance_minor,
            case a.code
              when 'withdrawals_held' then (select coalesce(sum(amount_minor), 0) from withdrawals where status in ('review', 'approved', 'pending'))
              when 'prizes_held' then (select coalesce(sum(amount_minor), 0) from prize_holds where status = 'held')
              when 'tax_liability' then (select coalesce(sum(tax_minor), 0) from prize_holds where status = 'released')
            end::int8 as owed
       from accounts a where a.code in ('withdrawals_held', 'prizes_held', 'tax_liability')`,
  );
  for (const r of rows) if (r.balance_minor !== r.owed) violations.push(`account ${r.code} holds ${r.balance_minor}, its records say ${r.owed}`);
}

async function inspectWithdrawals(client: pg.ClientBase, violations: string[]): Promise<void> {
  const { rows } = await client.query(
    `select w.public_id,
            case when h.id is null or h.kind <> 'withdrawal_hold' or h.amount_minor <> w.amount_minor or h.debit_account_id <> a.id or h.credit_account_id <> held.id
                   then 'does not match its hold transfer'
                 else 'does not match its final transfer'
            end as reason
       from withdrawals w
       join accounts a on a.player_id = w.player_id and a.kind = 'player_wallet'
       cross join (select id from accounts where code = 'withdrawals_held') held
       left join accounts c on c.code = 'provider_clearing:' || w.provider
       left join transfers h on h.id = w.hold_transfer_id
       left join transfers f on f.id = w.final_transfer_id
      where h.id is null or h.kind <> 'withdrawal_hold' or h.amount_minor <> w.amount_minor or h.debit_account_id <> a.id or h.credit_account_id <> held.id
         or (w.status = 'paid' and (f.kind <> 'withdrawal' or f.amount_minor <> w.amount_minor or f.debit_account_id <> held.id or f.credit_account_id is distinct from c.id))
         or (w.status in ('failed', 'rejected') and (f.kind <> 'withdrawal_return' or f.amount_minor <> w.amount_minor or f.debit_account_id <> held.id or f.credit_account_id <> a.id))
      limit 20`,
  );
  for (const r of rows) violations.push(`withdrawal ${r.public_id} ${r.reason}`);
  const unnamed = await client.query(
    `select s.kind, count(*)::int8 as n from transfers s
      where s.kind in ('withdrawal_hold', 'withdrawal', 'withdrawal_return')
        and not exists (select 1 from withdrawals w where w.hold_transfer_id = s.id or w.final_transfer_id = s.id)
      group by s.kind`,
  );
  for (const r of unnamed.rows) violations.push(`${r.n} ${r.kind} transfers without a withdrawal`);
}

async function inspectPrizeHolds(client: pg.ClientBase, violations: string[]): Promise<void> {
  const { rows } = await client.query(
    `select h.ticket_id from prize_holds h
       join accounts a on a.player_id = h.player_id and a.kind = 'player_wallet'
       cross join (select id from accounts where code = 'prizes_held') held
       cross join (select id from accounts where code = 'tax_liability') tax
       cross join (select id from accounts where code = 'house') house
       left join transfers r on r.id = h.release_transfer_id
       left join transfers x on x.id = h.tax_transfer_id
       left join transfers f on f.id = h.forfeit_transfer_id
      where (h.status = 'released' and (r.kind <> 'prize_release' or r.debit_account_id <> held.id or r.credit_account_id <> a.id
                                        or r.amount_minor <> h.amount_minor - h.tax_minor
                                        or (h.tax_minor > 0) <> (x.id is not null)
                                        or (x.id is not null and (x.kind <> 'tax' or x.amount_minor <> h.tax_minor or x.debit_account_id <> held.id or x.credit_account_id <> tax.id))))
         or (h.status = 'forfeited' and (f.kind <> 'prize_forfeit' or f.amount_minor <> h.amount_minor or f.debit_account_id <> held.id or f.credit_account_id <> house.id))
      limit 20`,
  );
  for (const r of rows) violations.push(`held prize of ticket ${ticketPublicId(Number(r.ticket_id))} does not match its transfers`);
  const unnamed = await client.query(
    `select s.kind, count(*)::int8 as n from transfers s
      where s.kind in ('prize_release', 'tax', 'prize_forfeit')
        and not exists (select 1 from prize_holds h where h.release_transfer_id = s.id or h.tax_transfer_id = s.id or h.forfeit_transfer_id = s.id)
      group by s.kind`,
  );
  for (const r of unnamed.rows) violations.push(`${r.n} ${r.kind} transfers without a held prize`);
}

async function inspectClearing(client: pg.ClientBase, violations: string[]): Promise<void> {
  const { rows } = await client.query(
    `select a.code, a.balance_minor,
            (select coalesce(sum(w.amount_minor), 0) from withdrawals w where 'provider_clearing:' || w.provider = a.code and w.status = 'paid')
            - (select coalesce(sum(d.amount_minor), 0) from deposits d where 'provider_clearing:' || d.provider = a.code and d.status = 'completed') as expected
       from accounts a where a.kind = 'provider_clearing'`,
  );
  for (const r of rows) if (Number(r.balance_minor) !== Number(r.expected)) violations.push(`account ${r.code} holds ${r.balance_minor}, its paid withdrawals less its completed deposits are ${r.expected}`);
}
