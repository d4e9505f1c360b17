// BET_WRITE_MODE=ceiling, the benchmark's ceiling (bench/day.ts): the same rooms and writer
// answering bets without the database. It must never pass for a sale: the server refuses to
// start in it unless told in words that nothing is recorded, and with that, it records
// nothing: no ticket, no money moved, while the replies look as a sale's do.
import t from 'tap';
import { ConfigError, loadConfig } from '../app/config.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, testDrawKeys } from './support/harness.ts';

t.test('the ceiling does not start unless told that nothing is recorded', async (t) => {
  t.throws(() => loadConfig({ ...testDrawKeys(), BET_WRITE_MODE: 'ceiling' }), ConfigError);
  t.throws(() => loadConfig({ ...testDrawKeys(), BET_WRITE_MODE: 'ceiling', BENCHMARK_CEILING_NOTHING_IS_RECORDED: 'true' }), /must be "no" or "yes"/);
  t.equal(loadConfig({ ...testDrawKeys(), BET_WRITE_MODE: 'ceiling', BENCHMARK_CEILING_NOTHING_IS_RECORDED: 'yes' }).betWriteMode, 'ceiling');
  t.equal(loadConfig({ ...testDrawKeys() }).betWriteMode, 'batch', 'group commit by default');
});

t.test('in the ceiling bets are answered as sales are, and nothing reaches the ledger', async (t) => {
  const ts = await startTestServer({ env: { BET_WRITE_MODE: 'ceiling', BENCHMARK_CEILING_NOTHING_IS_RECORDED: 'yes' } });
  t.teardown(() => ts.close());
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 5_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => conn.bet({ requestId: `ceiling-${i}`, lines: [[1, 2, 3, 4, 5, 6 + i]] })));
  t.same(new Set(replies.map((r) => r.type)), new Set(['bet:accepted']), 'every bet answered accepted');
  t.equal(new Set(replies.map((r) => r.ticketId)).size, 20, 'each with its own ticket number');
  t.ok(replies.every((r) => r.receipt !== undefined), 'and a signed receipt, as a sale has');
  const { rows } = await ts.pool.query<{ n: number }>('select count(*)::int as n from tickets where draw_id = $1', [draw.id]);
  t.equal(rows[0].n, 0, 'no ticket was written');
  const me = await http(ts.httpUrl, 'GET', '/api/me', undefined, token);
  t.equal(me.body.balanceMinor, 5_000, 'no money moved');
  await conn.leave();
});
