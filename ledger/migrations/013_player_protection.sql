-- 013_player_protection: each player's jurisdiction and time zone, their limits on deposits,
-- stakes and losses as every request to change them was made, and what they staked and won
-- recently, kept where the bet batch reads it in one row.
--
-- The jurisdiction a player registered in (games/jurisdictions.ts: "US-NJ", "DE") governs
-- their minimum age, games, default and maximum limits; its time zone is the one a
-- calendar-month limit counts in. Players registered before this migration keep their
-- country (and region) as their jurisdiction and UTC as their zone.
alter table players add column jurisdiction text, add column time_zone text not null default 'UTC';
update players set jurisdiction = case when region is null then country else country || '-' || region end;
alter table players alter column jurisdiction set not null;

-- Every limit a player (or the jurisdiction's default, at registration) asked for: kept for
-- good, the record a regulator reads. A limit in force is the latest request for its kind and
-- period whose effective_at has passed and that no later request superseded before then.
-- A decrease takes effect when asked; an increase or a removal 24 hours later
-- (ledger/protection.ts), and a later request supersedes one still pending.
create table player_limit_changes (
  id            bigserial primary key,
  player_id     bigint not null references players (id),
  kind          text not null check (kind in ('deposit', 'stake', 'loss')),
  period        text not null check (period in ('day', 'week', 'month')),
  -- null: no limit (a removal)
  amount_minor  bigint check (amount_minor > 0),
  requested_at  timestamptz not null,
  effective_at  timestamptz not null check (effective_at >= requested_at),
  source        text not null check (source in ('player', 'jurisdiction')),
  superseded_at timestamptz check (superseded_at is null or superseded_at < effective_at)
);
create index player_limit_changes_player on player_limit_changes (player_id, kind, period, effective_at desc, id desc);

-- One row per player, read by every bet batch with the player's wallet locked and written
-- back before it commits (ledger/bets.ts); settlement adds prizes to it in the transaction
-- that credits the wallet. Whoever writes it holds the wallet's lock first, so no two
-- writers interleave.
--
--   limits: the nine limits in force, copied from player_limit_changes when they change
--     (null: none); limits_refresh_at, the time the next pending change takes effect, after
--     which a reader copies them again before trusting them.
--   series: [quarter, staked, won, ...] triples, quarter = whole quarter-hours since the
--     epoch, ascending, none older than 7 days and a quarter: the rolling day and week.
--   month_key (year * 12 + month - 1, in the player's zone) with the month's stakes and
--     prizes: the calendar month.
create table player_activity (
  player_id          bigint primary key references players (id),
  deposit_day        bigint, deposit_week bigint, deposit_month bigint,
  stake_day          bigint, stake_week bigint, stake_month bigint,
  loss_day           bigint, loss_week bigint, loss_month bigint,
  limits_refresh_at  timestamptz,
  series             int8[] not null default '{}' check (cardinality(series) % 3 = 0),
  month_key          int4 not null default 0,
  month_staked       bigint not null default 0 check (month_staked >= 0),
  month_won          bigint not null default 0 check (month_won >= 0)
) with (fillfactor = 50);
insert into player_activity (player_id) select id from players;

-- The limit of one kind and period in force at `at`.
create function limit_in_force(p_player bigint, p_kind text, p_period text, p_at timestamptz) returns bigint
language sql stable as $$
  select amount_minor from player_limit_changes
   where player_id = p_player and kind = p_kind and period = p_period and effective_at <= p_at
     and superseded_at is null
   order by effective_at desc, id desc
   limit 1
$$;

-- `series` with `won` added at quarter `q`, entries before `keep_from` dropped: settlement's
-- half of what ledger/playerActivity.ts does for stakes (the same layout, tested together).
create function activity_add_won(p_series int8[], p_q bigint, p_won bigint, p_keep_from bigint) returns int8[]
language plpgsql immutable as $$
declare
  result int8[] := '{}';
  n int := coalesce(array_length(p_series, 1), 0);
  i int := 1;
  added boolean := false;
begin
  while i <= n loop
    if p_series[i] >= p_keep_from then
      if p_series[i] = p_q then
        result := result || array[p_series[i], p_series[i + 1], p_series[i + 2] + p_won];
        added := true;
      elsif p_series[i] > p_q and not added then
        result := result || array[p_q, 0, p_won]::int8[] || array[p_series[i], p_series[i + 1], p_series[i + 2]];
        added := true;
      else
        result := result || array[p_series[i], p_series[i + 1], p_series[i + 2]];
      end if;
    end if;
    i := i + 3;
  end loop;
  if not added then
    result := result || array[p_q, 0, p_won]::int8[];
  end if;
  return result;
end
$$;

-- Every player has an activity row from the start, however the player was made.
create function player_activity_row() returns trigger
language plpgsql as $$
begin
  insert into player_activity (player_id) values (new.id);
  return new;
end
$$;
create trigger players_activity after insert on players for each row execute function player_activity_row();

-- Breaks (cool-off, 1 day to 6 weeks) and self-exclusions (6 months, 1 or 5 years): every
-- one asked for, kept for good. players.excluded_until is the latest end of any of them:
-- until then the player cannot log in, bet or deposit (ledger/protection.ts, bets.ts,
-- wallet.ts read it with the wallet locked). A new one can only move it later, never earlier.
alter table players add column excluded_until timestamptz;
create table player_exclusions (
  id            bigserial primary key,
  player_id     bigint not null references players (id),
  kind          text not null check (kind in ('break', 'self_exclusion')),
  -- as asked: "14 days", "6 months"
  duration      text not null check (length(duration) between 1 and 32),
  requested_at  timestamptz not null,
  ends_at       timestamptz not null check (ends_at > requested_at)
);
create index player_exclusions_player on player_exclusions (player_id, requested_at desc);
