-- 016_second_factor: a player's optional second factor (TOTP, RFC 6238; app/secondFactorApi.ts).
-- Secrets are stored sealed (core/secretBox.ts), never in the clear. A secret being set up
-- waits in totp_pending_secret until a code from it is given; totp_last_step is the newest
-- time step a code was taken for, so no code is taken twice.
alter table players
  add column totp_secret bytea,
  add column totp_pending_secret bytea,
  add column totp_enabled_at timestamptz,
  add column totp_last_step int8;
