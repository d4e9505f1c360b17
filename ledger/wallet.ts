// ledger/wallet.ts — deposits asked for: the intent, recorded idempotently with the player's
// limits, exclusion and identity checked under the wallet lock. The provider's answer comes
// later by webhook and moves the money (ledger/payments.ts applyPaymentEvent).
import type pg from 'pg';
import { nanoid } from 'nanoid';
import { withTransaction } from './transaction.ts';

/**
 * Records a deposit intent idempotently. Returns the existing row for a repeated key;
 * `conflict` when the key was used with a different amount; `limitReached` (and no intent)
 * when a new deposit would cross one of the player's deposit limits. The check and the
 * insert run with the player's wallet locked, so concurrent deposits (any process) are
 * counted one after another: pending deposits count, declined ones do not.
 */
export async function insertDepositIntent(
  pool: pg.Pool,
  playerId: number,
  idempotencyKey: string,
  amountMinor: number,
  provider: string,
  nowMs: number,
): Promise<{ id: number; publicId: string; existing: boolean; conflict: boolean; answer: Record<string, unknown> | null } | { refused: 'LIMIT_REACHED' | 'EXCLUDED' | 'KYC_REQUIRED'; message: string }> {
  return withTransaction(pool, async (client) => {
    await client.query(`select 1 from accounts where player_id = $1 and kind = 'player_wallet' for no key update`, [playerId]);
    const { rows: prior } = await client.query<{ id: number; public_id: string; amount_minor: number; answer: Record<string, unknown> | null }>(
      'select id, public_id, amount_minor, answer from deposits where player_id = $1 and idempotency_key = $2',
      [playerId, idempotencyKey],
    );
    if (prior.length === 1) {
      const row = prior[0];
      return { id: row.id, publicId: row.public_id, existing: true, conflict: Number(row.amount_minor) !== amountMinor, answer: row.answer };
    }
    const refusal = await depositRefusal(client, playerId, amountMinor, nowMs);
    if (refusal) return refusal;
    const publicId = `dep_${nanoid(16)}`;
    const inserted = await client.query<{ id: number }>(
      `insert into deposits (public_id, player_id, idempotency_key, amount_minor, provider, status)
       values ($1, $2, $3, $4, $5, 'pending') returning id`,
      [publicId, playerId, idempotencyKey, amountMinor, provider],
    );
    return { id: inserted.rows[0].id, publicId, existing: false, conflict: false, answer: null };
  });
}

/**
 * Why the player may not deposit `amountMinor` now, or undefined: excluded (a break or a
 * self-exclusion), their identity not verified (migration 014), or a deposit limit in force would be crossed. Windows: the last 24 hours,
 * the last 7 days, and the calendar month in the player's time zone, of deposits not
 * declined, by when they were asked for.
 */
async function depositRefusal(
  client: pg.ClientBase,
  playerId: number,
  amountMinor: number,
  nowMs: number,
): Promise<{ refused: 'LIMIT_REACHED' | 'EXCLUDED' | 'KYC_REQUIRED'; message: string } | undefined> {
  const at = new Date(nowMs);
  const { rows } = await client.query(
    `select p.excluded_until, p.kyc_status, limit_in_force($1, 'deposit', 'day', $2::timestamptz) as day_limit, limit_in_force($1, 'deposit', 'week', $2) as week_limit,
            limit_in_force($1, 'deposit', 'month', $2) as month_limit,
            coalesce(sum(d.amount_minor) filter (where d.created_at > $2::timestamptz - interval '24 hours'), 0)::int8 as day_sum,
            coalesce(sum(d.amount_minor) filter (where d.created_at > $2::timestamptz - interval '7 days'), 0)::int8 as week_sum,
            coalesce(sum(d.amount_minor) filter (where d.created_at >= (date_trunc('month', $2::timestamptz at time zone p.time_zone) at time zone p.time_zone)), 0)::int8 as month_sum
       from players p left join deposits d on d.player_id = p.id and d.status not in ('declined', 'failed') and d.created_at > $2::timestamptz - interval '32 days'
      where p.id = $1 group by p.id, p.time_zone, p.excluded_until, p.kyc_status`,
    [playerId, at],
  );
  const r = rows[0];
  if (r.excluded_until !== null && new Date(r.excluded_until).getTime() > nowMs) {
    return { refused: 'EXCLUDED', message: `you have excluded yourself from play until ${new Date(r.excluded_until).toISOString()}` };
  }
  if (r.kyc_status !== 'verified') return { refused: 'KYC_REQUIRED', message: 'your identity is not verified: POST /api/me/identity, then deposit once it is' };
  const names = { day: '24 hours', week: '7 days', month: 'calendar month' } as const;
  for (const period of ['day', 'week', 'month'] as const) {
    const limit = r[`${period}_limit`] === null ? null : Number(r[`${period}_limit`]);
    const sum = Number(r[`${period}_sum`]);
    if (limit !== null && sum + amountMinor > limit) {
      const message = `your deposit limit per ${names[period]} is ${limit}; ${Math.max(0, limit - sum)} of it is left and this deposit is ${amountMinor}`;
      return { refused: 'LIMIT_REACHED', message };
    }
  }
  return undefined;
}

/**
 * Completes a pending deposit exactly once: marks it completed and moves the money from
 * the provider's clearing account into the wallet in the same transaction. Completing
 * an already-completed deposit changes nothing. What a verified webhook does
 * (ledger/payments.ts); the benchmarks fund their players with it directly.
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
    // The wallet first, then the clearing account, as every money transaction locks them (ledger/payments.ts lockAccounts).
    const accounts = await client.query<{ id: number; kind: string }>(
      `select id, kind from accounts
        where (player_id = $1 and kind = 'player_wallet') or code = $2
        order by kind <> 'player_wallet', id for no key update`,
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
