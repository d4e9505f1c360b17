-- 022_operations: operators with roles and a second factor, the hash-chained audit log, the
-- risk alerts, and the two-operator way out of a halted draw (issue 15).

-- Operators are not players: their own accounts, roles and sessions. A role allows exactly
-- its routes (app/operatorAccess.ts). The password is scrypt (app/auth.ts); the TOTP secret
-- is sealed with SecretBox as the players' is. Nobody is ever deleted: a disabled operator
-- keeps their name in every record they signed.
create table operators (
  id              bigserial primary key,
  name            text not null unique check (name ~ '^[a-z][a-z0-9_.-]{1,31}$'),
  role            text not null check (role in ('admin', 'finance', 'auditor', 'support')),
  password_hash   text not null,
  totp_sealed     bytea not null,
  -- The last TOTP step a login consumed: a code works once.
  totp_used_step  int8,
  status          text not null default 'active' check (status in ('active', 'disabled')),
  created_by      text not null,
  created_at      timestamptz not null default now(),
  changed_at      timestamptz not null default now()
);

create table operator_sessions (
  token_hash   bytea primary key check (octet_length(token_hash) = 32),
  operator_id  bigint not null references operators (id),
  created_at   timestamptz not null,
  expires_at   timestamptz not null,
  revoked_at   timestamptz
);
create index operator_sessions_operator on operator_sessions (operator_id) where revoked_at is null;

-- The audit log. Events are written cheaply where they happen (audit_event(), from triggers
-- and from the server) into audit_pending, in the transaction that makes them true; the
-- chainer (actors/AuditChainer.ts, one at a time across the cluster) moves them into
-- audit_log in order, each record's hash = sha256(previous hash || its body), and signs the
-- head with the operator's ed25519 key into audit_heads. `npm run audit:verify` walks it.
create table audit_pending (
  id       bigserial primary key,
  at       timestamptz not null default clock_timestamp(),
  kind     text not null check (kind ~ '^[a-z_]+(\.[a-z_]+)*$'),
  actor    text not null,
  subject  text,
  details  jsonb not null default '{}'
);

create table audit_log (
  seq        int8 primary key check (seq >= 1),
  at         timestamptz not null,
  kind       text not null,
  actor      text not null,
  subject    text,
  -- The canonical JSON that was hashed: {seq, at, kind, actor, subject, details}.
  body       text not null,
  prev_hash  bytea not null check (octet_length(prev_hash) = 32),
  hash       bytea not null check (octet_length(hash) = 32)
);
create index audit_log_subject on audit_log (subject, seq) where subject is not null;
create index audit_log_at on audit_log (at);

create table audit_heads (
  seq        int8 primary key references audit_log (seq),
  hash       bytea not null check (octet_length(hash) = 32),
  public_key text not null,
  signature  bytea not null check (octet_length(signature) = 64),
  signed_at  timestamptz not null default now()
);

create function audit_rows_are_permanent() returns trigger language plpgsql as $$
begin
  raise exception 'rows of % are never changed or deleted', tg_table_name using errcode = 'restrict_violation';
end
$$;
create trigger audit_log_permanent before update or delete or truncate on audit_log
  for each statement execute function audit_rows_are_permanent();
create trigger audit_heads_permanent before update or delete or truncate on audit_heads
  for each statement execute function audit_rows_are_permanent();

create function audit_event(p_kind text, p_actor text, p_subject text, p_details jsonb) returns void language sql as $$
  insert into audit_pending (kind, actor, subject, details) values (p_kind, p_actor, p_subject, coalesce(p_details, '{}'));
$$;

-- Risk alerts (actors/RiskMonitor.ts): one per rule firing, reviewed by an operator.
create table risk_alerts (
  id           bigserial primary key,
  rule         text not null check (rule ~ '^[a-z_]{1,40}$'),
  severity     text not null check (severity in ('info', 'warning', 'critical')),
  player_id    bigint references players (id),
  draw_id      bigint references draws (id),
  -- What the rule saw (counts, window, the accounts involved) and what it did.
  details      jsonb not null,
  -- One alert per rule and key while it stands: the same burst is not raised twice.
  dedupe_key   text not null,
  status       text not null default 'open' check (status in ('open', 'dismissed', 'confirmed')),
  raised_at    timestamptz not null default now(),
  reviewed_by  text,
  reviewed_at  timestamptz,
  review_note  text,
  unique (rule, dedupe_key),
  check ((status = 'open') = (reviewed_at is null))
);
create index risk_alerts_open on risk_alerts (status, raised_at);
create index risk_alerts_raised on risk_alerts (raised_at);
create index risk_alerts_player on risk_alerts (player_id) where player_id is not null;

