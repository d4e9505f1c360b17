// app/database.ts — one code path (`pg`) for a real PostgreSQL or the embedded PGlite.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { BET_CONNECT_MS_MAX, BET_QUERY_MS_MAX, BET_STATEMENT_MS_MAX, CONNECTION_ERROR_LOG_EVERY_MS, DATABASE_CONNECT_MS_MAX, DATABASE_IDLE_CONNECTION_MS_MAX, DATABASE_IDLE_IN_TRANSACTION_MS_MAX, DATABASE_STATEMENT_MS_MAX } from '../core/limits.ts';
import { faultSummary, ThrottledLog, type Logger } from '../core/logger.ts';

// bigint (int8) and numeric come back as strings by default; our amounts and ids fit
// in a double up to 2^53, which we assert where it matters, so parse int8 as number.
pg.types.setTypeParser(20, (value) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 out of safe range: ${value}`);
  return n;
});

export interface Database {
  pool: pg.Pool;
  /**
   * The bet writer's own connections. On PostgreSQL a pool of their own, so that the surge's
   * writes never queue behind HTTP or draw work for a connection, and with a bound on every
   * statement: a connection that hangs (a network partition drops packets without closing
   * anything) is abandoned after BET_QUERY_MS_MAX and its batch written again on another,
   * instead of holding a writer slot until TCP gives up, minutes later. On PGlite the one
   * connection there is (the same pool as `pool`).
   */
  betPool: pg.Pool;
  /** 'postgres' for a real server, 'pglite' for the embedded one. */
  kind: 'postgres' | 'pglite';
  /** Where it lives, for the start-up log (never includes a password). */
  description: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Embedded only: keep the database in memory (tests). */
  inMemory?: boolean;
  poolMax?: number;
  /** Connections of the bet writer's pool (PostgreSQL only). */
  betPoolMax?: number;
  /** The main pool's statement bound (PostgreSQL only); DATABASE_STATEMENT_MS_MAX unless a test needs it short. */
  statementMsMax?: number;
  logger: Logger;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openEmbedded(options);
}

function describeUrl(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/**
 * Every client of the pool gets an error listener of its own for as long as it lives.
 * node-postgres emits 'error' on a client whose socket dies; the pool listens only while
 * the client is idle, so a client checked out for a transaction (the bet writer's, a draw
 * step's) would throw that event out of the process. With this listener the failure
 * reaches only the queries of that client, which reject, and their callers release the
 * client with the error so the pool drops it.
 */
function guardClients(pool: pg.Pool, logger: Logger, onConnect?: (client: pg.PoolClient) => void): void {
  const log = new ThrottledLog(logger, CONNECTION_ERROR_LOG_EVERY_MS);
  const logFailure = (err: Error) => log.warn('database connection lost', { err: faultSummary(err) });
  pool.on('connect', (client) => {
    client.on('error', logFailure);
    onConnect?.(client);
  });
  // Idle clients: the pool removes them itself; this only keeps the event from being unhandled.
  pool.on('error', logFailure);
}

async function openPostgres(databaseUrl: string, options: DatabaseOptions): Promise<Database> {
  // Every bound is sent with the connection's start-up message: no extra round trip. Long
  // ledger work raises the statement bound for its own transaction (ledger/transaction.ts).
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: DATABASE_CONNECT_MS_MAX,
    idleTimeoutMillis: DATABASE_IDLE_CONNECTION_MS_MAX,
    statement_timeout: options.statementMsMax ?? DATABASE_STATEMENT_MS_MAX,
    idle_in_transaction_session_timeout: DATABASE_IDLE_IN_TRANSACTION_MS_MAX,
    // A host that vanished without closing its sockets is noticed by the kernel, not never.
    keepAlive: true,
  });
  guardClients(pool, options.logger);
  const betPool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.betPoolMax ?? 3,
    connectionTimeoutMillis: BET_CONNECT_MS_MAX,
    idleTimeoutMillis: DATABASE_IDLE_CONNECTION_MS_MAX,
    query_timeout: BET_QUERY_MS_MAX,
    // The client giving up (query_timeout) does not stop the server, which would go on
    // holding the batch's wallet locks until it noticed the closed socket; the server's bound
    // comes a second later, so that the client always gives up first (BET_STATEMENT_MS_MAX).
    statement_timeout: BET_STATEMENT_MS_MAX,
    idle_in_transaction_session_timeout: DATABASE_IDLE_IN_TRANSACTION_MS_MAX,
    keepAlive: true,
    application_name: 'lottery-bet-writer',
  });
  guardClients(betPool, options.logger);
  await pool.query('select 1');
  return {
    pool,
    betPool,
    kind: 'postgres',
    description: describeUrl(databaseUrl),
    close: async () => {
      await betPool.end();
      await pool.end();
    },
  };
}

async function openEmbedded(options: DatabaseOptions): Promise<Database> {
  // Loaded lazily: a deployment on a real PostgreSQL never pays for the WASM build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  let dataPath = 'memory://';
  if (!options.inMemory) {
    dataPath = path.join(options.dataDir, 'pglite');
    fs.mkdirSync(dataPath, { recursive: true });
  }
  const db = await PGlite.create(dataPath);
  // Loopback only, on a port the OS picks: the embedded database is private to this process.
  // More than one connection slot although the pool uses one: the socket server forgets a
  // closed connection a tick later, and a pool replacing a broken client at once must not
  // be turned away meanwhile. PGlite runs one statement at a time whatever the count.
  const socketServer = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await socketServer.start();
  const [host, port] = socketServer.getServerConn().split(':');
  // PGlite is single-connection: a pool of one keeps every transaction whole.
  // No statement or idle-in-transaction bound: the embedded database runs one statement at
  // a time inside this very process (no timer can interrupt the WASM engine mid-statement,
  // and no other process can be waiting on its locks).
  const pool = new pg.Pool({
    host,
    port: Number(port),
    user: 'postgres',
    database: 'postgres',
    max: 1,
    connectionTimeoutMillis: DATABASE_CONNECT_MS_MAX,
    idleTimeoutMillis: DATABASE_IDLE_CONNECTION_MS_MAX,
  });
  // PGlite has one session, which outlives the socket: a new connection inherits the old
  // one's prepared statements, and the bet writer's named statement would then "already
  // exist" on every batch. The pool drops a connection after any failed query, so a new
  // connection starts by forgetting them (queued before anything the pool hands it out for).
  guardClients(pool, options.logger, (client) => {
    client.query('deallocate all').catch(() => {});
  });
  await pool.query('select 1');
  return {
    pool,
    betPool: pool,
    kind: 'pglite',
    description: options.inMemory ? 'embedded PGlite (in memory)' : `embedded PGlite at ${dataPath}`,
    async close() {
      await pool.end();
      await socketServer.stop();
      await db.close();
    },
  };
}
