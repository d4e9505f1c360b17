-- 006_rate_limits: the counters behind the login and registration limits (app/rateLimits.ts)
-- when the cluster has a PostgreSQL but no Redis, so that every process counts the same
-- guesses. rate-limiter-flexible's Postgres store reads and writes this table with its own
-- statements; the layout is the one it expects: a key (its prefix, then ours), the points
-- consumed in the current window, and when the window ends (epoch milliseconds; null: never).
--
-- Unlogged: the counters are worth no WAL. A crash or a fail-over empties the table, which
-- forgets at worst an hour of failed logins; that is the price of not slowing every login
-- by a synchronously replicated write.
create unlogged table rate_limits (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
