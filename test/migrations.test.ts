// Migrations apply once, in order, even when several processes start together.
import crypto from 'node:crypto';
import t from 'tap';
import pg from 'pg';
import { migrate, readMigrations } from '../ledger/migrate.ts';
import { startTestServer } from './support/harness.ts';

const base = process.env.DATABASE_URL;
const needsPostgres = base ? false : 'needs PostgreSQL (DATABASE_URL): the embedded database has one connection, so nothing runs concurrently';

t.test('concurrent migrators on one database apply each migration exactly once', { skip: needsPostgres }, async (t) => {
  const name = `lottery_migrate_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base! });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(base!);
  url.pathname = `/${name}`;
  const pools = Array.from({ length: 4 }, () => {
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    // Dropping the database at the end terminates any connection still open: expected here.
    pool.on('error', () => {});
    return pool;
  });
  try {
    const applied = await Promise.all(pools.map((p) => migrate(p)));
    const all = applied.flat();
    t.same(all.sort(), readMigrations().map((m) => m.version).sort(), 'each migration applied by exactly one process');
    const { rows } = await pools[0].query('select version from schema_migrations order by version');
    t.same(rows.map((r) => r.version), readMigrations().map((m) => m.version));
    t.same(await migrate(pools[0]), [], 'a later start applies nothing');
  } finally {
    await Promise.all(pools.map((p) => p.end()));
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
});

t.test('a migration edited after it was applied stops the start-up', async (t) => {
  const ts = await startTestServer();
  try {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
    await t.rejects(migrate(ts.pool, edited), /was changed after it was applied/);
  } finally {
    await ts.close();
  }
});
