-- 019_ticket_refunds: tickets bought in advance for a draw that has not opened, refunded when
-- their player takes a break or excludes themselves (issue 13; ledger/refunds.ts).
--
-- A refund is one 'refund' transfer of the ticket's cost from its draw's pool back to the
-- player's wallet, recorded in ticket_refunds (as ticket_prizes records a prize: transfers
-- keeps ticket_id for stakes), and the ticket marked refunded_at in the same transaction,
-- with its draw locked while it is still 'scheduled'. A refunded ticket is no longer in its
-- draw: the seal, the live totals and settlement read only tickets with refunded_at null,
-- and its stake transfer stays (the refund is the movement back, not an erasure).
-- ticket_refunds.ticket_id is the primary key: a ticket is refunded at most once.
alter table tickets add column refunded_at timestamptz;

create table ticket_refunds (
  ticket_id    bigint primary key references tickets (id),
  draw_id      bigint not null references draws (id),
  player_id    bigint not null references players (id),
  amount_minor bigint not null check (amount_minor > 0),
  reason       text not null check (reason in ('break', 'self_exclusion')),
  transfer_id  bigint not null unique references transfers (id),
  refunded_at  timestamptz not null
);
create index ticket_refunds_draw on ticket_refunds (draw_id);

create trigger ticket_refunds_permanent before delete or truncate on ticket_refunds
  for each statement execute function ledger_rows_are_permanent();
