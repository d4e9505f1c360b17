// test/stage.test.ts — the live draw stage (rooms/StageRoom.ts) on a running server, through
// the real SDK: anyone may watch without an account, a malformed or unknown draw is refused
// with a code, and a viewer sees the draw's whole story in order, matching the public draw
// record: open with live totals, closed, sealed (count and root), drawn with its balls one by
// one on the shared schedule, settled with its tiers only after the last ball. A viewer that
// talks is ignored, and one that floods is cut off, without harming the others.
import t, { type Test } from 'tap';
import { Client, type Room } from '@colyseus/sdk';
import { CUTOFF_GRACE_MS, STAGE_BALL_EVERY_MS, STAGE_REVEAL_DELAY_MS } from '../core/limits.ts';
import { closeDueDraws, drawById, type DrawRow } from '../ledger/draws.ts';
import { stageDraw } from '../ledger/stage.ts';
import { revealPlan } from '../rooms/stageReveal.ts';
import { http, line, newPlayer, openDraw, roomDataFrame, startTestServer, type TestServer } from './support/harness.ts';
import { sell } from './support/draws.ts';
import { until } from './support/wait.ts';

/** What a viewer saw, with when: one entry per state change. */
interface Seen {
  atMs: number;
  status: string;
  ticketsSold: number;
  poolTotalMinor: number;
  sealTicketCount: number;
  sealRoot: string;
  balls: number[];
  proofPath: string;
  tierNames: string[];
  tierWinners: number[];
  tierPrizeMinor: number[];
  serverTimeMs: number;
}

class Viewer {
  readonly seen: Seen[] = [];
  leftWith: number | undefined;

  constructor(readonly room: Room) {
    room.onStateChange((s: any) => {
      this.seen.push({
        atMs: Date.now(),
        status: s.status,
        ticketsSold: s.ticketsSold,
        poolTotalMinor: s.poolTotalMinor,
        sealTicketCount: s.sealTicketCount,
        sealRoot: s.sealRoot,
        balls: [...s.balls],
        proofPath: s.proofPath,
        tierNames: [...s.tierNames],
        tierWinners: [...s.tierWinners],
        tierPrizeMinor: [...s.tierPrizeMinor],
        serverTimeMs: s.serverTimeMs,
      });
    });
    room.onLeave((code) => (this.leftWith = code));
  }

  static async join(ts: TestServer, drawId: string): Promise<Viewer> {
    // No token: a viewer has no account.
    return new Viewer(await new Client(ts.wsUrl).joinOrCreate('stage', { drawId }));
  }

  get last(): Seen {
    return this.seen[this.seen.length - 1];
  }

  until(check: (s: Seen) => boolean, timeoutMs = 5_000): Promise<boolean> {
    return until(() => this.seen.length > 0 && check(this.last), timeoutMs, 10);
  }
}

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer();
});

t.teardown(async () => {
  await ts.close();
});

t.test('the reveal schedule is a function of the drawn time alone', async (t) => {
  const numbers = [[5, 9, 12], [3]];
  const drawnAtMs = 1_000_000;
  t.same(revealPlan(numbers, drawnAtMs, drawnAtMs).due, [], 'nothing before the reveal delay');
  t.same(revealPlan(numbers, drawnAtMs, drawnAtMs + STAGE_REVEAL_DELAY_MS - 1).due, []);
  const first = revealPlan(numbers, drawnAtMs, drawnAtMs + STAGE_REVEAL_DELAY_MS);
  t.same(first.due, [5], 'the first ball at drawn time + delay');
  t.equal(first.nextAtMs, drawnAtMs + STAGE_REVEAL_DELAY_MS + STAGE_BALL_EVERY_MS);
  t.same(first.drumSizes, [3, 1]);
  t.same(revealPlan(numbers, drawnAtMs, drawnAtMs + STAGE_REVEAL_DELAY_MS + 2 * STAGE_BALL_EVERY_MS).due, [5, 9, 12]);
  const late = revealPlan(numbers, drawnAtMs, drawnAtMs + 3_600_000);
  t.same(late.due, [5, 9, 12, 3], 'a late viewer sees every ball at once');
  t.equal(late.nextAtMs, null);
});

