-- 012_settlement_progress: settling a draw in phases that each commit on their own
-- (ledger/settleSets.ts), so that a draw of a million tickets is never one transaction
-- holding its winners' wallets for the whole settlement, and a crash anywhere loses at
-- most the phase it was in.
--
--   decide  one transaction: the lines classed, the game's settle() applied, and this row
--           written with everything the later phases need (the mask layout, each bet
--           type's drawn mask, the winning classes with their prize per line, the tiers and
--           the flows; for a raffle, instead of classes, each winning ticket with its prize
--           and tier, found at its drawn position of the sealed list); in the same transaction the four flows move: rollover -> pool
--           (rollover in: the rollover account's whole balance, read under its lock), house
--           -> pool (house in), pool -> rollover (rollover out), pool -> house (house out).
--           The pool then holds exactly what the winners are owed (players_minor).
--   pay     one transaction per range of the draw's tickets in id order: the range's
--           winners paid (prize transfers, ticket_prizes, each wallet credited once), the
--           pool debited by their sum, and paid_through_ticket_id moved to the range's end.
--           The cursor moves in the transaction that pays, so a range is paid once or not
--           at all; ticket_prizes' primary key is the backstop.
--   close   the pool checked empty and the prizes paid equal to players_minor; the draw
--           marked settled with its totals (the columns of 004 and 008), closed_at set.
--
-- Each phase locks the draw row first (status 'drawn', skip locked), so two processes
-- never work on one draw at once; between phases nothing is held, and whichever process
-- takes the draw next continues from this row.
create table draw_settlements (
  draw_id                  bigint primary key references draws (id),
  -- The class plan and the decision, as settle() returned them (games/types.ts).
  segments                 jsonb not null,
  drawn_masks              jsonb not null,
  winning_classes          jsonb not null,
  tiers                    jsonb not null,
  -- Raffles only: [{ticketId, amountMinor, tier}] in ticket id order (lines games: null).
  raffle_winners           jsonb,
  stake_total_minor        int8 not null check (stake_total_minor >= 0),
  players_minor            int8 not null check (players_minor >= 0),
  rollover_in_minor        int8 not null check (rollover_in_minor >= 0),
  rollover_out_minor       int8 not null check (rollover_out_minor >= 0),
  house_in_minor           int8 not null check (house_in_minor >= 0),
  house_out_minor          int8 not null check (house_out_minor >= 0),
  -- The transfers of the flows; null when the flow was zero.
  rollover_in_transfer_id  int8,
  rollover_out_transfer_id int8,
  house_in_transfer_id     int8,
  house_out_transfer_id    int8,
  -- Progress: every ticket of the draw with an id up to this one has been paid.
  paid_through_ticket_id   int8 not null default 0 check (paid_through_ticket_id >= 0),
  paid_tickets             int8 not null default 0 check (paid_tickets >= 0),
  paid_minor               int8 not null default 0 check (paid_minor >= 0),
  pay_ranges               int4 not null default 0 check (pay_ranges >= 0),
  decided_at               timestamptz not null default clock_timestamp(),
  closed_at                timestamptz,
  constraint settlement_balances check (
    stake_total_minor + rollover_in_minor + house_in_minor = players_minor + rollover_out_minor + house_out_minor),
  constraint settlement_flow_transfers check (
    (rollover_in_minor > 0) = (rollover_in_transfer_id is not null)
    and (rollover_out_minor > 0) = (rollover_out_transfer_id is not null)
    and (house_in_minor > 0) = (house_in_transfer_id is not null)
    and (house_out_minor > 0) = (house_out_transfer_id is not null)),
  -- Never more paid than owed; closed only when all of it is.
  constraint settlement_paid_bounded check (paid_minor <= players_minor),
  constraint settlement_closed_in_full check (closed_at is null or paid_minor = players_minor)
);

create trigger draw_settlements_permanent before delete or truncate on draw_settlements
  for each statement execute function ledger_rows_are_permanent();
