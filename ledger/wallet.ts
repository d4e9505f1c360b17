// ledger/wallet.ts — deposits: a transfer from the provider's clearing account to the wallet.
import type pg from 'pg';
import { nanoid } from 'nanoid';
import { withTransaction } from './transaction.ts';

export interface DepositRecord {
  depositId: string;
  amountMinor: number;
  status: 'pending' | 'completed' | 'declined';
  providerRef: string | null;
  declineReason: string | null;
  balanceMinor: number;
  /** False when this call found an earlier deposit with the same idempotency key. */
  created: boolean;
}

/**
 * Records a deposit intent idempotently. Returns the existing row for a repeated key;
 * `conflict` when the key was used with a different amount.
 */
export async function insertDepositIntent(
  pool: pg.Pool,
  playerId: number,
  idempotencyKey: string,
  amountMinor: number,
  provider: string,
): Promise<{ id: number; publicId: string; existing: boolean; conflict: boolean }> {
  const publicId = `dep_${nanoid(16)}`;
  const inserted = await pool.query<{ id: number }>(
    `insert into deposits (public_id, player_id, idempotency_key, amount_minor, provider, status)
     values ($1, $2, $3, $4, $5, 'pending')
     on conflict (player_id, idempotency_key) do nothing returning id`,
    [publicId, playerId, idempotencyKey, amountMinor, provider],
  );
  if (inserted.rows.length === 1) return { id: inserted.rows[0].id, publicId, existing: false, conflict: false };
  const { rows } = await pool.query<{ id: number; public_id: string; amount_minor: number }>(
    'select id, public_id, amount_minor from deposits where player_id = $1 and idempotency_key = $2',
    [playerId, idempotencyKey],
  );
  const row = rows[0];
  return { id: row.id, publicId: row.public_id, existing: true, conflict: row.amount_minor !== amountMinor };
}

/**
 * Completes a pending deposit exactly once: marks it completed and moves the money from
 * the provider's clearing account into the wallet in the same transaction. Completing
 * an already-completed deposit changes nothing.
 */
export async function completeDeposit(pool: pg.Pool, depositId: number, providerRef: string): Promise<void> {
  await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ player_id: number; amount_minor: number; provider: string }>(
      `update deposits set status = 'completed', provider_ref = $2, completed_at = now()
        where id = $1 and status = 'pending' returning player_id, amount_minor, provider`,
      [depositId, providerRef],
    );
    if (rows.length === 0) return;
    const d = rows[0];
    // Lock both accounts in id order, as every money transaction does, so none can deadlock.
    const accounts = await client.query<{ id: number; kind: string }>(
      `select id, kind from accounts
        where (player_id = $1 and kind = 'player_wallet') or code = $2
        order by id for no key update`,
      [d.player_id, `provider_clearing:${d.provider}`],
    );
    const wallet = accounts.rows.find((a) => a.kind === 'player_wallet');
    const clearing = accounts.rows.find((a) => a.kind === 'provider_clearing');
    if (!wallet || !clearing) throw new Error(`deposit ${depositId}: wallet or clearing account missing`);
    await client.query(
      `with t as (
         insert into transfers (debit_account_id, credit_account_id, amount_minor, kind, deposit_id)
         values ($1, $2, $3, 'deposit', $4)
       )
       update accounts set balance_minor = balance_minor + case when id = $2 then $3::bigint else -$3::bigint end
        where id in ($1, $2)`,
      [clearing.id, wallet.id, d.amount_minor, depositId],
    );
  });
}

export async function declineDeposit(pool: pg.Pool, depositId: number, reason: string): Promise<void> {
  await pool.query(`update deposits set status = 'declined', decline_reason = $2 where id = $1 and status = 'pending'`, [depositId, reason]);
}

export async function depositRecord(pool: pg.Pool, depositId: number, created: boolean): Promise<DepositRecord> {
  const { rows } = await pool.query(
    `select d.public_id, d.amount_minor, d.status, d.provider_ref, d.decline_reason, a.balance_minor
       from deposits d join accounts a on a.player_id = d.player_id and a.kind = 'player_wallet'
      where d.id = $1`,
    [depositId],
  );
  const r = rows[0];
  return {
    depositId: r.public_id,
    amountMinor: r.amount_minor,
    status: r.status,
    providerRef: r.provider_ref,
    declineReason: r.decline_reason,
    balanceMinor: r.balance_minor,
    created,
  };
}
