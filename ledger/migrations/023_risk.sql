-- 023_risk: what the risk monitor (actors/RiskMonitor.ts) needs from the ledger (issue 15):
-- a player's betting frozen pending a review, with the record of who froze and lifted it and
-- why, and the addresses and devices accounts were seen from.

-- Betting frozen: the bet batch refuses the player's bets (BETTING_FROZEN, ledger/betDecisions.ts),
-- reading these in the players row it already joins (ledger/bets.ts activitySql), so a freeze
-- costs the hot path nothing. Login, deposits and withdrawals stay open: the player is not
-- accused of anything yet, only paused until an operator has looked.
alter table players add column betting_frozen_at timestamptz;
alter table players add column betting_frozen_alert_id bigint references risk_alerts (id);

-- Every freeze and lift, with who and why: the players row keeps only the current state.
create table betting_freezes (
  id         bigserial primary key,
  player_id  bigint not null references players (id),
  action     text not null check (action in ('freeze', 'unfreeze')),
  alert_id   bigint references risk_alerts (id),
  actor      text not null check (length(actor) between 1 and 64),
  reason     text not null check (length(reason) between 1 and 500),
  at         timestamptz not null default clock_timestamp()
);
create index betting_freezes_player on betting_freezes (player_id, id);
create trigger betting_freezes_permanent before update or delete or truncate on betting_freezes
  for each statement execute function audit_rows_are_permanent();

create function audit_betting_freeze() returns trigger language plpgsql as $$
begin
  perform audit_event('player.betting_' || case new.action when 'freeze' then 'frozen' else 'unfrozen' end, new.actor,
    'player:' || new.player_id, jsonb_build_object('alert', new.alert_id, 'reason', new.reason));
  return null;
end
$$;
create trigger betting_freezes_audit after insert on betting_freezes for each row execute function audit_betting_freeze();

-- Where accounts log in and register from: one row per (address or device, account), so the
-- shared-address and shared-device rules count distinct accounts with one index range read.
-- Only hashes are kept (ledger/risk.ts sightingHash): the rule needs equality, not the value.
create table risk_sightings (
  kind        text not null check (kind in ('address', 'device')),
  value_hash  bytea not null check (octet_length(value_hash) = 32),
  player_id   bigint not null references players (id),
  first_at    timestamptz not null,
  last_at     timestamptz not null,
  primary key (kind, value_hash, player_id)
);
-- Old sightings are swept (ledger/risk.ts sweepSightings): the table stays small.
create index risk_sightings_last on risk_sightings (last_at);
