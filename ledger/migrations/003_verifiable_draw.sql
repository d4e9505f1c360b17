-- 003_verifiable_draw: what a draw must hold to be verifiable (draw/README.md).
--
-- Before sales: the commitment to the operator's seed (the seed itself only encrypted,
-- AES-256-GCM under DRAW_SEED_KEY, with the id of that key), auditors' commitments, and
-- the external beacon round named in advance. After close: the Merkle seal of the accepted
-- tickets. At draw time: the revealed inputs, the numbers and the signed proof.
alter table draws
  add column seed_commitment   bytea check (octet_length(seed_commitment) = 32),
  add column seed_sealed       bytea,
  add column seed_key_id       text,
  add column beacon_source     text,
  add column beacon_round      int8 check (beacon_round >= 0),
  add column beacon_value      bytea,
  add column ticket_root       bytea check (octet_length(ticket_root) = 32),
  add column ticket_count      int8 check (ticket_count >= 0),
  add column stake_total_minor int8 check (stake_total_minor >= 0),
  add column sealed_at         timestamptz,
  add column numbers           jsonb,
  add column proof             jsonb,
  add column drawn_at          timestamptz,
  add column halted_at         timestamptz,
  add column halted_reason     text;

-- Draws created before this migration have no commitment and can never be drawn verifiably.
update draws set status = 'halted', halted_at = now(), halted_reason = 'created before verifiable draws (migration 003)'
 where status <> 'halted';

alter table draws
  -- A draw exists only with its commitment, and is drawn only after its seal.
  add constraint draw_committed check (status = 'halted' or (seed_commitment is not null and seed_sealed is not null and seed_key_id is not null)),
  add constraint draw_sealed check (status not in ('sealed', 'drawn', 'settled') or (ticket_root is not null and sealed_at is not null)),
  add constraint draw_drawn check (status not in ('drawn', 'settled') or (numbers is not null and proof is not null)),
  add constraint beacon_named check ((beacon_source is null) = (beacon_round is null));

-- Independent auditors' seeds: committed before the draw opens, revealed after it closes.
create table draw_auditors (
  draw_id       bigint not null references draws (id),
  name          text not null check (name ~ '^[a-z0-9][a-z0-9_.-]{0,31}$'),
  commitment    bytea not null check (octet_length(commitment) = 32),
  seed          bytea check (octet_length(seed) = 32),
  registered_at timestamptz not null default now(),
  revealed_at   timestamptz,
  primary key (draw_id, name)
);

create index draws_status_draw_at on draws (status, draw_at);
