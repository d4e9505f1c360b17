// ledger/statement.ts — a player's statement: every movement of their wallet, newest first,
// with its reason, a page at a time (GET /api/wallet/transactions, issue 14).
//
// Three sources, each read through an index of its own and merged by (time, source, id):
//   0 stakes: the player's tickets (tickets_player_received), at their time received; the
//     stake transfers themselves have no index by account, on purpose (migration 001);
//   1 credits to the wallet: deposits, prizes, refunds, returned withdrawals, released prizes
//     (transfers_credits, migration 020);
//   2 debits other than stakes: withdrawals asked for (transfers_debits).
// A prize held for review is not in the wallet until it is released: it shows then.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { ticketPublicId } from './tickets.ts';

export interface StatementCursor {
  /** Microseconds since the epoch: the movement's exact time. */
  atUs: number;
  source: number;
  id: number;
}

export interface Movement {
  at: string;
  kind: string;
  /** Into the wallet positive, out of it negative. */
  amountMinor: number;
  reason: string;
  ticketId?: string;
  drawId?: string;
  depositId?: string;
  withdrawalId?: string;
  cursor: StatementCursor;
}

/** Beyond any movement: the start of a statement (microseconds, year 2200). */
const NEWEST: StatementCursor = { atUs: 7_258_118_400_000_000, source: 9, id: Number.MAX_SAFE_INTEGER };

const CREDIT_KINDS = `('deposit', 'prize', 'refund', 'withdrawal_return', 'prize_release')`;

export async function statementPage(pool: pg.Pool, playerId: number, walletId: number, limit: number, after?: StatementCursor): Promise<{ movements: Movement[]; next: StatementCursor | null }> {
  invariant(Number.isSafeInteger(limit) && limit >= 1 && limit <= 1_000, `statement page of ${limit}`);
  const c = after ?? NEWEST;
  // Keyset on (at, source, id) descending; `at <= c.at` first, the bound each index range uses.
  const before = (at: string, source: number, id: string) =>
    `${at} <= k.at and (${at} < k.at or ${source} < k.src or (${source} = k.src and ${id} < k.id))`;
  const { rows } = await pool.query(
    `with k as (select timestamptz 'epoch' + $3::int8 * interval '1 microsecond' as at, $4::int as src, $5::int8 as id),
     stakes as (
       select t.received_at as at, 0 as src, t.id, 'stake' as kind, -t.cost_minor as amount, t.id as ticket, t.draw_id, null::text as deposit, null::text as withdrawal, null::text as note
         from tickets t, k where t.player_id = $1 and ${before('t.received_at', 0, 't.id')}
        order by t.received_at desc, t.id desc limit $6
     ), credits as (
       select s.created_at as at, 1 as src, s.id, s.kind, s.amount_minor as amount,
              coalesce(p.ticket_id, r.ticket_id, h.ticket_id) as ticket, coalesce(p.draw_id, r.draw_id, h.draw_id) as draw_id,
              d.public_id as deposit, w.public_id as withdrawal,
              case when s.kind = 'withdrawal_return' then w.status
                   when s.kind = 'refund' then r.reason
                   when s.kind = 'prize_release' and h.tax_minor > 0 then 'prize ' || h.amount_minor || ', tax withheld ' || h.tax_minor end as note
         from (select s.* from transfers s, k where s.credit_account_id = $2 and s.kind in ${CREDIT_KINDS} and ${before('s.created_at', 1, 's.id')}
                order by s.created_at desc, s.id desc limit $6) s
         left join deposits d on d.id = s.deposit_id
         left join ticket_prizes p on s.kind = 'prize' and p.transfer_id = s.id
         left join ticket_refunds r on s.kind = 'refund' and r.transfer_id = s.id
         left join prize_holds h on s.kind = 'prize_release' and h.release_transfer_id = s.id
         left join withdrawals w on s.kind = 'withdrawal_return' and w.final_transfer_id = s.id
     ), debits as (
       select s.created_at as at, 2 as src, s.id, s.kind, -s.amount_minor as amount, null::int8 as ticket, null::int8 as draw_id, null::text as deposit, w.public_id as withdrawal, null::text as note
         from (select s.* from transfers s, k where s.debit_account_id = $2 and s.kind = 'withdrawal_hold' and ${before('s.created_at', 2, 's.id')}
                order by s.created_at desc, s.id desc limit $6) s
         left join withdrawals w on w.hold_transfer_id = s.id
     ), merged as (
       select * from stakes union all select * from credits union all select * from debits
     )
     select (extract(epoch from m.at) * 1000000)::int8 as at_us, m.src, m.id, m.kind, m.amount, m.ticket, g.public_id as draw, m.deposit, m.withdrawal, m.note
       from merged m left join draws g on g.id = m.draw_id
      order by m.at desc, m.src desc, m.id desc
      limit $6`,
    [playerId, walletId, c.atUs, c.source, c.id, limit + 1],
  );
  const movements = rows.slice(0, limit).map(toMovement);
  return { movements, next: rows.length > limit ? movements[limit - 1].cursor : null };
}

const REASONS: Record<string, (m: Movement, note: string | null) => string> = {
  stake: (m) => `ticket ${m.ticketId} for draw ${m.drawId}`,
  prize: (m) => `prize of ticket ${m.ticketId}, draw ${m.drawId}`,
  refund: (m, note) =>
    note === 'draw_voided'
      ? `refund of ticket ${m.ticketId}: draw ${m.drawId} was voided`
      : `refund of ticket ${m.ticketId}, bought in advance for draw ${m.drawId}, at a break or self-exclusion before it opened`,
  deposit: (m) => `deposit ${m.depositId}`,
  withdrawal_hold: (m) => `withdrawal ${m.withdrawalId} asked for: held until paid`,
  withdrawal_return: (m, note) => `withdrawal ${m.withdrawalId} ${note ?? 'returned'}: back in the wallet`,
  prize_release: (m, note) => `held prize of ticket ${m.ticketId}, draw ${m.drawId}, approved${note ? ` (${note})` : ''}`,
};

function toMovement(r: any): Movement {
  const m: Movement = {
    at: new Date(Math.floor(Number(r.at_us) / 1000)).toISOString(),
    kind: r.kind,
    amountMinor: Number(r.amount),
    reason: '',
    cursor: { atUs: Number(r.at_us), source: Number(r.src), id: Number(r.id) },
  };
  if (r.ticket !== null) m.ticketId = ticketPublicId(Number(r.ticket));
  if (r.draw !== null) m.drawId = r.draw;
  if (r.deposit !== null) m.depositId = r.deposit;
  if (r.withdrawal !== null) m.withdrawalId = r.withdrawal;
  const reason = REASONS[m.kind];
  invariant(reason !== undefined, () => `a statement movement of kind ${m.kind}`);
  m.reason = reason(m, r.note);
  return m;
}
