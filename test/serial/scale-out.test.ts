// Scaling during sales (issue 18, docs/RUNBOOK.md "Adding and draining server processes"): a
// process added while a draw sells takes the next new shard within seconds and nobody already
// playing is moved; a process drained with SIGTERM answers every bet it took, exits 0, and its
// players carry on through the others. Measured: from a new process's start to the first bet
// it accepts, and from SIGTERM to a drained process's exit.
//
// Two processes meeting through Redis, shards of four players (SALES_ROOM_CLIENTS_MAX), eight
// players betting: two full shards. A third process starts; four more players join, the
// matchmaker needs a new shard and puts it on the process with the fewest rooms, the new one.
// Then the first process is drained. Every bet answered, every acknowledged bet in the ledger
// once, nothing else, the draw settled on time.
import crypto from 'node:crypto';
import t from 'tap';
import { Redis } from 'ioredis';
import { redisDatabase, startServerProcess, stopServerProcess, type ServerProcess } from '../support/cluster.ts';
import { createScratchDatabase } from '../support/database.ts';
import { checkFaultDay, pumpBets, sleep, startFaultDay } from '../support/faults.ts';
import { newPlayer } from '../support/harness.ts';
import { until } from '../support/wait.ts';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const METRICS_TOKEN = crypto.randomBytes(24).toString('base64url');

/** One figure of a process's /metrics (summed over its labels matching `labels`), or 0. */
async function metric(proc: ServerProcess, name: string, labels = ''): Promise<number> {
  const res = await fetch(`${proc.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))) if ((m[1] ?? '').includes(labels)) sum += Number(m[2]);
  return sum;
}

t.test(
  'a process added while sales are open takes the next new shard within seconds, nobody is moved; a drained one answers every bet it took and exits 0',
  { skip: databaseUrl && redisUrl ? false : 'needs DATABASE_URL and REDIS_URL: processes of a cluster meet through Redis', timeout: 240_000 },
  async (t) => {
    const clusterRedis = redisDatabase(redisUrl!, 12);
    const redis = new Redis(clusterRedis);
    await redis.flushdb();
    const scratch = await createScratchDatabase(databaseUrl!, 'lottery_scale');
    const day = await startFaultDay({
      databaseUrl: scratch.url,
      redisUrl: clusterRedis,
      processes: 2,
      players: 8,
      salesMs: 16_000,
      drawAfterCutoffMs: 4_000,
      env: { SALES_ROOM_CLIENTS_MAX: '4', METRICS_TOKEN },
    });
    t.teardown(async () => {
      await day.close();
      await scratch.drop();
      await redis.quit();
    });
    const [first] = day.procs;
    // The newcomers' registrations, before the clock starts (password hashing takes seconds here).
    const newcomers = await Promise.all([0, 1, 2, 3].map(async () => (await newPlayer(first.url, 1_000_000)).token));
    const firstEight = [...day.players];

    const scaling = (async () => {
      await sleep(3_000);
      // 1. Add a process.
      const startedAtMs = Date.now();
      const added = await startServerProcess(day.env);
      const listeningAtMs = Date.now();
      day.procs.push(added);
      await Promise.all(newcomers.map((token, i) => day.addPlayer(`n${i}`, token)));
      const joinedAtMs = Date.now();
      await until(async () => (await metric(added, 'lottery_bets_total', 'outcome="accepted"')) > 0, 15_000, 25);
      const firstBetAtMs = Date.now();
      const rooms = await metric(added, 'lottery_rooms');
      const connections = await metric(added, 'lottery_connections');
      // 2. Drain the first process while bets flow.
      await sleep(3_000);
      const rejoinsBeforeDrain = firstEight.map((p) => p.rejoins);
      day.drained.add(first);
      const termAtMs = Date.now();
      const exit = await stopServerProcess(first, 20_000);
      return { startedAtMs, listeningAtMs, joinedAtMs, firstBetAtMs, rooms, connections, rejoinsBeforeDrain, termAtMs, exitedAtMs: Date.now(), exit };
    })();
    await pumpBets(day, day.draw.cutoffAtMs + 1_000);
    const s = await scaling;

    t.comment(
      `added process: listening ${s.listeningAtMs - s.startedAtMs} ms after its start, four newcomers joined at ${s.joinedAtMs - s.startedAtMs} ms, its first accepted bet at ${s.firstBetAtMs - s.startedAtMs} ms`,
    );
    t.ok(s.firstBetAtMs - s.startedAtMs < 30_000, 'a new process accepts bets within seconds of its start');
    t.ok(s.rooms >= 1 && s.connections >= 4, `the new shard went to the new process (${s.rooms} rooms, ${s.connections} players there)`);
    t.same(s.rejoinsBeforeDrain, [0, 0, 0, 0, 0, 0, 0, 0], 'nobody already playing was moved by it');

    t.comment(`drained process: exited ${s.exitedAtMs - s.termAtMs} ms after SIGTERM`);
    t.same(s.exit, { code: 0, signal: null }, 'the drained process exited 0 by itself');
    const moved = day.players.filter((p) => p.rejoins > 0);
    t.ok(moved.length >= 1, `its players rejoined through the others (${moved.length}, in ${moved.flatMap((p) => p.rejoinMs).join(', ')} ms) and resent what it had not answered`);
    t.ok(first.logs.some((l) => /shutting down/.test(l.msg ?? '')), 'it logged its shutdown');

    await checkFaultDay(t, day, { askedAgainAllowed: true });
  },
);
