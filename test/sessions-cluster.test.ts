// Logout reaches every process of a cluster. A player holds sockets on two real server
// processes (server.ts, sharing one PostgreSQL database and one Redis); logging out through
// one of them closes both within a second, and no bet sent after logout is ever bought,
// although one socket lives on a process that only hears of the logout through Redis.
//
// Needs DATABASE_URL and REDIS_URL: processes can share only a real PostgreSQL server, and
// hear of each other's logouts only through a real Redis. Uses a scratch database and Redis
// database 9 of REDIS_URL's server, emptied first (no other test uses 9).
import { Redis } from 'ioredis';
import t from 'tap';
import { Client, type Room } from '@colyseus/sdk';
import { openDatabase } from '../app/database.ts';
import { createLogger } from '../core/logger.ts';
import { seedCommitment } from '../draw/commit.ts';
import { LEAF_VERSION_CURRENT } from '../draw/encoding.ts';
import { SeedVault } from '../draw/vault.ts';
import { ensureDraw, openDueDraws } from '../ledger/draws.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { SalesCloseCode } from '../rooms/closeCodes.ts';
import { createScratchDatabase } from './support/database.ts';
import { redisDatabase, startServerProcess, type ServerProcess } from './support/cluster.ts';
import { http, newPlayer, testDrawKeys } from './support/harness.ts';
import { until } from './support/wait.ts';

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

t.test(
  'logout through one process closes the player’s sockets on every process within a second; no bet after it is bought',
  { skip: databaseUrl && redisUrl ? false : 'needs DATABASE_URL and REDIS_URL: two processes share a PostgreSQL server and hear of logouts through Redis', timeout: 120_000 },
  async (t) => {
    const redisDb = redisDatabase(redisUrl!, 9);
    const redis = new Redis(redisDb);
    await redis.flushdb();
    const scratch = await createScratchDatabase(databaseUrl!, 'lottery_sessions');
    const keys = testDrawKeys();
    const env = { ...keys, DATABASE_URL: scratch.url, REDIS_URL: redisDb, SALES_ROOM_CLIENTS_MAX: '1', BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' };
    const procs: ServerProcess[] = [];
    const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolMax: 2, logger: createLogger('silent') });
    t.teardown(async () => {
      for (const p of procs) if (p.alive) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      await db.close();
      await scratch.drop();
      await redis.flushdb();
      await redis.quit();
    });
    procs.push(await startServerProcess(env)); // first alone: it migrates
    procs.push(await startServerProcess(env));
    const [a, b] = procs;

    const nowMs = Date.now();
    const vault = new SeedVault(Buffer.from(keys.DRAW_SEED_KEY, 'hex'));
    const publicId = `cluster-${nowMs}`;
    await ensureDraw(db.pool, {
      publicId,
      gameId: 'lotto649',
      businessDate: new Date(nowMs).toISOString().slice(0, 10),
      openAtMs: nowMs - 60_000,
      cutoffAtMs: nowMs + 3_600_000 + 7,
      drawAtMs: nowMs + 7_200_000 + 7,
      seedCommitment: seedCommitment(publicId, 'operator', vault.newSeed()),
      seedSealed: vault.seal(publicId, vault.newSeed()),
      seedKeyId: vault.keyId,
      beacon: null,
      leafVersion: LEAF_VERSION_CURRENT,
    });
    await openDueDraws(db.pool);

    // One socket on each process: shards of one seat, each made on the process with the
    // fewest rooms as Colyseus last heard (each process publishes its count at most once a
    // second, hence the pauses).
    const { token } = await newPlayer(a.url, 1_000_000);
    const joined: Socket[] = [];
    for (let attempt = 0; attempt < 3 && new Set(joined.map((s) => s.port)).size < 2; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 1_500));
      const client = new Client(`ws://127.0.0.1:${a.port}`);
      client.auth.token = token;
      joined.push(socketOf(await client.joinOrCreate('sales', { drawId: publicId })));
    }
    const sockets = [joined.find((s) => s.port === a.port), joined.find((s) => s.port === b.port)].filter((s): s is Socket => s !== undefined);
    for (const extra of joined.filter((s) => !sockets.includes(s))) await extra.room.leave();
    t.same(new Set(sockets.map((s) => s.port)), new Set([a.port, b.port]), 'the player has a socket on each process');
    if (sockets.length < 2) return;
    for (const [i, s] of sockets.entries()) s.room.send('bet', { requestId: `before-${i}`, quickPick: 1 });
    t.ok(await until(() => sockets.every((s, i) => s.accepted.has(`before-${i}`)), 5_000), 'both sockets take bets');

    // A stream of bets on both sockets, every 5 ms, from before logout until each closes.
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
    const logout = await http(a.url, 'POST', '/api/auth/logout', undefined, token);
    const answeredMs = Date.now();
    t.equal(logout.status, 200, 'logout through process A');
    const allClosed = await until(() => sockets.every((s) => s.closed), 5_000, 5);
    clearInterval(streaming);
    t.ok(allClosed, 'both sockets closed');
    for (const s of sockets) {
      const where = s.port === a.port ? 'A (logged out there)' : 'B (heard through Redis)';
      if (!s.closed) continue;
      t.equal(s.closed.code, SalesCloseCode.SESSION_ENDED, `${where}: closed with SESSION_ENDED`);
      const ms = s.closed.atMs - askedMs;
      t.comment(`socket on ${where}: closed ${ms} ms after logout was asked, ${s.closed.atMs - answeredMs} ms after it answered (logout took ${answeredMs - askedMs} ms)`);
      t.ok(ms <= CLOSE_MS_MAX, `${where}: within ${CLOSE_MS_MAX} ms of logout (${ms} ms)`);
    }

    // Nothing sent after logout answered was bought; the ledger agrees with the replies.
    await new Promise((r) => setTimeout(r, 300));
    const { rows } = await db.pool.query(`select request_id from tickets where request_id like 'stream-%'`);
    const bought = new Set(rows.map((r) => r.request_id as string));
    const boughtAfter = [...bought].filter((id) => sentAtMs.get(id)! >= answeredMs);
    t.same(boughtAfter, [], 'no bet sent after logout answered was bought');
    const sentAfter = [...sentAtMs].filter(([, at]) => at >= answeredMs).map(([id]) => id);
    t.comment(`${sentAtMs.size} bets streamed, ${bought.size} bought, ${sentAfter.length} sent after logout answered`);
    const acked = new Set(sockets.flatMap((s) => [...s.accepted].filter((id) => id.startsWith('stream-'))));
    t.same([...bought].filter((id) => !acked.has(id)), [], 'every bet bought was acknowledged before its socket closed');
    const refusedCodes = new Set(sockets.flatMap((s) => [...s.refused.values()]));
    t.ok([...refusedCodes].every((c) => c === 'SESSION_ENDED'), `refusals are SESSION_ENDED only (${[...refusedCodes].join(', ') || 'none'})`);
    t.equal((await http(b.url, 'POST', '/matchmake/joinOrCreate/sales', { drawId: publicId }, token)).status, 401, 'the session cannot join again anywhere');
    t.same((await checkLedger(db.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
  },
);
