// ledger/secondFactor.ts — a player's TOTP secret (sealed, migration 016) and the newest time
// step a code was taken for. Taking a step is one conditional update: of two requests with the
// same code, in any processes, exactly one gets it.
import type pg from 'pg';

export interface SecondFactorState {
  publicId: string;
  email: string;
  /** Sealed (core/secretBox.ts); null when the player has no second factor. */
  secret: Buffer | null;
  pendingSecret: Buffer | null;
  lastStep: number | null;
}

export async function secondFactorState(pool: pg.Pool, playerId: number): Promise<SecondFactorState> {
  const { rows } = await pool.query(`select public_id, email, totp_secret, totp_pending_secret, totp_last_step from players where id = $1`, [playerId]);
  const r = rows[0];
  return { publicId: r.public_id, email: r.email, secret: r.totp_secret, pendingSecret: r.totp_pending_secret, lastStep: r.totp_last_step === null ? null : Number(r.totp_last_step) };
}

/** Keeps a new secret waiting for its first code; false if a second factor is already on. */
export async function setPendingSecret(pool: pg.Pool, playerId: number, sealed: Buffer): Promise<boolean> {
  const { rowCount } = await pool.query(`update players set totp_pending_secret = $2 where id = $1 and totp_secret is null`, [playerId, sealed]);
  return rowCount === 1;
}

/** Turns the waiting secret on, taking `step`; false if it changed meanwhile (set up again elsewhere). */
export async function enableSecondFactor(pool: pg.Pool, playerId: number, pendingSealed: Buffer, step: number, nowMs: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update players set totp_secret = totp_pending_secret, totp_pending_secret = null, totp_enabled_at = $4, totp_last_step = $3
      where id = $1 and totp_secret is null and totp_pending_secret = $2`,
    [playerId, pendingSealed, step, new Date(nowMs)],
  );
  return rowCount === 1;
}

/** Takes `step` for the player's code: false if it, or a newer one, was taken before. */
export async function takeStep(pool: pg.Pool, playerId: number, step: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update players set totp_last_step = $2 where id = $1 and totp_secret is not null and coalesce(totp_last_step, -1) < $2`,
    [playerId, step],
  );
  return rowCount === 1;
}

export async function disableSecondFactor(pool: pg.Pool, playerId: number): Promise<void> {
  await pool.query(`update players set totp_secret = null, totp_pending_secret = null, totp_enabled_at = null where id = $1`, [playerId]);
}
