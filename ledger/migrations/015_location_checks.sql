-- 015_location_checks: every check of where a player is (app/geolocation.ts), kept for audit:
-- at login, at every sales room join, and periodically while a socket is open. The address
-- is the client's as the server determined it (through trusted proxies only); country and
-- region as the geolocation database placed it (null where it could not), or the configured
-- territory of private and loopback addresses.
create table location_checks (
  id          bigserial primary key,
  player_id   bigint not null references players (id),
  checked_at  timestamptz not null,
  source      text not null check (source in ('login', 'join', 'periodic')),
  address     text not null,
  country     text,
  region      text,
  located_by  text not null check (located_by in ('geoip', 'private_address')),
  permitted   boolean not null,
  reason      text
);
create index location_checks_player on location_checks (player_id, id);
