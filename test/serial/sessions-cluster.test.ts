// The end of a session reaches every process of a cluster. A player holds sockets on two (then
// three) real server processes (server.ts, sharing one PostgreSQL database and one Redis);
// logging out (then excluding themselves) through one of them closes all within a second, and
// no bet sent after the answer is ever bought, although the other sockets live on processes
// that only hear of it through Redis.
//
// Needs DATABASE_URL and REDIS_URL: processes can share only a real PostgreSQL server, and
// hear of each other's logouts only through a real Redis. Uses a scratch database and Redis
// database 9 of REDIS_URL's server, emptied first (no other test uses 9).
import t, { type Test } from 'tap';
import { Client, type Room } from '@colyseus/sdk';
import { checkLedger, linePricesOf } from '../../ledger/invariants.ts';
import { allGames } from '../../games/index.ts';
import { SalesCloseCode } from '../../rooms/closeCodes.ts';
import { openClusterDraw, startCluster } from '../support/cluster.ts';
import { http, newPlayer } from '../support/harness.ts';
import { until } from '../support/wait.ts';
import { bootstrapAdmin, createOperator, TEST_BOOTSTRAP_TOKEN } from '../support/operators.ts';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
/** Logout to every socket closed, at most (the requirement). */
const CLOSE_MS_MAX = 1_000;

interface Socket {
  room: Room;
  port: number;
  closed?: { code: number; atMs: number };
  accepted: Set<string>;
  refused: Map<string, string>;
}

function socketOf(room: Room): Socket {
  const s: Socket = { room, port: Number(new URL((room as any).connection.url).port), accepted: new Set(), refused: new Map() };
  room.onLeave((code: number) => (s.closed = { code, atMs: Date.now() }));
  room.onMessage('bet:accepted', (m: any) => s.accepted.add(m.requestId));
  room.onMessage('bet:rejected', (m: any) => s.refused.set(m.requestId, m.code));
  return s;
}

const needs = databaseUrl && redisUrl ? false : 'needs DATABASE_URL and REDIS_URL: processes share a PostgreSQL server and hear of session ends through Redis';

t.test(
  'logout through one process closes the player’s sockets on every process within a second; no bet after it is bought',
  { skip: needs, timeout: 120_000 },
  (t) => endEverywhere(t, 2, 'logout', (url, token) => http(url, 'POST', '/api/auth/logout', undefined, token)),
);

t.test(
  'a self-exclusion through one of three processes closes the player’s sockets on all three within a second; no bet after it is bought',
  { skip: needs, timeout: 120_000 },
  (t) => endEverywhere(t, 3, 'self-exclusion', (url, token) => http(url, 'POST', '/api/me/exclusion', { kind: 'self_exclusion', months: 6 }, token)),
);

t.test(
  'an operator disabled or logged out through one process is refused by every other at its next request',
  { skip: needs, timeout: 120_000 },
  async (t) => {
    const { procs } = await startCluster(t, {
      databaseUrl: databaseUrl!,
      redisUrl: redisUrl!,
      redisIndex: 9,
      name: 'lottery_operator_sessions',
      processes: 2,
      env: { OPERATOR_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN },
    });
    const [a, b] = procs;
    const admin = await bootstrapAdmin(a.url);
    const support = await createOperator(a.url, admin, 'support', 'support');
    const me = (url: string, headers: Record<string, string>) => fetch(`${url}/api/operator/me`, { headers }).then((r) => r.status);
    t.equal(await me(b.url, support.headers), 200, 'a session made on one process works on the other');
    const disabled = await fetch(`${a.url}/api/operator/operators/support`, { method: 'POST', headers: admin.headers, body: JSON.stringify({ status: 'disabled' }) });
    t.equal(disabled.status, 200);
    const afterMs = Date.now();
    t.equal(await me(b.url, support.headers), 401, `refused on the other process at once (${Date.now() - afterMs} ms after the answer)`);
    t.equal((await fetch(`${b.url}/api/operator/logout`, { method: 'POST', headers: admin.headers })).status, 200);
    t.equal(await me(a.url, admin.headers), 401, 'a logout through one process ends the session on the other');
  },
);

/**
 * A player with a socket on each of `processCount` server processes, streaming bets, ends
 * their session through the first process (`end`); every socket must close SESSION_ENDED
 * within CLOSE_MS_MAX and nothing sent after the answer be bought.
 */