-- Draws that halt: resumed once the missing input arrives, or voided with every ticket
-- refunded once. Each asked by one operator and approved by another.
alter table draws drop constraint draws_status_check;
alter table draws add constraint draws_status_check
  check (status in ('scheduled', 'open', 'closed', 'sealed', 'drawn', 'settled', 'halted', 'voided'));
alter table draws
  add column voided_at timestamptz,
  -- Set when every ticket of a voided draw has been refunded (ledger/refunds.ts refundVoidedDraw).
  add column void_refunded_at timestamptz,
  add constraint draw_voided check ((status = 'voided') = (voided_at is not null)),
  add constraint void_refunds_after_void check (void_refunded_at is null or voided_at is not null);
-- A voided draw refunds every ticket once, as a break refunds tickets bought in advance.
alter table ticket_refunds drop constraint ticket_refunds_reason_check;
alter table ticket_refunds add constraint ticket_refunds_reason_check check (reason in ('break', 'self_exclusion', 'draw_voided'));

create table draw_interventions (
  id            bigserial primary key,
  draw_id       bigint not null references draws (id),
  action        text not null check (action in ('resume', 'void')),
  reason        text not null check (length(reason) between 1 and 500),
  requested_by  text not null,
  requested_at  timestamptz not null,
  approved_by   text check (approved_by <> requested_by),
  approved_at   timestamptz,
  status        text not null default 'pending' check (status in ('pending', 'done', 'withdrawn')),
  check ((status = 'done') = (approved_at is not null))
);
-- At most one request waits per draw.
create unique index draw_interventions_pending on draw_interventions (draw_id) where status = 'pending';
create trigger draw_interventions_permanent before delete or truncate on draw_interventions
  for each statement execute function ledger_rows_are_permanent();

-- What goes into the audit log by itself, in the transaction that does it. The subject is what
-- a regulator asks about: a draw's public id, or 'player:<id>' for everything about a player's
-- money and protection (deposits, withdrawals, held prizes, limits, exclusions, status), so a
-- player's export finds it all by one index.
create function audit_draw() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform audit_event('draw.created', 'system', new.public_id, jsonb_build_object(
      'game', new.game_id, 'businessDate', new.business_date, 'openAt', new.open_at, 'cutoffAt', new.cutoff_at, 'drawAt', new.draw_at));
    if new.seed_commitment is not null then
      perform audit_event('draw.committed', 'system', new.public_id, jsonb_build_object(
        'seedCommitment', encode(new.seed_commitment, 'hex'), 'beaconSource', new.beacon_source, 'beaconRound', new.beacon_round));
    end if;
  elsif new.status is distinct from old.status then
    perform audit_event('draw.' || new.status, 'system', new.public_id, case new.status
      when 'sealed' then jsonb_build_object('from', old.status, 'ticketRoot', encode(new.ticket_root, 'hex'), 'ticketCount', new.ticket_count, 'stakeTotalMinor', new.stake_total_minor)
      when 'drawn' then jsonb_build_object('from', old.status, 'numbers', new.numbers)
      when 'halted' then jsonb_build_object('from', old.status, 'reason', new.halted_reason)
      else jsonb_build_object('from', old.status) end);
  end if;
  return null;
end
$$;
create trigger draws_audit after insert or update of status on draws for each row execute function audit_draw();

create function audit_draw_auditor() returns trigger language plpgsql as $$
declare draw text := (select public_id from draws where id = new.draw_id);
begin
  if tg_op = 'INSERT' then
    perform audit_event('auditor.committed', new.name, draw, jsonb_build_object('commitment', encode(new.commitment, 'hex')));
  elsif new.seed is not null and old.seed is null then
    perform audit_event('auditor.revealed', new.name, draw, jsonb_build_object('seed', encode(new.seed, 'hex')));
  end if;
  return null;
end
$$;
create trigger draw_auditors_audit after insert or update of seed on draw_auditors for each row execute function audit_draw_auditor();

create function audit_prize_hold() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform audit_event('prize.held', 'system', 'player:' || new.player_id, jsonb_build_object('ticket', 'T' || new.ticket_id, 'amountMinor', new.amount_minor, 'jurisdiction', new.jurisdiction));
  elsif new.status is distinct from old.status then
    perform audit_event('prize.' || new.status, coalesce(new.decided_by, 'system'), 'player:' || new.player_id,
      jsonb_build_object('ticket', 'T' || new.ticket_id, 'amountMinor', new.amount_minor, 'taxMinor', new.tax_minor, 'reason', new.reason));
  end if;
  return null;
end
$$;
create trigger prize_holds_audit after insert or update of status on prize_holds for each row execute function audit_prize_hold();

