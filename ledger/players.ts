// ledger/players.ts — player accounts and sessions. Passwords and tokens arrive here
// already hashed; plaintext never reaches SQL.
import type pg from 'pg';
import { nanoid } from 'nanoid';
import { invariant } from '../core/errors.ts';
import { HEX_32_PATTERN as SESSION_ID_PATTERN } from '../core/patterns.ts';
import { withTransaction } from './transaction.ts';

export interface NewPlayer {
  email: string;
  passwordHash: string;
  dateOfBirth: string;
  country: string;
  region?: string;
  /** The jurisdiction that governs the player ("US-NJ") and its time zone. */
  jurisdiction: string;
  timeZone: string;
}

export interface PlayerProfile {
  playerId: string;
  email: string;
  dateOfBirth: string;
  country: string;
  region: string | null;
  status: string;
  /** Identity verification (migration 014): unverified, pending, verified, refused or withdrawn. */
  identityStatus: string;
  createdAt: string;
  balanceMinor: number;
  currency: string;
}

/** The identity a session token stands for, as rooms and the bet writer need it. */
/** What a session may do: play (everything), or withdraw only (logged in during a break or self-exclusion). */
export type SessionScope = 'play' | 'withdraw';

export interface SessionPlayer {
  playerId: number;
  publicId: string;
  walletAccountId: number;
  status: string;
  /**
   * The login session's id: its primary key, the SHA-256 of its token, in hex (sessionIdOf).
   * Only the token opens a session, so the id is safe to pass between processes; it is
   * still never logged. Not named `sessionId`: Colyseus takes a `sessionId` in the auth
   * data as the seat's own session id (MatchMaker.reserveSeatFor), which would give every
   * connection of one login the same seat.
   */
  authSessionId: string;
  authSessionExpiresAtMs: number;
  /** When the login session began: its reality checks count time played and net result from here. */
  authSessionStartedAtMs: number;
  /** The player's reality check interval (migration 017), or null for none. */
  realityCheckMinutes: number | null;
  /** 'withdraw': logged in during a break or self-exclusion, to take the balance out and nothing else. */
  scope: SessionScope;
}

/** A login session's id (SessionPlayer.authSessionId) from its token hash. */
export function sessionIdOf(tokenHash: Buffer): string {
  return tokenHash.toString('hex');
}


export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

/**
 * Creates the player and their wallet together (a trigger adds their activity row, migration
 * 013); returns null when the email is taken. On `client`, so the caller can set the new
 * player's limits in the same transaction.
 */
export async function insertPlayer(client: pg.Pool | pg.ClientBase, p: NewPlayer): Promise<{ id: number; publicId: string } | null> {
  const publicId = `p_${nanoid(16)}`;
  const { rows } = await client.query<{ id: number }>(
    `with player as (
       insert into players (public_id, email, password_hash, date_of_birth, country, region, jurisdiction, time_zone)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (email) do nothing
       returning id
     ), wallet as (
       insert into accounts (kind, player_id) select 'player_wallet', id from player
     )
     select id from player`,
    [publicId, p.email, p.passwordHash, p.dateOfBirth, p.country, p.region ?? null, p.jurisdiction, p.timeZone],
  );
  return rows.length === 1 ? { id: rows[0].id, publicId } : null;
}

/** The jurisdiction id a player registered under ("US-NJ"), or null if there is no such player. */
export async function playerJurisdiction(pool: pg.Pool, playerId: number): Promise<string | null> {
  const { rows } = await pool.query<{ jurisdiction: string }>('select jurisdiction from players where id = $1', [playerId]);
  return rows.length === 1 ? rows[0].jurisdiction : null;
}

export async function findPlayerForLogin(
  pool: pg.Pool,
  email: string,
): Promise<{ id: number; passwordHash: string; status: string; excludedUntilMs: number | null; sessionLimitMinutes: number | null } | null> {
  const { rows } = await pool.query<{ id: number; password_hash: string; status: string; excluded_until: Date | null; session_limit_minutes: number | null }>(
    'select id, password_hash, status, excluded_until, session_limit_minutes from players where email = $1',
    [email],
  );
  if (rows.length !== 1) return null;
  const r = rows[0];
  return {
    id: r.id,
    passwordHash: r.password_hash,
    status: r.status,
    excludedUntilMs: r.excluded_until === null ? null : new Date(r.excluded_until).getTime(),
    sessionLimitMinutes: r.session_limit_minutes,
  };
}

/** A new login session; `createdAtMs` (the server's clock) starts its reality checks and its time limit. */
export async function insertSession(pool: pg.Pool, tokenHash: Buffer, playerId: number, expiresAtMs: number, createdAtMs = Date.now(), scope: SessionScope = 'play'): Promise<void> {
  await pool.query('insert into sessions (token_hash, player_id, expires_at, created_at, scope) values ($1, $2, $3, $4, $5)', [
    tokenHash,
    playerId,
    new Date(expiresAtMs),
    new Date(createdAtMs),
    scope,
  ]);
}

