// app/database.ts — one code path (`pg`) for a real PostgreSQL or the embedded PGlite.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from './logger.ts';

// bigint (int8) and numeric come back as strings by default; our amounts and ids fit
// in a double up to 2^53, which we assert where it matters, so parse int8 as number.
pg.types.setTypeParser(20, (value) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 out of safe range: ${value}`);
  return n;
});

export interface Database {
  pool: pg.Pool;
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
  logger: Logger;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openEmbedded(options);
}

function describeUrl(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`;
}

async function openPostgres(databaseUrl: string, options: DatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolMax ?? 10 });
  pool.on('error', (err) => options.logger.error({ err }, 'idle database client failed'));
  await pool.query('select 1');
  return { pool, kind: 'postgres', description: describeUrl(databaseUrl), close: () => pool.end() };
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
  const socketServer = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await socketServer.start();
  const [host, port] = socketServer.getServerConn().split(':');
  // PGlite is single-connection: a pool of one keeps every transaction whole.
  const pool = new pg.Pool({ host, port: Number(port), user: 'postgres', database: 'postgres', max: 1 });
  pool.on('error', (err) => options.logger.error({ err }, 'embedded database client failed'));
  await pool.query('select 1');
  return {
    pool,
    kind: 'pglite',
    description: options.inMemory ? 'embedded PGlite (in memory)' : `embedded PGlite at ${dataPath}`,
    async close() {
      await pool.end();
      await socketServer.stop();
      await db.close();
    },
  };
}
