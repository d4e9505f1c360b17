// A demo day on a cluster of three real server processes (server.ts, as `npm start` runs
// it) sharing PostgreSQL and Redis on loopback. Players join through any process and are
// spread over all three; one draw's live totals agree everywhere; one process leads the
// draw. At the busiest moment, just before cutoff, the leader is killed with SIGKILL:
// its players reconnect and keep betting on the survivors, and the draw still closes,
// seals, draws and settles on time, with a proof the verifier accepts and a ledger that
// holds every acknowledged bet exactly once. Then SIGTERM stops the rest cleanly, leaving
// nothing of theirs in Redis.
//
// Needs DATABASE_URL and REDIS_URL: several processes can only share a real PostgreSQL
// server (the embedded one is private to its process) and meet through a real Redis. It
// uses Redis database 8 of REDIS_URL's server, which no other test touches, and empties it.
import t from 'tap';
import { openDatabase } from '../../app/database.ts';
import { createLogger } from '../../core/logger.ts';
import { Redis } from 'ioredis';
import { verifyDrawProof, allPassed } from '../../draw/verify.ts';
import { DRAW_LEADER_LOCK_CLASS } from '../../actors/Leadership.ts';
import { checkLedger, linePricesOf } from '../../ledger/invariants.ts';
import { allGames } from '../../games/index.ts';
import { createScratchDatabase } from '../support/database.ts';
import {
  redisDatabase,
  ResilientPlayer,
  startServerProcess,
  stopServerProcess,
  type ServerProcess,
} from '../support/cluster.ts';
import { http, newPlayer, testDrawKeys } from '../support/harness.ts';
import { until } from '../support/wait.ts';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const PLAYERS = 24;
const IN_FLIGHT = 4;
// Sales 23 s, cutoff to draw 7 s: the shortest demo cycle, to keep the test short.
const PERIOD_SECONDS = 30;


const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