t.test('joining needs no account; a malformed or unknown draw is refused with a code', async (t) => {
  const draw = await openDraw(ts.pool);
  const ok = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/stage', { drawId: draw.publicId });
  t.equal(ok.status, 200, 'a seat without any token');
  const unknown = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/stage', { drawId: 'no-such-draw' });
  t.equal(unknown.status, 404);
  t.equal(unknown.body.code, 'NOT_FOUND');
  const malformed = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/stage', { drawId: 'not a draw id!' });
  t.equal(malformed.status, 400);
  t.equal(malformed.body.code, 'BAD_REQUEST');
  const missing = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/stage', {});
  t.equal(missing.status, 400);
  t.equal(missing.body.code, 'BAD_REQUEST');
  const notString = await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/stage', { drawId: 42 });
  t.equal(notString.status, 400);
  const create = await http(ts.httpUrl, 'POST', '/matchmake/create/stage', { drawId: draw.publicId });
  t.equal(create.status, 404, 'create is not exposed');
  const refused = await new Client(ts.wsUrl).joinOrCreate('stage', { drawId: 'no-such-draw' }).then(() => null, (err: { code?: unknown; message?: string }) => err);
  t.match(refused, { code: 404, message: /no draw no-such-draw/ }, 'the SDK hears the refusal (HTTP 404; the body says NOT_FOUND)');
  const viewer = await Viewer.join(ts, draw.publicId);
  t.ok(await viewer.until((s) => s.status === 'open'), 'the viewer sees the draw open');
  t.ok(Math.abs(viewer.last.serverTimeMs - Date.now()) < 2_000, 'with the server time');
  await viewer.room.leave();
});

t.test('a viewer sees open, closed, sealed, the balls one by one, then settled with tiers', async (t) => {
  const players = await Promise.all([0, 1].map(() => newPlayer(ts.httpUrl, 100_000)));
  const draw = await openDraw(ts.pool, 2_500, Date.now(), 200);
  const viewer = await Viewer.join(ts, draw.publicId);
  const talker = await Viewer.join(ts, draw.publicId);
  t.equal(talker.room.roomId, viewer.room.roomId, 'one room for the draw');
  t.ok(await viewer.until((s) => s.status === 'open'));

  await sell(ts, draw.publicId, [
    { token: players[0].token, bets: [{ lines: [line(1, 2, 3, 4, 5, 6)] }, { quickPick: 2 }] },
    { token: players[1].token, bets: [{ quickPick: 3 }] },
  ]);
  t.ok(await viewer.until((s) => s.ticketsSold === 3), 'live tickets reach the stage');
  t.ok(viewer.last.poolTotalMinor > 0, 'and the pool');

  await hostileViewer(t, talker, viewer);

  // Close (fence layer 3), as the draw's actor would, then seal: the stage follows each step.
  await new Promise((r) => setTimeout(r, Math.max(0, draw.cutoffAtMs + CUTOFF_GRACE_MS + 50 - Date.now())));
  await closeDueDraws(ts.pool, CUTOFF_GRACE_MS, draw.id);
  t.ok(await viewer.until((s) => s.status === 'closed', 3_000), 'the close reaches the stage');
  t.ok(await ts.server.draws.runner.seal(draw.id), 'sealed');
  t.ok(await viewer.until((s) => s.status === 'sealed', 3_000), 'the seal reaches the stage');
  const record = await http(ts.httpUrl, 'GET', `/api/draws/${draw.publicId}`);
  t.equal(viewer.last.sealTicketCount, record.body.seal.ticketCount, 'the seal count is the published one');
  t.equal(viewer.last.sealTicketCount, 3);
  t.equal(viewer.last.sealRoot, record.body.seal.ticketRoot, 'the seal root is the published one');
  t.equal(viewer.last.ticketsSold, 3);

  t.equal(await ts.server.draws.runner.draw(draw.id), 'drawn');
  const drawn = (await stageDraw(ts.pool, draw.publicId))!;
  // Settled at once: the stage still holds the results back until its last ball.
  t.equal(await ts.server.draws.runner.settle(draw.id), 'settled');
  await checkBalls(t, viewer, drawn);

  const settled = (await drawById(ts.pool, draw.id)) as DrawRow;
  t.ok(await viewer.until((s) => s.status === 'settled' && s.tierNames.length > 0, 3_000), 'settled after the last ball');
  t.same(viewer.last.tierNames, settled.prizeTiers!.map((x) => x.name), 'every tier');
  t.same(viewer.last.tierWinners, settled.prizeTiers!.map((x) => x.winningLines));
  t.same(viewer.last.tierPrizeMinor, settled.prizeTiers!.map((x) => x.perLineMinor));
  t.equal(viewer.last.proofPath, `/api/draws/${draw.publicId}/proof`);
  t.equal((await http(ts.httpUrl, 'GET', viewer.last.proofPath)).status, 200, 'the proof link works');

  const late = await Viewer.join(ts, draw.publicId);
  t.ok(await late.until((s) => s.status === 'settled'));
  t.same(late.seen[0].balls, drawn.numbers!.flat(), 'a late viewer gets every ball at once');
  t.same(late.last.tierNames, viewer.last.tierNames);
  await Promise.all([viewer.room.leave(), late.room.leave()]);
});

