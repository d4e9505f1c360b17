// ledger/rateLimits.ts — housekeeping of the rate-limit counters (migration 006). The
// counting itself is rate-limiter-flexible's Postgres store (app/rateLimits.ts).
import type pg from 'pg';

export const RATE_LIMITS_TABLE = 'rate_limits';

/** Deletes counters whose window ended before `beforeMs`; returns how many. */
export async function deleteExpiredRateLimits(pool: pg.Pool, beforeMs: number): Promise<number> {
  const { rowCount } = await pool.query('delete from rate_limits where expire < $1', [beforeMs]);
  return rowCount ?? 0;
}