t.test(
  'a demo day on three processes survives SIGKILL of the draw leader at the busiest moment',
  { skip: databaseUrl && redisUrl ? false : 'needs DATABASE_URL and REDIS_URL: a cluster shares a PostgreSQL server and meets through Redis', timeout: 300_000 },
  async (t) => {
    const clusterRedis = redisDatabase(redisUrl!, 8);
    const redis = new Redis(clusterRedis);
    await redis.flushdb();
    const scratch = await createScratchDatabase(databaseUrl!, 'lottery_cluster');
    // Through the app's own database module: int8 parsed as numbers, as the ledger code expects.
    const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolMax: 3, logger: createLogger('silent') });
    const pool = db.pool;
    const procs: ServerProcess[] = [];
    t.teardown(async () => {
      for (const p of procs) if (p.alive) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      await db.close();
      await scratch.drop();
      await redis.quit();
    });

    const env = {
      // One seed key and one signing key for the whole cluster: any process may lead a draw.
      ...testDrawKeys(),
      DATABASE_URL: scratch.url,
      REDIS_URL: clusterRedis,
      SCHEDULE: 'demo',
      DEMO_PERIOD_SECONDS: String(PERIOD_SECONDS),
      SALES_ROOM_CLIENTS_MAX: '4',
      BET_RATE_PER_SECOND: '1000',
      BET_RATE_BURST: '1000',
    };
    // One first, so the schema is in place; then two more at once.
    procs.push(await startServerProcess(env));
    procs.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
    t.equal(new Set(procs.map((p) => p.processId)).size, 3, 'three processes, three process ids');
    const alive = () => procs.filter((p) => p.alive).map((p) => p.port);

    // One registration per process at a time: three servers share two cores, and a burst of
    // 24 password hashes at once would meet the password queue's limits, not what is tested.
    const tokens: string[] = [];
    for (let i = 0; i < PLAYERS; i += 3) {
      tokens.push(...(await Promise.all([0, 1, 2].map(async (p) => (await newPlayer(procs[p].url, 1_000_000)).token))));
    }

    // The lotto 6/49 demo draw selling now with at least 20 s of sales left (its players buy 6/49 lines).
    let draw: { id: number; public_id: string; cutoff_at: Date; draw_at: Date } | undefined;
    t.ok(
      await until(async () => {
        const { rows } = await pool.query(
          `select id, public_id, cutoff_at, draw_at from draws
            where game_id = 'lotto649' and status = 'open' and cutoff_at > clock_timestamp() + interval '16 seconds' order by cutoff_at limit 1`,
        );
        draw = rows[0];
        return draw !== undefined;
      }, (PERIOD_SECONDS + 10) * 1000, 250),
      'a demo draw is open with 16 s of sales left',
    );
    const cutoffMs = draw!.cutoff_at.getTime();
    const drawAtMs = draw!.draw_at.getTime();

    const players = tokens.map((token, i) => new ResilientPlayer(`p${i}`, token, draw!.public_id, alive));
    // One after another: each new shard goes to the process with the fewest rooms, as
    // Colyseus last heard, so joins racing each other could pile shards on one process.
    for (const p of players) await p.join();
    t.teardown(() => Promise.all(players.map((p) => p.leave())));

    // Spread: rooms of four seats, created on the least-loaded process wherever a player asked.
    const rooms = Object.values(await redis.hgetall('roomcaches')).map((json) => JSON.parse(json));
    const salesRooms = rooms.filter((r) => r.name === 'sales');
    const hosts = new Set(salesRooms.map((r) => r.processId));
    t.ok(salesRooms.length >= PLAYERS / 4, `${salesRooms.length} shards for ${PLAYERS} players`);
    t.equal(hosts.size, 3, 'shards live on all three processes');

    // One leader: one advisory lock on the draw, held by the process that says it leads it.
    const locks = await pool.query(`select pid from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database()) and classid = $1 and objid = $2 and granted`, [
      DRAW_LEADER_LOCK_CLASS,
      draw!.id,
    ]);
    t.equal(locks.rows.length, 1, 'exactly one session holds the draw’s leadership lock');
    const leaders = procs.filter((p) => p.logs.some((l) => l.msg === 'leading draw' && l.drawId === draw!.id));
    t.equal(leaders.length, 1, 'exactly one process leads the draw');
    const leader = leaders[0];

    // Load: every player keeps IN_FLIGHT bets without a reply, until just before cutoff.
    // At most one new bet per player per 40 ms (~600 bets/s in all): the wallets must last.
    let sending = true;
    const pump = (async () => {
      while (sending) {
        for (const p of players) if (p.room && p.pending.size < IN_FLIGHT) p.bet();
        await sleep(40);
      }
    })();

    // Totals agree everywhere while selling: pause, let every reply in, compare.
    await sleep(2_000);
    sending = false;
    await pump;
    t.ok(await until(() => players.every((p) => p.pending.size === 0), 15_000), 'every bet so far answered');
    const pausedAt = Date.now();
    const ledgerNow = async () =>
      (await pool.query(`select count(*)::int as n, coalesce(sum(cost_minor), 0)::int as stake from tickets where draw_id = $1`, [draw!.id])).rows[0];
    const sold = await ledgerNow();
    const agree = () =>
      players.every(
        (p) =>
          p.room !== undefined &&
          p.room.state.ticketsSold === sold.n &&
          p.room.state.poolTotalMinor === sold.stake &&
          p.room.state.numberCounts.reduce((a: number, b: number) => a + b, 0) === sold.n * 6,
      );
    t.ok(sold.n > 0, `${sold.n} tickets sold before the pause`);
    t.ok(await until(agree, 5_000), 'every shard on every process shows the ledger’s tickets, pool and per-number counts');
    t.comment(`totals agreed everywhere ${Date.now() - pausedAt} ms after the last acknowledgement`);

    // The surge, then SIGKILL of the leader four seconds before cutoff.
    sending = true;
    const surge = (async () => {
      while (sending && Date.now() < cutoffMs - 300) {
        for (const p of players) if (p.room && p.pending.size < IN_FLIGHT) p.bet();
        await sleep(40);
      }
    })();
    await sleep(cutoffMs - 5_000 - Date.now());
    const acksBeforeKill = players.reduce((n, p) => n + p.acks.size, 0);
    leader.child.kill('SIGKILL');
    const killedMs = Date.now();
    await leader.exited;
    t.comment(`killed the leader (port ${leader.port}) 5 s before cutoff with ${acksBeforeKill} bets acknowledged`);
    await surge;
    sending = false;
    // Replies for everything sent before cutoff: tickets, or refusals for late repeats.
    t.ok(await until(() => players.every((p) => p.pending.size === 0), drawAtMs - 1_000 - Date.now(), 100), 'every bet sent got an answer');
    const rejoined = players.filter((p) => p.rejoins > 0);
    const took = rejoined.flatMap((p) => p.rejoinMs);
    t.ok(rejoined.length > 0 && rejoined.length < PLAYERS, `${rejoined.length} players lost their shard with the process and rejoined elsewhere`);
    t.equal(took.length, rejoined.length, 'each of them got a new shard');
    const fromDrop = rejoined.flatMap((p) => p.dropToRejoinMs);
    t.comment(`rejoins took ${Math.min(...took)}..${Math.max(...took)} ms through matchmaking, ${Math.min(...fromDrop)}..${Math.max(...fromDrop)} ms from the socket's drop`);
    // A survivor's sweep takes the dead process out of matchmaking (app/redis.ts ProcessLiveness);
    // from then on nobody is offered its rooms or sent to it for a new shard, so no rejoin attempt
    // begun after the sweep fails. (How long rejoins take is measured above, not asserted: this
    // machine's load decides it.)
    const sweptMs = Math.min(
      ...procs.flatMap((p) => p.logs.filter((l) => l.msg?.startsWith('process gone from the cluster') && l.processId === leader.processId).map((l) => l.time as number)),
    );
    t.ok(Number.isFinite(sweptMs), `a survivor swept the dead process ${sweptMs - killedMs} ms after the kill`);
    const failedAfterSweep = rejoined.flatMap((p) => p.failedRejoinAttempts).filter((a) => a.startedMs >= sweptMs);
    t.same(failedAfterSweep, [], 'no rejoin attempt begun after the sweep failed');
    const survivorPorts = procs.filter((p) => p.alive).map((p) => p.processId);
    const placed = Object.values(await redis.hgetall('roomcaches')).map((json) => JSON.parse(json));
    t.ok(placed.every((r) => survivorPorts.includes(r.processId)), 'every listed shard lives on a survivor');
    // Stop the clients before the rooms close at draw time, so nobody tries to rejoin then.
    await Promise.all(players.map((p) => p.leave()));

    // Another process took the draw over, and it ran on time.
    t.ok(
      await until(async () => (await pool.query(`select status from draws where id = $1`, [draw!.id])).rows[0].status === 'settled', drawAtMs - Date.now() + 20_000, 200),
      'the draw is settled',
    );
    const done = (await pool.query(`select closed_at, sealed_at, drawn_at, ticket_count, stake_total_minor from draws where id = $1`, [draw!.id])).rows[0];
    const closedLate = done.closed_at.getTime() - (cutoffMs + 2_000);
    const drawnLate = done.drawn_at.getTime() - drawAtMs;
    t.ok(closedLate >= 0 && closedLate < 2_000, `closed ${closedLate} ms after cutoff + grace`);
    t.ok(done.sealed_at.getTime() < drawAtMs, 'sealed before draw time');
    t.ok(drawnLate >= 0 && drawnLate < 2_000, `drawn ${drawnLate} ms after draw time`);
    const newLeader = procs.find((p) => p !== leader && p.logs.some((l) => l.msg === 'leading draw' && l.drawId === draw!.id));
    t.ok(newLeader, 'a surviving process took the leadership over');

    // The proof verifies with the cluster's one public key.
    const survivor = procs.find((p) => p.alive)!;
    const keys = await http(survivor.url, 'GET', '/api/keys');
    const proof = await http(survivor.url, 'GET', `/api/draws/${draw!.public_id}/proof`);
    t.equal(proof.status, 200);
    t.ok(allPassed(verifyDrawProof(proof.body, { publicKey: keys.body.keys[0].publicKey })), 'the verifier accepts the proof');

    // Every acknowledged bet is in the ledger exactly once; nothing is charged twice.
    const { rows: tickets } = await pool.query(
      `select id, request_id, player_id from tickets where draw_id = $1`,
      [draw!.id],
    );
    const byRequest = new Map(tickets.map((r) => [r.request_id, r]));
    t.equal(byRequest.size, tickets.length, 'one ticket per request id');
    let acked = 0;
    const missing: string[] = [];
    const mismatched: string[] = [];
    for (const p of players) {
      for (const ack of p.acks.values()) {
        acked++;
        const row = byRequest.get(ack.requestId);
        if (!row) missing.push(ack.requestId);
        else if (`T${row.id}` !== ack.ticketId) mismatched.push(ack.requestId);
      }
    }
    t.same(missing, [], `all ${acked} acknowledged bets are in the ledger`);
    t.same(mismatched, [], 'with the ticket ids their acknowledgements named');
    t.equal(tickets.length, acked, 'and the ledger holds nothing that was not acknowledged');
    t.equal(Number(done.ticket_count), tickets.length, 'the seal counts exactly those tickets');
    t.same((await checkLedger(pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold (one stake per ticket, balances add up)');
    const refused = players.flatMap((p) => p.rejections);
    t.same(refused.filter((r) => r.code !== 'DRAW_CLOSED'), [], 'no bet refused but for arriving after cutoff');

    // SIGTERM: the survivors drain and exit 0, and leave nothing of theirs in Redis.
    await Promise.all(players.map((p) => p.leave()));
    const stopStarted = Date.now();
    const results = await Promise.all(procs.filter((p) => p.alive).map((p) => stopServerProcess(p)));
    t.same(results.map((r) => r.code), [0, 0], 'SIGTERM: both survivors exit 0');
    t.comment(`SIGTERM to exit: ${Date.now() - stopStarted} ms`);
    const stopped = procs.filter((p) => p !== leader).map((p) => p.processId);
    const left = Object.values(await redis.hgetall('roomcaches')).map((json) => JSON.parse(json));
    t.same(left.filter((r) => stopped.includes(r.processId)), [], 'no room of a stopped process is listed');
    const counts = await redis.hgetall('roomcount');
    t.same(Object.keys(counts).filter((id) => stopped.includes(id)), [], 'no stopped process in the process stats');
    // Channels are server-wide, not per database: look only for ones naming these processes.
    const channels = (await redis.pubsub('CHANNELS', '*')) as string[];
    t.same(channels.filter((c) => stopped.some((id) => c.includes(id))), [], 'no subscription of a stopped process is left behind');
    const leadLocks = await pool.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database()) and classid = $1`, [DRAW_LEADER_LOCK_CLASS]);
    t.equal(leadLocks.rows[0].n, 0, 'no leadership lock is left behind');
  },
);
