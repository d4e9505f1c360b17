-- 020_payments: money in and out through a payment provider that answers later, by signed
-- webhook (issue 14; app/payments.ts, ledger/payments.ts, ledger/withdrawals.ts,
-- ledger/prizeHolds.ts).
--
-- Accounts (one each, by code):
--   withdrawals_held  what players asked to withdraw, out of their wallets at once (so it
--                     cannot also be bet) until the provider pays it or it comes back;
--   prizes_held       prizes at or above their jurisdiction's review threshold, credited here
--                     by settlement instead of the wallet until an operator decides;
--   tax_liability     tax withheld from released prizes, owed to the tax authority.
-- Transfers:
--   withdrawal_hold   wallet -> withdrawals_held, when the withdrawal is asked for
--   withdrawal        withdrawals_held -> provider clearing, when the provider has paid it
--   withdrawal_return withdrawals_held -> wallet, when it failed or an operator rejected it
--   prize_release     prizes_held -> wallet, a held prize approved (less any tax)
--   tax               prizes_held -> tax_liability, the tax withheld from it
--   prize_forfeit     prizes_held -> house, a held prize refused
alter table accounts drop constraint accounts_kind_check;
alter table accounts add constraint accounts_kind_check
  check (kind in ('player_wallet', 'draw_pool', 'house', 'provider_clearing', 'jackpot_rollover', 'withdrawal_hold', 'prize_hold', 'tax_liability'));
insert into accounts (kind, code) values
  ('withdrawal_hold', 'withdrawals_held'),
  ('prize_hold', 'prizes_held'),
  ('tax_liability', 'tax_liability');

alter table transfers drop constraint transfers_kind_check;
alter table transfers add constraint transfers_kind_check
  check (kind in ('deposit', 'stake', 'prize', 'withdrawal', 'refund', 'house_share', 'rollover', 'house_funding',
                  'withdrawal_hold', 'withdrawal_return', 'prize_release', 'tax', 'prize_forfeit'));

-- A player's statement (GET /api/wallet/transactions) reads their stakes from tickets
-- (tickets_player_received) and every other movement of their wallet through these. Partial,
-- so that the bet batch's stake transfers, the bulk of all rows, enter neither.
create index transfers_credits on transfers (credit_account_id, created_at, id)
  where kind in ('deposit', 'prize', 'refund', 'withdrawal_return', 'prize_release');
create index transfers_debits on transfers (debit_account_id, created_at, id)
  where kind = 'withdrawal_hold';

-- Deposits: asked for (pending) and sent to the provider (sent_at), then completed, declined
-- or failed by a verified webhook. `answer` is the first answer given for the idempotency
-- key, replayed for the same key and amount.
alter table deposits drop constraint deposits_status_check;
alter table deposits add constraint deposits_status_check check (status in ('pending', 'completed', 'declined', 'failed'));
alter table deposits
  add column sent_at timestamptz,
  add column answer jsonb,
  -- The provider's time of the last event applied: an older event changes nothing.
  add column provider_event_at timestamptz;
create index deposits_created on deposits (created_at);

-- Withdrawals: the money leaves the wallet for withdrawals_held when asked for. 'review'
-- waits for an operator (above WITHDRAWAL_REVIEW_ABOVE_MINOR); 'approved' is cleared to go
-- and not yet taken by the provider; 'pending' is with the provider; 'paid' moved the money
-- to the provider's clearing account; 'failed' (by the provider) and 'rejected' (by an
-- operator) put it back in the wallet.
create table withdrawals (
  id                 bigserial primary key,
  public_id          text not null unique,
  player_id          bigint not null references players (id),
  idempotency_key    text not null,
  amount_minor       bigint not null check (amount_minor > 0),
  provider           text not null,
  provider_ref       text,
  status             text not null check (status in ('review', 'approved', 'pending', 'paid', 'failed', 'rejected')),
  reason             text,
  answer             jsonb not null,
  requested_at       timestamptz not null,
  sent_at            timestamptz,
  decided_by         text,
  decided_at         timestamptz,
  completed_at       timestamptz,
  provider_event_at  timestamptz,
  hold_transfer_id   bigint not null unique references transfers (id),
  -- withdrawal (paid) or withdrawal_return (failed, rejected)
  final_transfer_id  bigint unique references transfers (id),
  unique (player_id, idempotency_key),
  check ((status in ('paid', 'failed', 'rejected')) = (final_transfer_id is not null))
);
create index withdrawals_status on withdrawals (status, requested_at);
create index withdrawals_requested on withdrawals (requested_at);

