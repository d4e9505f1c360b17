// The operator console's cluster figures (actors/ClusterFigures.ts): each process publishes
// its connections, rooms and bets received; the tally sums the live ones into a rate, leaves
// out a process gone silent, ignores what is not figures, and stays bounded. Through a real
// server: the operators room sends them every second and bets move them.
import t from 'tap';
import { Client } from '@colyseus/sdk';
import { CLUSTER_FIGURES_STALE_MS, CLUSTER_PROCESSES_MAX, ClusterTally } from '../actors/ClusterFigures.ts';
import { newPlayer, openDraw, PlayerConnection, startTestServer } from './support/harness.ts';
import { bootstrapAdmin } from './support/operators.ts';
import { until } from './support/wait.ts';

t.test('the tally sums live processes into a cluster rate', async (t) => {
  const tally = new ClusterTally();
  tally.observe({ processId: 'a', atMs: 1_000, connections: 10, rooms: 2, betsReceived: 100 });
  tally.observe({ processId: 'b', atMs: 1_000, connections: 5, rooms: 1, betsReceived: 0 });
  t.match(tally.snapshot(1_000), { processes: 2, connections: 15, rooms: 3, betsPerSecond: 0 }, 'no rate before a second figure');
  tally.observe({ processId: 'a', atMs: 2_000, connections: 12, rooms: 2, betsReceived: 400 });
  tally.observe({ processId: 'b', atMs: 3_000, connections: 5, rooms: 1, betsReceived: 100 });
  t.match(tally.snapshot(3_000), { processes: 2, connections: 17, rooms: 3, betsPerSecond: 350 }, '300/s on a, 50/s on b');
  t.match(tally.snapshot(2_000 + CLUSTER_FIGURES_STALE_MS + 1), { processes: 1, connections: 5, betsPerSecond: 50 }, 'a gone silent is left out');
  tally.observe({ processId: 'b', atMs: 4_000, connections: 5, rooms: 1, betsReceived: 10 });
  t.match(tally.snapshot(4_000), { betsPerSecond: 0 }, 'a restarted process (its total went down) counts no negative rate');
});

t.test('the tally ignores what is not figures, and keeps a bounded number of processes', async (t) => {
  const tally = new ClusterTally();
  for (const junk of [null, 'x', {}, { processId: '', atMs: 1, connections: 1, rooms: 1, betsReceived: 1 }, { processId: 'p', atMs: 1, connections: -1, rooms: 1, betsReceived: 1 }, { processId: 'p', atMs: 1, connections: NaN, rooms: 1, betsReceived: 1 }, { processId: 'x'.repeat(65), atMs: 1, connections: 1, rooms: 1, betsReceived: 1 }]) {
    tally.observe(junk);
  }
  t.equal(tally.snapshot(1).processes, 0, 'nothing counted');
  for (let i = 0; i < CLUSTER_PROCESSES_MAX + 50; i++) tally.observe({ processId: `p${i}`, atMs: 1, connections: 1, rooms: 0, betsReceived: 0 });
  t.equal(tally.snapshot(1).processes, CLUSTER_PROCESSES_MAX, 'at most CLUSTER_PROCESSES_MAX');
});

t.test('the operators room sends the cluster figures every second, and bets move them', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  const admin = await bootstrapAdmin(ts.httpUrl);
  const watcher = new Client(ts.wsUrl);
  watcher.auth.token = admin.token;
  const feed = await watcher.joinOrCreate('operators');
  t.teardown(() => feed.leave());
  const seen: any[] = [];
  feed.onMessage('figures', (f: any) => seen.push(f));
  t.ok(await until(() => seen.length >= 2, 5_000), 'figures every second');
  t.match(seen.at(-1), { processes: 1, connections: 1, rooms: 1, betsPerSecond: 0 }, 'this process: the watcher alone');

  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 100_000);
  const player = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.teardown(() => player.room.leave());
  for (let i = 0; i < 30; i++) player.room.send('bet', { requestId: `f-${i}`, quickPick: 1 });
  await player.waitForReplies(30);
  t.ok(await until(() => seen.some((f) => f.betsPerSecond > 0), 5_000), 'bets show as bets per second');
  t.ok(await until(() => seen.at(-1).connections === 2 && seen.at(-1).rooms === 2, 3_000), 'the player and the sales room counted');
});
