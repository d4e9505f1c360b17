// The invariant checker is only worth something if it catches what it promises to catch:
// each test here breaks the ledger one way (inside a transaction that is rolled back) and
// expects that violation, and no other, to be reported.
import t from 'tap';
import type pg from 'pg';
import { checkLedger, inspectLedger } from '../ledger/invariants.ts';
import { newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer();
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  for (let i = 0; i < 3; i++) t.equal((await conn.bet({ requestId: `r${i}`, quickPick: 1 })).type, 'bet:accepted');
  await conn.leave();
});

t.teardown(async () => {
  await ts.close();
});

/** Runs the corruption and the check on one connection, then undoes both. */
async function violationsAfter(corrupt: (c: pg.PoolClient) => Promise<unknown>): Promise<string[]> {
  const client = await ts.pool.connect();
  try {
    await client.query('begin');
    await corrupt(client);
    return (await inspectLedger(client)).violations;
  } finally {
    await client.query('rollback');
    client.release();
  }
}

t.test('a clean ledger has no violations', async (t) => {
  t.same((await checkLedger(ts.pool)).violations, []);
});

t.test('a balance changed without a transfer is reported', async (t) => {
  const v = await violationsAfter((c) => c.query(`update accounts set balance_minor = balance_minor + 1 where kind = 'house'`));
  t.match(v.join('\n'), /balances sum to 1, not 0/);
  t.match(v.join('\n'), /\(house\) balance 1 but transfers say 0/);
});

t.test('a ticket without its stake transfer is reported', async (t) => {
  const v = await violationsAfter((c) =>
    c.query(`insert into tickets (draw_id, player_id, request_id, lines, line_count, cost_minor, quick_pick, received_at)
             select draw_id, player_id, 'forged', lines, line_count, cost_minor, quick_pick, received_at from tickets limit 1`),
  );
  t.match(v.join('\n'), /ticket T\d+ has 0 stake transfers/);
});

t.test('a stake transfer that does not match its ticket is reported', async (t) => {
  const v = await violationsAfter(async (c) => {
    const { rows } = await c.query(`select id from transfers where kind = 'stake' order by id limit 1`);
    await c.query(`update accounts set balance_minor = balance_minor + 1 where kind = 'house'`);
    await c.query(`update accounts set balance_minor = balance_minor - 1 where id = (select credit_account_id from transfers where id = $1)`, [rows[0].id]);
    await c.query(`update transfers set credit_account_id = (select id from accounts where kind = 'house') where id = $1`, [rows[0].id]);
  });
  t.match(v.join('\n'), /ticket T\d+ has 1 stake transfers \(matching: false\)/);
});

t.test('references without foreign keys are checked', async (t) => {
  const v = await violationsAfter(async (c) => {
    await c.query(`update tickets set draw_id = -1 where id = (select min(id) from tickets)`);
    await c.query(`update tickets set player_id = -1 where id = (select max(id) from tickets)`);
    await c.query(`insert into transfers (debit_account_id, credit_account_id, amount_minor, kind, ticket_id) values (-7, -8, 1, 'stake', -9)`);
  });
  const text = v.join('\n');
  t.match(text, /1 tickets name a draw that does not exist/);
  t.match(text, /1 tickets name a player that does not exist/);
  t.match(text, /1 stake transfers name a ticket that does not exist/);
  t.match(text, /1 transfers name an account that does not exist/);
});

t.test('a completed deposit without its transfer is reported', async (t) => {
  const v = await violationsAfter((c) =>
    c.query(`insert into deposits (public_id, player_id, idempotency_key, amount_minor, provider, status)
             select 'dep_forged', player_id, 'forged', 100, 'sandbox', 'completed' from deposits limit 1`),
  );
  t.match(v.join('\n'), /deposit dep_forged has 0 transfers for its status/);
});

t.test('accounts, transfers and tickets can never be deleted', async (t) => {
  for (const table of ['accounts', 'transfers', 'tickets']) {
    await t.rejects(violationsAfter((c) => c.query(`delete from ${table} where id = -1`)), /are never deleted/, `delete from ${table}`);
    await t.rejects(violationsAfter((c) => c.query(`truncate ${table} cascade`)), /are never deleted/, `truncate ${table}`);
  }
});
