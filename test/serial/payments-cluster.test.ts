// One balance is spent once across a cluster (issue 14): a player streams bets over a socket
// on one server process while withdrawals of the same balance are asked for over HTTP from
// another; both take the wallet's lock in the ledger, so together they never spend more than
// the balance, each is answered, and the wallet holds exactly the rest.
//
// Needs DATABASE_URL and REDIS_URL: processes can share only a real PostgreSQL server, and
// find each other's rooms only through a real Redis. Uses a scratch database and Redis
// database 11 of REDIS_URL's server, emptied first (no other test uses 11).
import t from 'tap';
import { Client } from '@colyseus/sdk';
import { allGames } from '../../games/index.ts';
import { checkLedger, linePricesOf } from '../../ledger/invariants.ts';
import { openClusterDraw, startCluster } from '../support/cluster.ts';
import { http, newPlayer } from '../support/harness.ts';
import { until } from '../support/wait.ts';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const needs = databaseUrl && redisUrl ? false : 'needs DATABASE_URL and REDIS_URL: processes share a PostgreSQL server and find each other through Redis';
const BALANCE = 20_000;
const STAKE = 200;
const WITHDRAWAL = 1_500;

t.test('bets on one process and withdrawals through another never spend more than the balance', { skip: needs, timeout: 120_000 }, async (t) => {
  const { db, procs, seedKeyHex } = await startCluster(t, {
    databaseUrl: databaseUrl!,
    redisUrl: redisUrl!,
    redisIndex: 11,
    name: 'lottery_payments',
    processes: 2,
    env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000', WITHDRAWAL_REVIEW_ABOVE_MINOR: '1000000' },
  });
  const [a, b] = procs;
  const drawId = await openClusterDraw(db.pool, seedKeyHex, 'payments');
  const { token } = await newPlayer(a.url, BALANCE);

  // The room lives on a process of Colyseus' choosing; the withdrawals go through the other.
  const client = new Client(`ws://127.0.0.1:${b.port}`);
  client.auth.token = token;
  const room = await client.joinOrCreate('sales', { drawId });
  const roomPort = Number(new URL((room as any).connection.url).port);
  const other = procs.find((p) => p.port !== roomPort)!;
  t.ok(other, 'bets on one process, withdrawals through the other');
  const replies = new Map<string, string>();
  room.onMessage('bet:accepted', (m: any) => replies.set(m.requestId, 'accepted'));
  room.onMessage('bet:rejected', (m: any) => replies.set(m.requestId, m.code));
  // Both at once, paced over the same half second: a bet every 5 ms on the room's process, a
  // withdrawal every 40 ms through the other.
  const bets = BALANCE / STAKE;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const betting = (async () => {
    for (let i = 0; i < bets; i++, await pause(5)) room.send('bet', { requestId: `spend-${i}`, quickPick: 1 });
  })();
  const withdrawals = await Promise.all(
    Array.from({ length: BALANCE / WITHDRAWAL }, async (_, i) => {
      await pause(40 * i);
      return http(other.url, 'POST', '/api/wallet/withdrawals', { amount: WITHDRAWAL, idempotencyKey: `spend-${i}` }, token);
    }),
  );
  await betting;
  t.ok(await until(() => replies.size === bets, 20_000, 20), `every bet answered (${replies.size} of ${bets})`);
  await room.leave();

  const staked = [...replies.values()].filter((r) => r === 'accepted').length * STAKE;
  const withdrawn = withdrawals.filter((w) => w.status === 202).length * WITHDRAWAL;
  t.ok([...replies.values()].every((r) => r === 'accepted' || r === 'INSUFFICIENT_FUNDS'), 'each bet bought or refused for funds');
  t.ok(withdrawals.every((w) => w.status === 202 || w.body.code === 'INSUFFICIENT_FUNDS'), 'each withdrawal held or refused for funds');
  t.comment(`${staked / STAKE} bets bought, ${withdrawn / WITHDRAWAL} withdrawals held, of ${BALANCE}`);
  t.ok(staked > 0 && withdrawn > 0, 'both sides spent some of it');
  t.ok(staked + withdrawn <= BALANCE, `spent ${staked + withdrawn} of ${BALANCE}`);
  t.ok(BALANCE - staked - withdrawn < STAKE, 'what is left could not pay one more bet');
  const me = await http(b.url, 'GET', '/api/me', undefined, token);
  t.equal(me.body.balanceMinor, BALANCE - staked - withdrawn, 'the wallet holds exactly the rest');
  await until(async () => (await db.pool.query(`select count(*)::int as n from withdrawals where status <> 'paid'`)).rows[0].n === 0, 10_000, 50);
  t.same((await checkLedger(db.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
