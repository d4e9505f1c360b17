// A process that died without a goodbye is forgotten by the cluster within half a second:
// no new shard goes to it and its rooms leave the listing (app/redis.ts ProcessLiveness).
import t from 'tap';
import { matchMaker } from '@colyseus/core';
import { Redis } from 'ioredis';
import { ProcessLiveness, processSweptKey, LIVENESS_SWEEP_MS } from '../../app/redis.ts';
import { createLogger } from '../../core/logger.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

const redisUrl = process.env.REDIS_URL;
// One server per test process: Colyseus' matchmaker is global to the process.
let ts: TestServer;
t.before(async () => {
  ts = await startTestServer({ env: redisUrl ? { REDIS_URL: redisUrl } : {} });
});
t.teardown(() => ts.close());

t.test('the swept mark is the one Colyseus itself sets on a process that failed its health check', async (t) => {
  // If an upgrade renames it, a process swept by mistake would no longer restore its rooms.
  const ghost = `ghost${Date.now()}`;
  t.equal(await matchMaker.healthCheckProcessId(ghost), false, 'a process that never answers fails its health check');
  t.equal(await matchMaker.presence.exists(processSweptKey(ghost)), true, `Colyseus marked it ${processSweptKey(ghost)}`);
  // In-process presence keeps a 10-minute timer for the mark: clear it, or the test never ends.
  await matchMaker.presence.del(processSweptKey(ghost));
});

t.test(
  'a listed process without its IPC channel loses its rooms after two sweeps, and never gets a new shard',
  { skip: redisUrl ? false : 'needs REDIS_URL: liveness is read from Redis subscriptions' },
  async (t) => {
    const redis = new Redis(redisUrl!);
    t.teardown(() => redis.quit());
    const dead = `dead${Date.now()}`;
    // What a process killed with -9 leaves behind: its room count (fewest rooms of all) and a listed room.
    await redis.hset('roomcount', dead, '0,0');
    await redis.hset('roomcaches', `${dead}-room`, JSON.stringify({ name: 'sales', roomId: `${dead}-room`, processId: dead, clients: 0, maxClients: 10, locked: false, private: false }));
    const liveness = new ProcessLiveness(matchMaker, createLogger('silent'));

    t.equal(await liveness.selectProcessIdToCreateRoom(), matchMaker.processId, 'a new shard goes to the live process, not the one with fewest rooms');
    t.same(await liveness.sweep(), [], 'one sweep without its channel is not enough (a process may be re-subscribing)');
    t.equal(await redis.hexists('roomcaches', `${dead}-room`), 1);
    t.same(await liveness.sweep(), [dead], 'the second sweep removes it');
    t.equal(await redis.hexists('roomcaches', `${dead}-room`), 0, 'its rooms are out of the listing');
    t.equal(await redis.hexists('roomcount', dead), 0, 'and it is out of the room counts');
    t.equal(await redis.exists(processSweptKey(dead)), 1, 'marked swept, so it would restore its rooms were it alive');
    t.same(await liveness.sweep(), [], 'the live process itself is never removed');
    t.equal(await redis.hexists('roomcount', matchMaker.processId), 1);
    t.ok(LIVENESS_SWEEP_MS * 2 <= 500, 'two sweeps take at most half a second');
  },
);
