-- 008_settlement_sets: settling a draw of any catalogue game with set-based SQL
-- (ledger/settleSets.ts), with the money flows of games/types.ts DrawSettlement:
--
--   stakes + rollover in + house in = prizes + rollover out + house out
--
-- A game whose top tier rolls over has one rollover account ('jackpot_rollover', code
-- 'rollover:<game id>'). At settlement the draw takes the account's whole balance into its
-- pool (rollover in) and puts back what its unwon jackpot carries (rollover out); the house
-- funds a guaranteed minimum or fixed prizes beyond the pool (house in, a 'house_funding'
-- transfer house -> pool). The pool ends at exactly zero, as before.
alter table accounts drop constraint accounts_kind_check;
alter table accounts add constraint accounts_kind_check
  check (kind in ('player_wallet', 'draw_pool', 'house', 'provider_clearing', 'jackpot_rollover'));

alter table transfers drop constraint transfers_kind_check;
alter table transfers add constraint transfers_kind_check
  check (kind in ('deposit', 'stake', 'prize', 'withdrawal', 'refund', 'house_share', 'rollover', 'house_funding'));

alter table draws
  add column rollover_in_minor  int8 check (rollover_in_minor >= 0),
  add column rollover_out_minor int8 check (rollover_out_minor >= 0),
  add column house_in_minor     int8 check (house_in_minor >= 0),
  -- The transfers behind each flow; null when the flow was zero.
  add column rollover_in_transfer_id  int8,
  add column rollover_out_transfer_id int8,
  add column house_in_transfer_id     int8;

-- Draws settled before this migration had none of these flows.
update draws set rollover_in_minor = 0, rollover_out_minor = 0, house_in_minor = 0 where status = 'settled';

alter table draws drop constraint draw_settled_in_full;
alter table draws
  add constraint draw_settled_flows check ((settled_at is null) = (rollover_in_minor is null)
    and (settled_at is null) = (rollover_out_minor is null) and (settled_at is null) = (house_in_minor is null)),
  -- Every minor unit that came into the pool went to players, the rollover or the house.
  add constraint draw_settled_in_full check (settled_at is null
    or prize_total_minor + house_share_minor + rollover_out_minor = stake_total_minor + rollover_in_minor + house_in_minor),
  add constraint draw_flow_transfers check (settled_at is null or (
    (rollover_in_minor > 0) = (rollover_in_transfer_id is not null)
    and (rollover_out_minor > 0) = (rollover_out_transfer_id is not null)
    and (house_in_minor > 0) = (house_in_transfer_id is not null)));