/** Ends one session; returns its id, or null if there was none to end (unknown, or revoked already). */
export async function revokeSession(pool: pg.Pool, tokenHash: Buffer): Promise<string | null> {
  const { rowCount } = await pool.query('update sessions set revoked_at = now() where token_hash = $1 and revoked_at is null', [tokenHash]);
  return rowCount === 1 ? sessionIdOf(tokenHash) : null;
}

/** Ends every live session of a player but `keepSessionId`; returns the ids of those ended. */
export async function revokePlayerSessions(pool: pg.Pool, playerId: number, keepSessionId?: string): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `update sessions set revoked_at = now()
      where player_id = $1 and revoked_at is null and expires_at > now()
        and ($2::text is null or token_hash <> decode($2, 'hex'))
      returning encode(token_hash, 'hex') as id`,
    [playerId, keepSessionId ?? null],
  );
  return rows.map((r) => r.id);
}

/**
 * Of these sessions, the ids of those no longer live: unknown, revoked, expired at `nowMs`,
 * or of a player who is no longer active or is excluded (a break, a self-exclusion). One index probe per session.
 */
export async function endedSessions(pool: pg.Pool, sessionIds: string[], nowMs: number): Promise<string[]> {
  for (const id of sessionIds) invariant(isSessionId(id), 'not a session id');
  const { rows } = await pool.query<{ id: string }>(
    `select k.id
       from unnest($1::text[]) as k(id)
       left join sessions s on s.token_hash = decode(k.id, 'hex')
       left join players p on p.id = s.player_id
      where s.token_hash is null or s.revoked_at is not null or s.expires_at <= $2 or p.status <> 'active'
         or (p.excluded_until > $2 and s.scope <> 'withdraw')`,
    [sessionIds, new Date(nowMs)],
  );
  return rows.map((r) => r.id);
}

export async function sessionPlayer(pool: pg.Pool, tokenHash: Buffer, nowMs: number): Promise<SessionPlayer | null> {
  const { rows } = await pool.query<{ id: number; public_id: string; wallet: number; status: string; expires_at: Date; created_at: Date; reality_check_minutes: number | null; scope: SessionScope }>(
    `select p.id, p.public_id, a.id as wallet, p.status, s.expires_at, s.created_at, p.reality_check_minutes, s.scope
       from sessions s
       join players p on p.id = s.player_id
       join accounts a on a.player_id = p.id and a.kind = 'player_wallet'
      where s.token_hash = $1 and s.revoked_at is null and s.expires_at > $2
        and (p.excluded_until is null or p.excluded_until <= $2 or s.scope = 'withdraw')`,
    [tokenHash, new Date(nowMs)],
  );
  if (rows.length !== 1) return null;
  const r = rows[0];
  return {
    playerId: r.id,
    publicId: r.public_id,
    walletAccountId: r.wallet,
    status: r.status,
    authSessionId: sessionIdOf(tokenHash),
    authSessionExpiresAtMs: new Date(r.expires_at).getTime(),
    authSessionStartedAtMs: new Date(r.created_at).getTime(),
    realityCheckMinutes: r.reality_check_minutes,
    scope: r.scope,
  };
}

export async function playerProfile(pool: pg.Pool, playerId: number): Promise<PlayerProfile | null> {
  const { rows } = await pool.query(
    `select p.public_id, p.email, to_char(p.date_of_birth, 'YYYY-MM-DD') as dob, p.country, p.region, p.status, p.kyc_status,
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
    identityStatus: r.kyc_status,
    createdAt: new Date(r.created_at).toISOString(),
    balanceMinor: r.balance_minor,
    currency: r.currency,
  };
}

/**
 * Sets an account's status (an operator's decision), recorded with its reason; null if there
 * is no such player, or the account is closed (closing is for good).
 */
export async function setPlayerStatus(
  pool: pg.Pool,
  publicId: string,
  change: { status: 'active' | 'suspended' | 'closed'; reason: string; operator: string },
  nowMs: number,
): Promise<{ playerId: number; from: string; to: string } | null> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(`select id, status from players where public_id = $1 for update`, [publicId]);
    if (rows.length === 0 || rows[0].status === 'closed') return null;
    const playerId = Number(rows[0].id);
    await client.query(`update players set status = $2 where id = $1`, [playerId, change.status]);
    await client.query(
      `insert into player_status_changes (player_id, from_status, to_status, reason, operator, changed_at) values ($1, $2, $3, $4, $5, $6)`,
      [playerId, rows[0].status, change.status, change.reason, change.operator, new Date(nowMs)],
    );
    return { playerId, from: rows[0].status, to: change.status };
  });
}
