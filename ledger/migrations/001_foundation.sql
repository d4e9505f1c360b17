-- 001_foundation: players, sessions, double-entry accounts and transfers, draws, tickets, deposits.
-- Money is integer minor units (bigint). Every movement is one transfer row moving
-- amount_minor from debit_account_id to credit_account_id, so each transfer balances by
-- construction and the balances of all accounts always sum to zero.

create table players (
  id              bigserial primary key,
  public_id       text not null unique,
  email           text not null unique,
  password_hash   text not null,
  date_of_birth   date not null,
  country         char(2) not null,
  region          text,
  status          text not null default 'active' check (status in ('active', 'suspended', 'closed')),
  created_at      timestamptz not null default now()
);

create table sessions (
  token_hash      bytea primary key,
  player_id       bigint not null references players (id),
  created_at      timestamptz not null default now(),
  expires_at      timestamptz not null,
  revoked_at      timestamptz
);
create index sessions_player on sessions (player_id);

create table accounts (
  id              bigserial primary key,
  kind            text not null check (kind in ('player_wallet', 'draw_pool', 'house', 'provider_clearing')),
  player_id       bigint unique references players (id),
  code            text unique,
  currency        char(3) not null default 'EUR',
  balance_minor   bigint not null default 0,
  -- Only external-facing system accounts (provider clearing, house) may go negative.
  may_go_negative boolean not null default false,
  created_at      timestamptz not null default now(),
  constraint balance_non_negative check (may_go_negative or balance_minor >= 0),
  constraint wallet_never_negative check (kind <> 'player_wallet' or not may_go_negative),
  constraint wallet_has_owner check ((kind = 'player_wallet') = (player_id is not null))
);

insert into accounts (kind, code, may_go_negative) values
  ('house', 'house', true),
  ('provider_clearing', 'provider_clearing:sandbox', true);

create table draws (
  id              bigserial primary key,
  public_id       text not null unique,
  game_id         text not null,
  business_date   date not null,
  open_at         timestamptz not null,
  cutoff_at       timestamptz not null,
  draw_at         timestamptz not null,
  status          text not null default 'scheduled'
                  check (status in ('scheduled', 'open', 'closed', 'sealed', 'drawn', 'settled', 'halted')),
  pool_account_id bigint not null unique references accounts (id),
  created_at      timestamptz not null default now(),
  closed_at       timestamptz,
  check (open_at < cutoff_at and cutoff_at < draw_at),
  unique (game_id, draw_at)
);
create index draws_game_draw_at on draws (game_id, draw_at);
create index draws_status_cutoff on draws (status, cutoff_at);

-- tickets.draw_id, tickets.player_id and transfers.ticket_id carry no foreign keys on
-- purpose: they are written only by the bet batch, in the transaction that has just locked
-- that draw, that player's wallet and inserted that ticket, and none of these rows is ever
-- deleted. Per-row FK triggers cost ~30% of a batch; ledger/invariants.ts checks the
-- references instead.
create table tickets (
  id              bigserial primary key,
  public_id       text not null unique,
  draw_id         bigint not null,
  player_id       bigint not null,
  request_id      text not null,
  lines           jsonb not null,
  line_count      smallint not null check (line_count >= 1),
  cost_minor      bigint not null check (cost_minor > 0),
  quick_pick      boolean not null,
  received_at     timestamptz not null,
  created_at      timestamptz not null default now(),
  -- Idempotency: a retried request can never buy a second ticket.
  unique (player_id, request_id)
);
create index tickets_draw on tickets (draw_id, id);

create table deposits (
  id              bigserial primary key,
  public_id       text not null unique,
  player_id       bigint not null references players (id),
  idempotency_key text not null,
  amount_minor    bigint not null check (amount_minor > 0),
  provider        text not null,
  provider_ref    text,
  status          text not null check (status in ('pending', 'completed', 'declined')),
  decline_reason  text,
  created_at      timestamptz not null default now(),
  completed_at    timestamptz,
  unique (player_id, idempotency_key)
);

create table transfers (
  id                bigserial primary key,
  debit_account_id  bigint not null references accounts (id),
  credit_account_id bigint not null references accounts (id),
  amount_minor      bigint not null check (amount_minor > 0),
  kind              text not null check (kind in ('deposit', 'stake', 'prize', 'withdrawal', 'refund')),
  ticket_id         bigint,
  deposit_id        bigint references deposits (id),
  created_at        timestamptz not null default now(),
  check (debit_account_id <> credit_account_id),
  check ((kind = 'stake') = (ticket_id is not null)),
  check ((kind = 'deposit') = (deposit_id is not null))
);
-- No index on transfers.ticket_id: nothing on the hot path looks a stake up by ticket, and
-- each index is paid for on every bet. Audits join by hash (ledger/invariants.ts).
