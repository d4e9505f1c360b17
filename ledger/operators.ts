// ledger/operators.ts — operator accounts and their sessions (migration 022). Operators are
// not players: their own table, a role each, a password and a TOTP secret that every login
// asks for. A session is looked up in the database on every request (operators make few),
// so a revoked session or a disabled operator is refused from the next request on, on every
// process, with nothing to propagate.
import type pg from 'pg';
import type { OperatorRole } from '../core/operatorRoles.ts';
import { withTransaction } from './transaction.ts';

export interface OperatorAccount {
  id: number;
  name: string;
  role: OperatorRole;
  status: 'active' | 'disabled';
  createdBy: string;
  createdAtMs: number;
}

export interface OperatorLoginRow extends OperatorAccount {
  passwordHash: string;
  totpSealed: Buffer;
  totpUsedStep: number | null;
}

export interface NewOperator {
  name: string;
  role: OperatorRole;
  passwordHash: string;
  totpSealed: Buffer;
  createdBy: string;
}

// Any constant: the same in every process, so two bootstraps at once create one admin.
const BOOTSTRAP_LOCK_KEY = 7_461_002_022;

function account(r: Record<string, unknown>): OperatorAccount {
  return {
    id: Number(r.id),
    name: r.name as string,
    role: r.role as OperatorRole,
    status: r.status as 'active' | 'disabled',
    createdBy: r.created_by as string,
    createdAtMs: new Date(r.created_at as string).getTime(),
  };
}

export async function operatorCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query(`select count(*)::int4 as n from operators`);
  return rows[0].n;
}

/** The first admin, only while there is no operator at all: false once there is one. */
export async function bootstrapAdmin(pool: pg.Pool, admin: Omit<NewOperator, 'role' | 'createdBy'>): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
    const { rows } = await client.query(`select exists (select 1 from operators) as any`);
    if (rows[0].any) return false;
    await insertOperator(client, { ...admin, role: 'admin', createdBy: 'bootstrap' });
    return true;
  });
}

/** Null when the name is taken. */
export async function insertOperator(client: pg.Pool | pg.ClientBase, o: NewOperator): Promise<OperatorAccount | null> {
  const { rows } = await client.query(
    `insert into operators (name, role, password_hash, totp_sealed, created_by) values ($1, $2, $3, $4, $5)
     on conflict (name) do nothing
     returning id, name, role, status, created_by, created_at`,
    [o.name, o.role, o.passwordHash, o.totpSealed, o.createdBy],
  );
  return rows.length ? account(rows[0]) : null;
}

export async function findOperatorForLogin(pool: pg.Pool, name: string): Promise<OperatorLoginRow | null> {
  const { rows } = await pool.query(
    `select id, name, role, status, created_by, created_at, password_hash, totp_sealed, totp_used_step from operators where name = $1`,
    [name],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return { ...account(r), passwordHash: r.password_hash, totpSealed: r.totp_sealed, totpUsedStep: r.totp_used_step === null ? null : Number(r.totp_used_step) };
}

/** Consumes a TOTP step: true only if no later or equal step was used, so each code logs in once. */
export async function takeOperatorStep(pool: pg.Pool, operatorId: number, step: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update operators set totp_used_step = $2 where id = $1 and (totp_used_step is null or totp_used_step < $2)`,
    [operatorId, step],
  );
  return rowCount === 1;
}

export async function insertOperatorSession(pool: pg.Pool, tokenHash: Buffer, operatorId: number, createdAtMs: number, expiresAtMs: number): Promise<void> {
  await pool.query(`insert into operator_sessions (token_hash, operator_id, created_at, expires_at) values ($1, $2, $3, $4)`, [
    tokenHash,
    operatorId,
    new Date(createdAtMs),
    new Date(expiresAtMs),
  ]);
}

/** The operator of a live session: not revoked, not expired, the operator active. */
export async function operatorOfSession(pool: pg.Pool, tokenHash: Buffer, nowMs: number): Promise<OperatorAccount | null> {
  const { rows } = await pool.query(
    `select o.id, o.name, o.role, o.status, o.created_by, o.created_at
       from operator_sessions s join operators o on o.id = s.operator_id
      where s.token_hash = $1 and s.revoked_at is null and s.expires_at > $2 and o.status = 'active'`,
    [tokenHash, new Date(nowMs)],
  );
  return rows.length ? account(rows[0]) : null;
}

export async function revokeOperatorSession(pool: pg.Pool, tokenHash: Buffer): Promise<boolean> {
  const { rowCount } = await pool.query(`update operator_sessions set revoked_at = now() where token_hash = $1 and revoked_at is null`, [tokenHash]);
  return rowCount === 1;
}

export async function listOperators(pool: pg.Pool): Promise<OperatorAccount[]> {
  const { rows } = await pool.query(`select id, name, role, status, created_by, created_at from operators order by id limit 1000`);
  return rows.map(account);
}

/**
 * Changes an operator's role or status; a change ends every session of theirs in the same
 * transaction, so the old role is not used once more. Null when there is no such operator;
 * 'last_admin' when it would leave no active admin. The active admins are locked first (in id
 * order) so two admins demoting each other at once cannot both succeed.
 */
export async function changeOperator(
  pool: pg.Pool,
  name: string,
  change: { role?: OperatorRole; status?: 'active' | 'disabled' },
): Promise<{ before: OperatorAccount; after: OperatorAccount; sessionsEnded: number } | 'last_admin' | null> {
  return withTransaction(pool, async (client) => {
    const { rows: admins } = await client.query(`select id from operators where role = 'admin' and status = 'active' order by id for update`);
    const { rows } = await client.query(`select id, name, role, status, created_by, created_at from operators where name = $1 for update`, [name]);
    if (!rows.length) return null;
    const before = account(rows[0]);
    const losesAdmin = before.role === 'admin' && before.status === 'active' && ((change.role !== undefined && change.role !== 'admin') || change.status === 'disabled');
    if (losesAdmin && admins.every((a) => Number(a.id) === before.id)) return 'last_admin';
    const updated = await client.query(
      `update operators set role = coalesce($2, role), status = coalesce($3, status), changed_at = now() where id = $1
       returning id, name, role, status, created_by, created_at`,
      [before.id, change.role ?? null, change.status ?? null],
    );
    const ended = await client.query(`update operator_sessions set revoked_at = now() where operator_id = $1 and revoked_at is null`, [before.id]);
    return { before, after: account(updated.rows[0]), sessionsEnded: ended.rowCount ?? 0 };
  });
}