-- Every webhook event a provider sent that was signed and named a payment of ours, applied
-- or not, in the order received. A provider event is applied at most once: its id is unique.
create table payment_events (
  id                 bigserial primary key,
  provider           text not null,
  provider_event_id  text not null,
  type               text not null,
  deposit_id         bigint references deposits (id),
  withdrawal_id      bigint references withdrawals (id),
  applied            boolean not null,
  -- Why an event changed nothing: 'stale' (older than the last applied), 'final' (the payment
  -- was already completed, declined, failed or paid), 'informational' (a progress event).
  ignored_because    text,
  occurred_at        timestamptz not null,
  recorded_at        timestamptz not null default now(),
  unique (provider, provider_event_id),
  check ((deposit_id is null) <> (withdrawal_id is null))
);

-- The prize rules of each jurisdiction in force, copied from the jurisdictions file at start
-- (games/jurisdictions.ts) where settlement's SQL reads them: a prize at or above
-- review_threshold_minor is held for an operator; one at or above withholding_threshold_minor
-- has withholding_basis_points of it withheld as tax when released.
create table jurisdiction_prize_rules (
  jurisdiction                 text primary key,
  review_threshold_minor       bigint check (review_threshold_minor > 0),
  withholding_threshold_minor  bigint check (withholding_threshold_minor > 0),
  withholding_basis_points     int not null default 0 check (withholding_basis_points between 0 and 9999),
  updated_at                   timestamptz not null default now()
);

-- A prize held for review: paid by settlement into prizes_held (its ticket_prizes row and
-- transfer as any prize's), then released to the wallet less the tax withheld, or forfeited
-- to the house, by an operator, once. The record the tax report reads.
create table prize_holds (
  ticket_id            bigint primary key references tickets (id),
  draw_id              bigint not null references draws (id),
  player_id            bigint not null references players (id),
  jurisdiction         text not null,
  amount_minor         bigint not null check (amount_minor > 0),
  status               text not null check (status in ('held', 'released', 'forfeited')),
  held_at              timestamptz not null,
  tax_minor            bigint check (tax_minor >= 0),
  tax_basis_points     int,
  decided_by           text,
  decided_at           timestamptz,
  reason               text,
  release_transfer_id  bigint unique references transfers (id),
  tax_transfer_id      bigint unique references transfers (id),
  forfeit_transfer_id  bigint unique references transfers (id),
  check ((status = 'held') = (decided_at is null)),
  check ((status = 'released') = (release_transfer_id is not null)),
  check ((status = 'forfeited') = (forfeit_transfer_id is not null)),
  check ((tax_transfer_id is null) or status = 'released')
);
create index prize_holds_status on prize_holds (status, held_at);
create index prize_holds_player on prize_holds (player_id);

create trigger withdrawals_permanent before delete or truncate on withdrawals
  for each statement execute function ledger_rows_are_permanent();
create trigger prize_holds_permanent before delete or truncate on prize_holds
  for each statement execute function ledger_rows_are_permanent();
create trigger payment_events_permanent before delete or truncate on payment_events
  for each statement execute function ledger_rows_are_permanent();

-- The sandbox payment provider's own books (app/payments.ts): what it was asked to do and what
-- it decided, as a real provider's API would list them for reconciliation. Not our ledger:
-- nothing of ours reads it but the sandbox adapter.
create schema sandbox_provider;
create table sandbox_provider.payments (
  provider_ref   text primary key,
  kind           text not null check (kind in ('deposit', 'payout')),
  reference      text not null,
  amount_minor   bigint not null,
  currency       char(3) not null,
  status         text not null check (status in ('processing', 'succeeded', 'declined', 'failed')),
  reason         text,
  created_at     timestamptz not null,
  decided_at     timestamptz,
  unique (kind, reference)
);
