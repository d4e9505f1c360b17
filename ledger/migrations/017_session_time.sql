-- 017_session_time: reality checks and a session time limit, chosen by the player.
--   reality_check_minutes: every so often in a login session, the player's open sockets are
--     told time played and the session's net result, and take no bet until it is acknowledged;
--   session_limit_minutes: a login session ends this long after it began (its expires_at).
-- Every change is kept with when it was asked for; every reality check shown, with when (and
-- whether) it was acknowledged.
alter table players
  add column reality_check_minutes int4 check (reality_check_minutes between 10 and 240),
  add column session_limit_minutes int4 check (session_limit_minutes between 10 and 1440);

create table player_setting_changes (
  id        bigserial primary key,
  player_id bigint not null references players (id),
  setting   text not null check (setting in ('reality_check_minutes', 'session_limit_minutes')),
  value     int4,
  asked_at  timestamptz not null
);
create index player_setting_changes_player on player_setting_changes (player_id, id);

create table reality_checks (
  id               bigserial primary key,
  public_id        text not null unique,
  player_id        bigint not null references players (id),
  -- The login session's id (SHA-256 of its token, hex): never the token.
  session_id       text not null,
  shown_at         timestamptz not null,
  played_ms        int8 not null,
  staked_minor     int8 not null,
  won_minor        int8 not null,
  acknowledged_at  timestamptz
);
create index reality_checks_player on reality_checks (player_id, id);
