// ledger/players.ts — player accounts and sessions. Passwords and tokens arrive here
// already hashed; plaintext never reaches SQL.
import type pg from 'pg';
import { nanoid } from 'nanoid';

export interface NewPlayer {
  email: string;
  passwordHash: string;
  dateOfBirth: string;
  country: string;
  region?: string;
}

export interface PlayerProfile {
  playerId: string;
  email: string;
  dateOfBirth: string;
  country: string;
  region: string | null;
  status: string;
  createdAt: string;
  balanceMinor: number;
  currency: string;
}

/** The identity a session token stands for, as rooms and the bet writer need it. */
export interface SessionPlayer {
  playerId: number;
  publicId: string;
  walletAccountId: number;
  status: string;
}

/** Creates the player and their wallet together; returns null when the email is taken. */
export async function insertPlayer(pool: pg.Pool, p: NewPlayer): Promise<{ id: number; publicId: string } | null> {
  const publicId = `p_${nanoid(16)}`;
  const { rows } = await pool.query<{ id: number }>(
    `with player as (
       insert into players (public_id, email, password_hash, date_of_birth, country, region)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (email) do nothing
       returning id
     ), wallet as (
       insert into accounts (kind, player_id) select 'player_wallet', id from player
     )
     select id from player`,
    [publicId, p.email, p.passwordHash, p.dateOfBirth, p.country, p.region ?? null],
  );
  return rows.length === 1 ? { id: rows[0].id, publicId } : null;
}

export async function findPlayerForLogin(pool: pg.Pool, email: string): Promise<{ id: number; passwordHash: string; status: string } | null> {
  const { rows } = await pool.query<{ id: number; password_hash: string; status: string }>(
    'select id, password_hash, status from players where email = $1',
    [email],
  );
  return rows.length === 1 ? { id: rows[0].id, passwordHash: rows[0].password_hash, status: rows[0].status } : null;
}

export async function insertSession(pool: pg.Pool, tokenHash: Buffer, playerId: number, expiresAtMs: number): Promise<void> {
  await pool.query('insert into sessions (token_hash, player_id, expires_at) values ($1, $2, $3)', [
    tokenHash,
    playerId,
    new Date(expiresAtMs),
  ]);
}

export async function revokeSession(pool: pg.Pool, tokenHash: Buffer): Promise<boolean> {
  const { rowCount } = await pool.query('update sessions set revoked_at = now() where token_hash = $1 and revoked_at is null', [tokenHash]);
  return rowCount === 1;
}

export async function sessionPlayer(pool: pg.Pool, tokenHash: Buffer, nowMs: number): Promise<SessionPlayer | null> {
  const { rows } = await pool.query<{ id: number; public_id: string; wallet: number; status: string }>(
    `select p.id, p.public_id, a.id as wallet, p.status
       from sessions s
       join players p on p.id = s.player_id
       join accounts a on a.player_id = p.id and a.kind = 'player_wallet'
      where s.token_hash = $1 and s.revoked_at is null and s.expires_at > $2`,
    [tokenHash, new Date(nowMs)],
  );
  if (rows.length !== 1) return null;
  const r = rows[0];
  return { playerId: r.id, publicId: r.public_id, walletAccountId: r.wallet, status: r.status };
}

export async function playerProfile(pool: pg.Pool, playerId: number): Promise<PlayerProfile | null> {
  const { rows } = await pool.query(
    `select p.public_id, p.email, to_char(p.date_of_birth, 'YYYY-MM-DD') as dob, p.country, p.region, p.status,
            p.created_at, a.balance_minor, a.currency
       from players p join accounts a on a.player_id = p.id and a.kind = 'player_wallet'
      where p.id = $1`,
    [playerId],
  );
  if (rows.length !== 1) return null;
  const r = rows[0];
  return {
    playerId: r.public_id,
    email: r.email,
    dateOfBirth: r.dob,
    country: r.country,
    region: r.region,
    status: r.status,
    createdAt: new Date(r.created_at).toISOString(),
    balanceMinor: r.balance_minor,
    currency: r.currency,
  };
}
