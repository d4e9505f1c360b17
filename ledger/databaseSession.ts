// ledger/databaseSession.ts — statements about the database session itself rather than the ledger's
// rows: the database clock, draw-leadership advisory locks, and the keepalives that let the
// server free those locks when a host vanishes. The actors that need them (ClockHealth,
// Leadership) keep their SQL here with the rest.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';

/** The database's clock now (clock_timestamp(), not the transaction's start), in epoch ms. */
export async function databaseNowMs(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ now_ms: string | number }>(`select (extract(epoch from clock_timestamp()) * 1000)::float8 as now_ms`);
  return Number(rows[0].now_ms);
}

/**
 * Tries each (lockClass, id) session advisory lock without waiting; returns the ids taken.
 * Locks are re-entrant per session: callers never ask again for one they hold.
 */
export async function tryAdvisoryLocks(client: pg.ClientBase, lockClass: number, ids: number[]): Promise<number[]> {
  const { rows } = await client.query<{ id: number }>(`select id from unnest($2::int4[]) as id where pg_try_advisory_lock($1::int4, id)`, [lockClass, ids]);
  return rows.map((r) => Number(r.id));
}

export async function advisoryUnlock(client: pg.ClientBase, lockClass: number, id: number): Promise<void> {
  await client.query('select pg_advisory_unlock($1::int4, $2::int4)', [lockClass, id]);
}

/**
 * Server-side TCP keepalives for this session: if the client's host vanishes without
 * closing its socket, the server notices within idle + interval * count seconds and ends
 * the session (freeing its advisory locks), rather than after the kernel's two hours.
 */
export async function setSessionKeepalives(client: pg.ClientBase, idleS: number, intervalS: number, count: number): Promise<void> {
  for (const v of [idleS, intervalS, count]) {
    invariant(Number.isSafeInteger(v), `keepalive setting not an integer: ${v}`);
    invariant(v > 0, `keepalive setting not positive: ${v}`);
  }
  // SET takes no parameters; only the integers checked above are spliced in.
  await client.query(`set tcp_keepalives_idle = ${idleS}; set tcp_keepalives_interval = ${intervalS}; set tcp_keepalives_count = ${count}`);
}