/** A viewer that sends messages is ignored; one that floods is closed; the room goes on. */
async function hostileViewer(t: Test, talker: Viewer, viewer: Viewer): Promise<void> {
  talker.room.send('bet', { requestId: 'x', lines: [[1, 2, 3, 4, 5, 6]] });
  talker.room.send('anything', { huge: 'y'.repeat(1_000) });
  await new Promise((r) => setTimeout(r, 300));
  t.equal(talker.leftWith, undefined, 'a few messages are ignored, not punished');
  const socket = (talker.room.connection as any).transport.ws;
  for (let i = 0; i < 40; i++) socket.send(i % 2 ? roomDataFrame('bet') : new Uint8Array([13, 0xc1, 0xff, 0xff]));
  t.ok(await until(() => talker.leftWith !== undefined, 3_000), 'a flooding viewer is closed');
  t.equal(talker.leftWith, 4429, 'with the flood code (no reconnection)');
  const before = viewer.seen.length;
  await new Promise((r) => setTimeout(r, 200));
  t.ok(viewer.room.connection.isOpen, 'the other viewer is still connected');
  t.ok(viewer.seen.length >= before);
}

/** The balls arrive in the drawn order, one by one, on the schedule from the drawn time. */
async function checkBalls(t: Test, viewer: Viewer, drawn: Awaited<ReturnType<typeof stageDraw>> & {}): Promise<void> {
  const expected = drawn.numbers!.flat();
  const total = expected.length;
  t.ok(await viewer.until((s) => s.balls.length === total, STAGE_REVEAL_DELAY_MS + total * STAGE_BALL_EVERY_MS + 3_000), 'every ball shown');
  t.same(viewer.last.balls, expected, 'the balls are the drawn numbers, in order');
  const firstSeen = (k: number) => viewer.seen.find((s) => s.balls.length > k)!;
  for (let k = 0; k < total; k++) {
    const s = firstSeen(k);
    t.equal(s.balls.length, k + 1, `ball ${k + 1} came alone`);
    t.same(s.balls, expected.slice(0, k + 1));
    const dueAtMs = drawn.drawnAtMs! + STAGE_REVEAL_DELAY_MS + k * STAGE_BALL_EVERY_MS;
    // Server and database share this machine's clock; a poll and a socket hop of slack.
    t.ok(s.atMs >= dueAtMs - 100 && s.atMs < dueAtMs + 700, `ball ${k + 1} on schedule (${s.atMs - dueAtMs} ms)`);
    if (k < total - 1) {
      t.not(s.status, 'settled', 'no result before the last ball');
      t.equal(s.proofPath, '', 'no proof link before the last ball');
      t.same(s.tierNames, []);
    }
  }
}
