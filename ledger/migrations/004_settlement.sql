-- 004_settlement: paying a drawn draw's winners from its pool (ledger/settle.ts).
--
-- Settlement is one transaction per draw: a 'prize' transfer pool -> wallet for every
-- winning ticket, recorded in ticket_prizes; one 'house_share' transfer pool -> house for
-- everything not paid to players (the house's share, unwon tiers, rounding); the draw
-- marked settled with its totals. The pool ends at exactly zero.
--
-- A prize transfer carries no ticket_id (transfers' check keeps ticket_id for stakes, and
-- the stake audit relies on it); its ticket is found through ticket_prizes.transfer_id,
-- which is unique. Nothing here adds a foreign key to tickets, transfers or draws: the
-- keys below sit on ticket_prizes, written only by settlement, and a referenced table pays
-- for them only on UPDATE or DELETE of a key, which the bet path never does.
alter table transfers drop constraint transfers_kind_check;
alter table transfers add constraint transfers_kind_check
  check (kind in ('deposit', 'stake', 'prize', 'withdrawal', 'refund', 'house_share'));

create table ticket_prizes (
  ticket_id    bigint primary key references tickets (id),
  draw_id      bigint not null references draws (id),
  amount_minor bigint not null check (amount_minor > 0),
  -- Winning lines of the ticket per tier of its game's prize table (tier order, best first).
  tier_lines   int4[] not null check (array_ndims(tier_lines) = 1 and 0 <= all (tier_lines)),
  transfer_id  bigint not null unique references transfers (id),
  created_at   timestamptz not null default now()
);
create index ticket_prizes_draw on ticket_prizes (draw_id);

create trigger ticket_prizes_permanent before delete or truncate on ticket_prizes
  for each statement execute function ledger_rows_are_permanent();

alter table draws
  add column settled_at        timestamptz,
  add column prize_total_minor int8 check (prize_total_minor >= 0),
  add column house_share_minor int8 check (house_share_minor >= 0),
  -- The pool -> house transfer; null when the house share was zero (a draw without stakes).
  add column house_transfer_id int8,
  -- What each tier paid: [{name, basisPoints, winningLines, tierMinor, perLineMinor, paidMinor}].
  add column prize_tiers       jsonb;

alter table draws
  -- A settled draw has its totals; a draw with totals is settled.
  add constraint draw_settled check (
    (status = 'settled') = (settled_at is not null)
    and (settled_at is null) = (prize_total_minor is null)
    and (settled_at is null) = (house_share_minor is null)
    and (settled_at is null) = (prize_tiers is null)),
  -- Every minor unit of the sealed stakes went to players or the house.
  add constraint draw_settled_in_full check (settled_at is null or prize_total_minor + house_share_minor = stake_total_minor),
  add constraint draw_house_transfer check (settled_at is null or (house_share_minor > 0) = (house_transfer_id is not null));
