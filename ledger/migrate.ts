// ledger/migrate.ts — apply ledger/migrations/*.sql in order, once, under an advisory lock
// so that several processes starting together neither race nor apply a file twice.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { LEDGER_LONG_STATEMENT_MS_MAX } from '../core/limits.ts';
import { inTransaction } from './transaction.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Any constant works; it only has to be the same in every process of the cluster.
const MIGRATION_LOCK_KEY = 7_461_002_001;

export interface Migration {
  version: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return { version: file.replace(/\.sql$/, ''), sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

/** Returns the versions applied by this call (empty when the schema was current). */
export async function migrate(pool: pg.Pool, migrations: Migration[] = readMigrations()): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    // For this session only (reset below): waiting for another process's migrations and
    // rewriting a big table both legitimately outlast the pool's statement bound.
    await client.query(`set statement_timeout = ${LEDGER_LONG_STATEMENT_MS_MAX}`);
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`create table if not exists schema_migrations (
      version text primary key, checksum text not null, applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ version: string; checksum: string }>('select version, checksum from schema_migrations');
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    for (const m of migrations) {
      const checksum = done.get(m.version);
      if (checksum !== undefined) {
        // An edited migration that already ran would leave databases that disagree.
        if (checksum !== m.checksum) throw new Error(`migration ${m.version} was changed after it was applied`);
        continue;
      }
      try {
        await inTransaction(client, async (c) => {
          await c.query(m.sql);
          await c.query('insert into schema_migrations (version, checksum) values ($1, $2)', [m.version, m.checksum]);
        });
      } catch (err) {
        throw new Error(`migration ${m.version} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.query('reset statement_timeout').catch(() => {});
    client.release();
  }
  return applied;
}
