-- 018_player_status_changes: every change of an account's status by an operator (suspended,
-- active again, closed), with who asked, why and when. A suspension or closure ends every
-- session of the player at once (app/operatorPlayersApi.ts, through the logout path).
create table player_status_changes (
  id           bigserial primary key,
  player_id    bigint not null references players (id),
  from_status  text not null,
  to_status    text not null check (to_status in ('active', 'suspended', 'closed')),
  reason       text not null,
  operator     text not null,
  changed_at   timestamptz not null
);
create index player_status_changes_player on player_status_changes (player_id, id);
