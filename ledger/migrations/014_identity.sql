-- 014_identity: identity verification (KYC). A player's status is that of their latest
-- check; only a verified player deposits or bets, checked under the wallet lock by the
-- deposit intent and inside the bet batch (ledger/wallet.ts, ledger/bets.ts).
--
-- Players registered before this migration were never checked: they start unverified,
-- as every new player does, and verify before their next deposit or bet.
alter table players add column kyc_status text not null default 'unverified'
  check (kyc_status in ('unverified', 'pending', 'verified', 'refused', 'withdrawn'));

-- One row per verification asked of a provider. The provider decides it later, through a
-- signed callback (app/identity.ts): pending -> verified | refused, verified -> withdrawn.
-- 'failed': the provider could not be reached; the player's status went back to what it was.
-- Kept is what an auditor needs to see what was checked: the names given and the last four
-- characters of the document number, never the whole number.
create table identity_checks (
  id              bigserial primary key,
  public_id       text not null unique,
  player_id       bigint not null references players (id),
  provider        text not null,
  provider_ref    text,
  status          text not null check (status in ('pending', 'verified', 'refused', 'withdrawn', 'failed')),
  status_before   text not null,
  reason          text,
  given_name      text not null,
  family_name     text not null,
  document_last4  text not null,
  requested_at    timestamptz not null,
  -- When the provider says it decided (its clock): a decision older than this changes nothing.
  decided_at      timestamptz
);
create index identity_checks_player on identity_checks (player_id, id);

-- Every status change and every provider event, applied or not, in the order received.
-- A provider event is applied at most once: its id is unique per provider.
create table identity_events (
  id                 bigserial primary key,
  player_id          bigint not null references players (id),
  check_id           bigint not null references identity_checks (id),
  provider           text not null,
  provider_event_id  text,
  kind               text not null check (kind in ('submitted', 'decision', 'provider_error')),
  -- The decision the event carried ('verified', 'refused', 'withdrawn'), or null.
  decision           text,
  applied            boolean not null,
  -- Why an event changed nothing: 'stale' (older than the check's last decision), 'not_allowed'
  -- (no such step from the check's status), 'superseded' (not the player's latest check).
  ignored_because    text,
  player_status_from text not null,
  player_status_to   text not null,
  reason             text,
  occurred_at        timestamptz not null,
  recorded_at        timestamptz not null default now()
);
create unique index identity_events_provider_event on identity_events (provider, provider_event_id) where provider_event_id is not null;
create index identity_events_player on identity_events (player_id, id);
