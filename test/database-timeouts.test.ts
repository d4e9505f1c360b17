// The pools' bounds (app/database.ts, core/limits.ts) and the one transaction helper
// (ledger/transaction.ts): a hung statement on the main pool is cut and its connection
// serves the next request; long legitimate work raises the bound for its own transaction
// only; a failed transaction surfaces its own error, and a broken connection is destroyed
// rather than handed to the next caller.
import t from 'tap';
import { openDatabase, type Database } from '../app/database.ts';
import { createLogger } from '../core/logger.ts';
import { DATABASE_IDLE_IN_TRANSACTION_MS_MAX, DATABASE_STATEMENT_MS_MAX, BET_STATEMENT_MS_MAX } from '../core/limits.ts';
import { withTransaction } from '../ledger/transaction.ts';

const databaseUrl = process.env.DATABASE_URL;
const logger = createLogger('silent');

t.test('withTransaction commits, and rolls back on error keeping the error its work threw', async (t) => {
  const db = await openDatabase({ databaseUrl, dataDir: '', inMemory: true, logger });
  t.teardown(() => db.close());
  const committed = await withTransaction(db.pool, async (c) => {
    await c.query('create table if not exists tx_probe_rows (n int)');
    await c.query('insert into tx_probe_rows values (1)');
    return 'done';
  });
  t.equal(committed, 'done');
  const failure = new Error('the work failed');
  await t.rejects(
    withTransaction(db.pool, async (c) => {
      await c.query('insert into tx_probe_rows values (2)');
      throw failure;
    }),
    failure,
    'the caller sees the work\'s error',
  );
  await t.rejects(withTransaction(db.pool, (c) => c.query('select 1/0')), { code: '22012' }, 'a statement error too, not a rollback error');
  const { rows } = await db.pool.query('select array_agg(n order by n) as ns from tx_probe_rows');
  t.same(rows[0].ns, [1], 'only the committed transaction left a row');
  await db.pool.query('drop table tx_probe_rows');
  t.equal((await db.pool.query('select 1 as one')).rows[0].one, 1, 'the connection is usable after the rollbacks');
});

if (!databaseUrl) {
  t.comment('skipping statement bounds: they apply to PostgreSQL only (needs DATABASE_URL)');
} else {
  let db: Database;
  t.before(async () => {
    db = await openDatabase({ databaseUrl, dataDir: '', statementMsMax: 300, logger });
  });
  t.teardown(() => db.close());

  t.test('both pools start every connection with their bounds', async (t) => {
    const plain = await openDatabase({ databaseUrl, dataDir: '', logger });
    t.teardown(() => plain.close());
    const show = async (pool: typeof plain.pool, name: string) => (await pool.query(`select current_setting($1) as v`, [name])).rows[0].v;
    t.equal(await show(plain.pool, 'statement_timeout'), `${DATABASE_STATEMENT_MS_MAX / 1000}s`);
    t.equal(await show(plain.pool, 'idle_in_transaction_session_timeout'), `${DATABASE_IDLE_IN_TRANSACTION_MS_MAX / 60_000}min`);
    t.equal(await show(plain.betPool, 'statement_timeout'), `${BET_STATEMENT_MS_MAX / 1000}s`);
  });

  t.test('a hung statement on the main pool is cut, and its connection serves the next query', async (t) => {
    await t.rejects(db.pool.query('select pg_sleep(30)'), { code: '57014' }, 'canceled by statement_timeout');
    t.equal((await db.pool.query('select 1 as one')).rows[0].one, 1);
  });

  t.test('long legitimate work raises the bound for its own transaction only', async (t) => {
    const slept = await withTransaction(db.pool, (c) => c.query('select pg_sleep(0.6), true as slept'), { statementTimeoutMs: 10_000 });
    t.equal(slept.rows[0].slept, true, 'a statement past the pool bound completes inside the long transaction');
    await t.rejects(
      withTransaction(db.pool, (c) => c.query('select pg_sleep(30)')),
      { code: '57014' },
      'a transaction without the option keeps the pool bound, and its error is the cancel',
    );
    await t.rejects(db.pool.query('select pg_sleep(30)'), { code: '57014' }, 'the raised bound ended with its transaction');
  });

  t.test('a transaction whose connection dies surfaces that error and the connection is destroyed', async (t) => {
    const before = db.pool.totalCount;
    let pid = 0;
    await t.rejects(
      withTransaction(db.pool, async (c) => {
        pid = (await c.query('select pg_backend_pid() as pid')).rows[0].pid;
        await c.query('select pg_terminate_backend(pg_backend_pid())');
      }),
      { code: '57P01' },
    );
    t.ok(pid > 0);
    t.ok(db.pool.totalCount <= before, 'the dead connection left the pool');
    const { rows } = await db.pool.query('select pg_backend_pid() as pid');
    t.not(rows[0].pid, pid, 'the next query runs on another connection');
  });
}