create function audit_withdrawal() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform audit_event('withdrawal.requested', 'player:' || new.player_id, 'player:' || new.player_id, jsonb_build_object('withdrawal', new.public_id, 'amountMinor', new.amount_minor, 'status', new.status));
  elsif new.status is distinct from old.status then
    perform audit_event('withdrawal.' || new.status, coalesce(case when new.status in ('approved', 'rejected') then new.decided_by end, new.provider), 'player:' || new.player_id,
      jsonb_build_object('withdrawal', new.public_id, 'amountMinor', new.amount_minor, 'from', old.status, 'reason', new.reason));
  end if;
  return null;
end
$$;
create trigger withdrawals_audit after insert or update of status on withdrawals for each row execute function audit_withdrawal();

create function audit_deposit() returns trigger language plpgsql as $$
begin
  if new.status is distinct from old.status then
    perform audit_event('deposit.' || new.status, new.provider, 'player:' || new.player_id,
      jsonb_build_object('deposit', new.public_id, 'amountMinor', new.amount_minor, 'reason', new.decline_reason));
  end if;
  return null;
end
$$;
create trigger deposits_audit after update of status on deposits for each row execute function audit_deposit();

create function audit_player_change() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'player_limit_changes' then
    perform audit_event('player.limit', case new.source when 'player' then 'player:' || new.player_id else 'system' end, 'player:' || new.player_id,
      jsonb_build_object('kind', new.kind, 'period', new.period, 'amountMinor', new.amount_minor, 'effectiveAt', new.effective_at));
  elsif tg_table_name = 'player_exclusions' then
    perform audit_event('player.exclusion', 'player:' || new.player_id, 'player:' || new.player_id,
      jsonb_build_object('kind', new.kind, 'duration', new.duration, 'endsAt', new.ends_at));
  else
    perform audit_event('player.status', new.operator, 'player:' || new.player_id,
      jsonb_build_object('from', new.from_status, 'to', new.to_status, 'reason', new.reason));
  end if;
  return null;
end
$$;
create trigger player_limit_changes_audit after insert on player_limit_changes for each row execute function audit_player_change();
create trigger player_exclusions_audit after insert on player_exclusions for each row execute function audit_player_change();
create trigger player_status_changes_audit after insert on player_status_changes for each row execute function audit_player_change();

create function audit_prize_rules() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' or (new.review_threshold_minor, new.withholding_threshold_minor, new.withholding_basis_points)
      is distinct from (old.review_threshold_minor, old.withholding_threshold_minor, old.withholding_basis_points) then
    perform audit_event('config.prize_rules', 'system', new.jurisdiction, jsonb_build_object(
      'reviewThresholdMinor', new.review_threshold_minor, 'withholdingThresholdMinor', new.withholding_threshold_minor, 'withholdingBasisPoints', new.withholding_basis_points));
  end if;
  return null;
end
$$;
create trigger jurisdiction_prize_rules_audit after insert or update on jurisdiction_prize_rules for each row execute function audit_prize_rules();

create function audit_operator() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform audit_event('operator.created', new.created_by, 'operator:' || new.name, jsonb_build_object('role', new.role));
  elsif (new.role, new.status) is distinct from (old.role, old.status) then
    perform audit_event('operator.changed', 'system', 'operator:' || new.name, jsonb_build_object('role', new.role, 'status', new.status, 'fromRole', old.role, 'fromStatus', old.status));
  end if;
  return null;
end
$$;
create trigger operators_audit after insert or update on operators for each row execute function audit_operator();

create function audit_risk_alert() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform audit_event('alert.raised', 'risk', 'alert:' || new.id, jsonb_build_object('rule', new.rule, 'severity', new.severity, 'player', new.player_id, 'draw', new.draw_id));
  elsif new.status is distinct from old.status then
    perform audit_event('alert.' || new.status, coalesce(new.reviewed_by, 'system'), 'alert:' || new.id, jsonb_build_object('rule', new.rule, 'note', new.review_note));
  end if;
  return null;
end
$$;
create trigger risk_alerts_audit after insert or update of status on risk_alerts for each row execute function audit_risk_alert();

create function audit_draw_intervention() returns trigger language plpgsql as $$
declare draw text := (select public_id from draws where id = new.draw_id);
begin
  if tg_op = 'INSERT' then
    perform audit_event('draw.' || new.action || '_requested', new.requested_by, draw, jsonb_build_object('reason', new.reason));
  elsif new.status is distinct from old.status then
    perform audit_event('draw.' || new.action || case new.status when 'done' then '_approved' else '_withdrawn' end,
      coalesce(new.approved_by, new.requested_by), draw, jsonb_build_object('reason', new.reason, 'requestedBy', new.requested_by));
  end if;
  return null;
end
$$;
create trigger draw_interventions_audit after insert or update of status on draw_interventions for each row execute function audit_draw_intervention();
