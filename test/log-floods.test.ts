// A refused request costs the server at most one short log line: a client that is refused
// thousands of times must not be able to fill the disks. Refused joins (by onAuth or
// onCreate), refused messages and frames that are not the protocol are each tried a few
// times, and everything the process logs at info or above meanwhile, through pino or
// through console (Colyseus' default logger), is counted and measured.
import t, { type Test } from 'tap';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { createLogger } from '../core/logger.ts';
import { LogCapture, STACK_FRAME } from './support/logs.ts';
import { until } from './support/wait.ts';
import { http, newPlayer, openDraw, PlayerConnection, roomDataFrame, startTestServer, type TestServer } from './support/harness.ts';

/** Longest acceptable log line for a refusal, in bytes. */
const LINE_BYTES_MAX = 400;
const TRIES = 5;

const logs = new LogCapture();
let ts: TestServer;

t.before(async () => {
  logs.captureConsole();
  ts = await startTestServer({ logger: createLogger('info', logs.destination), env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(async () => {
  await ts.close();
  logs.restoreConsole();
});

function checkLines(t: Test, mark: number, requests: number, what: string) {
  const lines = logs.since(mark);
  t.ok(lines.length <= requests, `${what}: ${lines.length} log lines for ${requests} refusals`);
  const long = lines.filter((l) => Buffer.byteLength(l.text) > LINE_BYTES_MAX);
  t.same(long.map((l) => `${Buffer.byteLength(l.text)} bytes: ${l.text.slice(0, 200)}`), [], `${what}: no line over ${LINE_BYTES_MAX} bytes`);
  t.same(lines.filter((l) => STACK_FRAME.test(l.text)).map((l) => l.text.slice(0, 200)), [], `${what}: no stack trace`);
}

t.test('a refused join logs at most one short line and no stack (onAuth and onCreate refusals)', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  const now = Date.now();
  const scheduled = await ts.server.draws.runner.createDraw({
    publicId: `sched-${now}`,
    gameId: 'lotto649',
    businessDate: new Date(now).toISOString().slice(0, 10),
    openAtMs: now + 3_600_000,
    cutoffAtMs: now + 7_200_000,
    drawAtMs: now + 10_800_000,
  });
  const open = await openDraw(ts.pool);
  for (let i = 0; i < 2; i++) await http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: open.publicId }, token);
  const cases: [string, () => Promise<{ status: number }>, number][] = [
    ['no token (onAuth)', () => http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: 'x' }), 401],
    ['bad drawId (onAuth)', () => http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: '../..' }, token), 400],
    ['unknown draw (onCreate)', () => http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: 'no-such-draw' }, token), 404],
    ['draw not open (onCreate)', () => http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: scheduled.draw.publicId }, token), 409],
    ['over the seat limit (onAuth)', () => http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: open.publicId }, token), 429],
  ];
  for (const [what, request, status] of cases) {
    const mark = logs.mark();
    for (let i = 0; i < TRIES; i++) t.equal((await request()).status, status, `${what} is refused with ${status}`);
    await new Promise((r) => setTimeout(r, 100));
    checkLines(t, mark, TRIES, what);
  }
});

t.test('refused messages and frames that are not the protocol log at most one short line each', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);

  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  let mark = logs.mark();
  for (let i = 0; i < TRIES; i++) conn.room.send('bet', { requestId: `bad-${i}`, lines: [[1n, 2, 3, 4, 5, 6]] as any });
  for (let i = 0; i < TRIES; i++) conn.room.send('bet', { requestId: `bad2-${i}`, nonsense: true });
  for (let i = 0; i < TRIES; i++) conn.room.send('no-such-type', { requestId: `bad3-${i}` });
  await conn.waitForReplies(3 * TRIES, 5_000).catch(() => {});
  checkLines(t, mark, 3 * TRIES, 'malformed bets and unknown message types');

  // Frames that are not msgpack: the socket is closed; each costs at most a line.
  mark = logs.mark();
  for (let i = 0; i < TRIES; i++) {
    const bad = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
    const left = new Promise<number>((resolve) => bad.room.onLeave((code: number) => resolve(code)));
    bad.sendRaw(roomDataFrame('bet', Buffer.from([0x82, 0xa1])));
    t.ok((await left) >= 4000, 'the sender of an unreadable frame is closed');
  }
  await until(() => false, 200);
  checkLines(t, mark, TRIES, 'unreadable msgpack');
  await conn.leave();
});
