// test/support/draws.ts — a draw's life on a test server, in real time: sell through the
// real SDK, wait out the cutoff and its grace, close (fence layer 3), seal and draw with
// the server's own DrawRunner, as the scheduler would.
import { CUTOFF_GRACE_MS } from '../../core/limits.ts';
import { closeDueDraws, drawById, type DrawRow } from '../../ledger/draws.ts';
import crypto from 'node:crypto';
import type pg from 'pg';
import { DrawRunner } from '../../actors/DrawRunner.ts';
import { systemClock } from '../../core/clock.ts';
import { createLogger } from '../../core/logger.ts';
import { SeedVault } from '../../draw/vault.ts';
import { PlayerConnection, type TestServer } from './harness.ts';

/** What one player buys: each entry is a bet message without its request id. */
export type BetPlan = ({ lines: number[][] } | { quickPick: number })[];

/** Sells each player's bets over their own connection; every bet must be accepted. */
export async function sell(ts: TestServer, drawPublicId: string, plans: { token: string; bets: BetPlan }[]): Promise<void> {
  await Promise.all(
    plans.map(async ({ token, bets }, p) => {
      const conn = await PlayerConnection.join(ts.wsUrl, token, drawPublicId);
      try {
        const replies = await Promise.all(bets.map((bet, i) => conn.bet({ requestId: `${drawPublicId}-${p}-${i}`, ...bet })));
        const rejected = replies.filter((r) => r.type !== 'bet:accepted');
        if (rejected.length > 0) throw new Error(`${rejected.length} bets rejected: ${JSON.stringify(rejected[0])}`);
      } finally {
        await conn.leave();
      }
    }),
  );
}

/** Waits until every draw's cutoff plus grace has passed, closes them all and seals each one. */
export async function closeAndSeal(ts: TestServer, draws: DrawRow[]): Promise<void> {
  const closeAtMs = Math.max(...draws.map((d) => d.cutoffAtMs)) + CUTOFF_GRACE_MS + 50;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, closeAtMs - Date.now())));
  await closeDueDraws(ts.pool, CUTOFF_GRACE_MS);
  for (const d of draws) {
    if (!(await ts.server.draws.runner.seal(d.id))) throw new Error(`draw ${d.publicId} was not sealed`);
  }
}

/** Draws a sealed draw with the server's runner; returns it as recorded (status 'drawn', numbers set). */
export async function drawSealed(ts: TestServer, draw: DrawRow): Promise<DrawRow> {
  const outcome = await ts.server.draws.runner.draw(draw.id);
  if (outcome !== 'drawn') throw new Error(`draw ${draw.publicId}: ${outcome}`);
  return (await drawById(ts.pool, draw.id))!;
}

/** How a wrapped checkout runs one query: `run` is the client's own query. */
type Intercept = (run: (sql: any, params?: any) => Promise<any>, sql: any, params: any, client: pg.PoolClient) => Promise<any>;

/**
 * A pool whose every checkout runs its queries through `perCheckout()` (called once per
 * connect, so each checkout may keep its own count; it may throw to refuse the connect). The
 * client's own query and release come back on release: the pool hands it out again later.
 */
function interceptingPool(pool: pg.Pool, perCheckout: () => Intercept): pg.Pool {
  return {
    connect: async () => {
      const intercept = perCheckout();
      const client = await pool.connect();
      const query: (...args: unknown[]) => Promise<unknown> = client.query;
      const release = client.release;
      const run = (sql: any, params?: any) => query.call(client, sql, params) as Promise<any>;
      (client as any).query = (sql: any, params?: any) => intercept(run, sql, params, client);
      (client as any).release = (err?: Error) => {
        (client as any).query = query;
        (client as any).release = release;
        return release.call(client, err);
      };
      return client;
    },
  } as unknown as pg.Pool;
}

/**
 * A pool whose clients fail the first COMMIT after `marks` has seen a statement it is
 * looking for, as if the process died there: nothing of that transaction survives.
 */
export function poolCrashingAtCommit(pool: pg.Pool, marks: (sql: unknown, params: any) => boolean): pg.Pool {
  return interceptingPool(pool, () => {
    let marked = false;
    return (run, sql, params) => {
      if (marks(sql, params)) marked = true;
      if (sql === 'commit' && marked) return Promise.reject(new Error('simulated crash before commit'));
      return run(sql, params);
    };
  });
}

/**
 * A pool whose clients die at the `k`-th statement of a checkout (BEGIN is the first), as if
 * the process or the database went down there: on PostgreSQL the backend is really
 * terminated mid-transaction (pg_terminate_backend of its own pid, so the server rolls it
 * back); on the embedded database, whose one session cannot be killed, the statement fails
 * instead. A checkout with fewer statements fails at its COMMIT. `reached()` says whether
 * the k-th statement came before the COMMIT.
 */
export function poolDyingAtStatement(pool: pg.Pool, k: number, kill: boolean): { pool: pg.Pool; reached: () => boolean } {
  let reached = false;
  const dying = interceptingPool(pool, () => {
    let n = 0;
    return async (run, sql, params) => {
      n++;
      const atCommit = sql === 'commit';
      if (n < k && !atCommit) return run(sql, params);
      if (n === k && !atCommit) reached = true;
      if (kill) await run('select pg_terminate_backend(pg_backend_pid())');
      throw new Error(`simulated crash at statement ${n}`);
    };
  });
  return { pool: dying, reached: () => reached };
}

/**
 * A pool standing for a process that dies at a chosen statement: the first statement for
 * which `dies` is true is not run as such. On PostgreSQL (`terminate` given) the backend of
 * that connection is terminated first, from another connection, as the socket of a killed
 * process dies, and the statement then fails on the dead connection; on the embedded
 * database the statement fails. Either way the open transaction is lost, and every later
 * connect() fails: the process is gone. `died()` tells whether it has happened.
 */
export function poolDyingAt(
  pool: pg.Pool,
  dies: (sql: string) => boolean,
  terminate: ((backendPid: number) => Promise<unknown>) | null,
): pg.Pool & { died(): boolean } {
  let dead = false;
  const dying = interceptingPool(pool, () => {
    if (dead) throw new Error('simulated process death: the process is gone');
    return async (run, sql, params, client) => {
      if (!dead && typeof sql === 'string' && dies(sql)) {
        dead = true;
        if (!terminate) throw new Error('simulated process death');
        await terminate((client as any).processID);
      }
      return run(sql, params);
    };
  });
  return Object.assign(dying, { died: () => dead });
}

/** A predicate true on the n-th statement (1-based) that contains `text`. */
export function nthStatement(n: number, text: string): (sql: string) => boolean {
  let seen = 0;
  return (sql) => sql.includes(text) && ++seen === n;
}

/**
 * A DrawRunner like the test server's on `pool` (a wrapped one, say), with fresh keys of its
 * own: enough to settle, which needs no seed. `settleTicketsPerRange` as DrawRunnerOptions.
 */
export function settlingRunner(ts: TestServer, pool: pg.Pool, settleTicketsPerRange?: number): DrawRunner {
  return new DrawRunner({
    pool,
    clock: systemClock,
    logger: createLogger('silent'),
    vault: new SeedVault(crypto.randomBytes(32)),
    signingKey: crypto.randomBytes(32),
    publicKey: ts.server.draws.publicKey,
    beacon: null,
    revealWaitMs: 0,
    settleTicketsPerRange,
  });
}
