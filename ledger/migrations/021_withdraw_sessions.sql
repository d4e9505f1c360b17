-- 021_withdraw_sessions: a player on a break or self-excluded may still take their balance out
-- (issue 13). They log in for that alone (POST /api/auth/login with purpose "withdraw"): the
-- session's scope is 'withdraw', which opens their wallet's withdrawal, statement and profile
-- routes and nothing else: no room, no bet, no deposit (app/access.ts, rooms/joins.ts).
alter table sessions add column scope text not null default 'play' check (scope in ('play', 'withdraw'));
