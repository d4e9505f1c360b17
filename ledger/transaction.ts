// ledger/transaction.ts — the one way the ledger runs a transaction on a connection.
//
// Begin (with its options in the same message: no extra round trip), run the work, commit;
// on any error roll back and rethrow the work's own error, never the rollback's. A
// connection whose rollback failed, or that failed as a connection (ledger/faults.ts), is
// destroyed on release rather than handed to the next caller in an unknown state: it may
// still be inside the failed transaction, or dead.
//
// The bet batch (ledger/bets.ts) is the one exception: it folds BEGIN into its lock
// statement and COMMIT into its last write to save two round trips per batch, so it uses
// only `rollbackAfter` and `releaseClient` from here.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { isDatabaseUnavailable } from './faults.ts';

export interface TransactionOptions {
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  readOnly?: boolean;
  /**
   * Bound on each statement of this transaction only (`set local`), for legitimate long
   * work (migrations, settling a big draw, the invariants check) that the pool's default
   * statement timeout would cut. 0 means none.
   */
  statementTimeoutMs?: number;
  /**
   * False turns PostgreSQL's JIT compilation off for this transaction only: settlement's
   * statements are costed high enough to be compiled, and compiling each one took about as
   * long as running it (EXPLAIN ANALYZE of a pay range of 100,000 tickets).
   */
  jit?: boolean;
}

/** BEGIN and its options as one simple-protocol message (no parameters: only checked integers are spliced). */
export function beginStatement(options: TransactionOptions = {}): string {
  let sql = 'begin';
  if (options.isolation) sql += ` isolation level ${options.isolation}`;
  if (options.readOnly) sql += ' read only';
  if (options.statementTimeoutMs !== undefined) {
    invariant(Number.isSafeInteger(options.statementTimeoutMs), 'statement timeout must be whole milliseconds');
    invariant(options.statementTimeoutMs >= 0, 'statement timeout must not be negative');
    sql += `; set local statement_timeout = ${options.statementTimeoutMs}`;
  }
  if (options.jit === false) sql += '; set local jit = off';
  return sql;
}

/** Runs `work` in a transaction on a new connection of `pool`, and releases it (see top). */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await inTransaction(client, work, options);
  } catch (err) {
    if (brokenConnection(client, err)) broken = err as Error;
    throw err;
  } finally {
    releaseClient(client, broken);
  }
}

/** Runs `work` in a transaction on a connection the caller holds (and will release). */
export async function inTransaction<C extends pg.ClientBase, T>(client: C, work: (client: C) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  await client.query(beginStatement(options));
  try {
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await rollbackAfter(client, err);
    throw err;
  }
}

/** Connections whose rollback failed: they may still be inside a transaction. */
const unclean = new WeakSet<object>();

/**
 * Rolls back after `err`, keeping `err` the one the caller sees: a rollback that fails too
 * (the connection is gone) only marks the connection for destruction.
 */
export async function rollbackAfter(client: pg.ClientBase, err: unknown): Promise<void> {
  if (isDatabaseUnavailable(err)) {
    unclean.add(client);
    return;
  }
  try {
    await client.query('rollback');
  } catch {
    unclean.add(client);
  }
}

/** Whether a client that failed with `err` must not go back to its pool. */
export function brokenConnection(client: pg.ClientBase, err: unknown): boolean {
  return unclean.has(client) || isDatabaseUnavailable(err);
}

/** Gives the client back to its pool, or destroys it when `broken` says it is unusable. */
export function releaseClient(client: pg.PoolClient, broken?: Error): void {
  unclean.delete(client);
  client.release(broken);
}