async function endEverywhere(t: Test, processCount: number, what: string, end: (url: string, token: string) => Promise<{ status: number }>) {
  const { db, procs, seedKeyHex } = await startCluster(t, {
    databaseUrl: databaseUrl!,
    redisUrl: redisUrl!,
    redisIndex: 9,
    name: 'lottery_sessions',
    processes: processCount,
    env: { SALES_ROOM_CLIENTS_MAX: '1', BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' },
  });
  const a = procs[0];
  const publicId = await openClusterDraw(db.pool, seedKeyHex, 'cluster');

  // One socket on each process: shards of one seat, each made on the process with the
  // fewest rooms as Colyseus last heard (each process publishes its count at most once a
  // second, hence the pauses). A socket on a process already covered is left at once.
  const { token } = await newPlayer(a.url, 1_000_000);
  const sockets: Socket[] = [];
  const ports = new Set(procs.map((p) => p.port));
  for (let attempt = 0; attempt < 4 * processCount && sockets.length < processCount; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 1_200));
    const client = new Client(`ws://127.0.0.1:${a.port}`);
    client.auth.token = token;
    const s = socketOf(await client.joinOrCreate('sales', { drawId: publicId }));
    if (sockets.some((k) => k.port === s.port)) await s.room.leave();
    else sockets.push(s);
  }
  t.same(new Set(sockets.map((s) => s.port)), ports, `the player has a socket on each of ${processCount} processes`);
  if (sockets.length < processCount) return;
  for (const [i, s] of sockets.entries()) s.room.send('bet', { requestId: `before-${i}`, quickPick: 1 });
  t.ok(await until(() => sockets.every((s, i) => s.accepted.has(`before-${i}`)), 5_000), 'every socket takes bets');

  // A stream of bets on every socket, every 5 ms, from before the end until each closes.
  let sequence = 0;
  const sentAtMs = new Map<string, number>();
  const streaming = setInterval(() => {
    for (const s of sockets) {
      if (s.closed) continue;
      const requestId = `stream-${s.port}-${sequence++}`;
      sentAtMs.set(requestId, Date.now());
      s.room.send('bet', { requestId, quickPick: 1 });
    }
  }, 5);
  await new Promise((r) => setTimeout(r, 200));
  const askedMs = Date.now();
  const ended = await end(a.url, token);
  const answeredMs = Date.now();
  t.equal(ended.status, 200, `${what} through the first process`);
  const allClosed = await until(() => sockets.every((s) => s.closed), 5_000, 5);
  clearInterval(streaming);
  t.ok(allClosed, 'every socket closed');
  for (const s of sockets) {
    const where = s.port === a.port ? `the first process (${what} there)` : `process :${s.port} (heard through Redis)`;
    if (!s.closed) continue;
    t.equal(s.closed.code, SalesCloseCode.SESSION_ENDED, `${where}: closed with SESSION_ENDED`);
    const ms = s.closed.atMs - askedMs;
    t.comment(`socket on ${where}: closed ${ms} ms after ${what} was asked, ${s.closed.atMs - answeredMs} ms after it answered (it took ${answeredMs - askedMs} ms)`);
    t.ok(ms <= CLOSE_MS_MAX, `${where}: within ${CLOSE_MS_MAX} ms of ${what} (${ms} ms)`);
  }

  // Nothing sent after the answer was bought; the ledger agrees with the replies.
  await new Promise((r) => setTimeout(r, 300));
  const { rows } = await db.pool.query(`select request_id from tickets where request_id like 'stream-%'`);
  const bought = new Set(rows.map((r) => r.request_id as string));
  const boughtAfter = [...bought].filter((id) => sentAtMs.get(id)! >= answeredMs);
  t.same(boughtAfter, [], `no bet sent after ${what} answered was bought`);
  const sentAfter = [...sentAtMs].filter(([, at]) => at >= answeredMs).map(([id]) => id);
  t.comment(`${sentAtMs.size} bets streamed, ${bought.size} bought, ${sentAfter.length} sent after ${what} answered`);
  const acked = new Set(sockets.flatMap((s) => [...s.accepted].filter((id) => id.startsWith('stream-'))));
  t.same([...bought].filter((id) => !acked.has(id)), [], 'every bet bought was acknowledged before its socket closed');
  const refusedCodes = new Set(sockets.flatMap((s) => [...s.refused.values()]));
  t.ok([...refusedCodes].every((c) => c === 'SESSION_ENDED' || c === 'EXCLUDED'), `refusals are SESSION_ENDED (or EXCLUDED, from the ledger) only (${[...refusedCodes].join(', ') || 'none'})`);
  t.equal((await http(procs[procs.length - 1].url, 'POST', '/matchmake/joinOrCreate/sales', { drawId: publicId }, token)).status, 401, 'the session cannot join again anywhere');
  t.same((await checkLedger(db.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
}
