// A requestId names one bet. Sent again with the same bet it is answered with the original
// ticket, marked duplicate, and charged nothing; sent again with a different bet it is
// refused REQUEST_ID_CONFLICT (the original ticket stands, nothing is charged), wherever
// the original is found: still in the bet writer's queue, earlier in the same batch, or
// already in the ledger (found by the ticket insert, or looked up for a refused resend).
// "The same bet": the same draw, and explicit lines equal as canonical lines (each line's
// numbers and the lines themselves in any order), or a quick pick of as many lines (its
// numbers are drawn anew at every send; a retried quick pick gets the original numbers).
import { drumLineMask } from '../games/lineMask.ts';
import { lotto649 } from '../games/lotto649.ts';
import t from 'tap';
import { sameBet, writeBetBatch, type BetToWrite } from '../ledger/bets.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type BetReply, type TestServer } from './support/harness.ts';
import { until } from './support/wait.ts';

let ts: TestServer;

t.before(async () => {
  ts = await startTestServer({ env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

const A = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]];
const B = [[1, 2, 3, 4, 5, 7]];
const balanceOf = async (token: string) => (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.balanceMinor as number;

/**
 * Sends every message at once on one connection and returns their replies in send order.
 * Replies to different request ids may overtake each other (a resend that joined its
 * original is answered after it); those to one request id come in the order sent.
 */
async function sendTogether(conn: PlayerConnection, messages: Record<string, unknown>[]): Promise<BetReply[]> {
  const before = conn.replies.length;
  for (const m of messages) conn.room.send('bet', m);
  await conn.waitForReplies(before + messages.length);
  await until(() => false, 100);
  t.equal(conn.replies.length, before + messages.length, 'one reply per message');
  const byRequest = new Map<string, BetReply[]>();
  for (const r of conn.replies.slice(before)) byRequest.set(r.requestId!, [...(byRequest.get(r.requestId!) ?? []), r]);
  return messages.map((m) => byRequest.get(m.requestId as string)!.shift()!);
}

t.test('two copies of a requestId sent together: one ticket, and the second says duplicate', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const replies = await sendTogether(conn, [
    { requestId: 'twice', lines: A },
    { requestId: 'twice', lines: A },
    { requestId: 'twice-qp', quickPick: 2 },
    { requestId: 'twice-qp', quickPick: 2 },
  ]);
  for (const id of ['twice', 'twice-qp']) {
    const mine = replies.filter((r) => r.requestId === id);
    t.same(mine.map((r) => r.type), ['bet:accepted', 'bet:accepted'], `${id}: both accepted`);
    t.same(mine.map((r) => r.duplicate).sort(), [false, true], `${id}: exactly one is new, the other says duplicate`);
    t.equal(mine[0].ticketId, mine[1].ticketId, `${id}: one ticket`);
    t.same(mine[0].lines, mine[1].lines, `${id}: the same numbers`);
  }
  t.equal(await balanceOf(token), 10_000 - 400 - 400, 'charged once for each request');
  await conn.leave();
});

t.test('a resend with another bet is refused REQUEST_ID_CONFLICT; the original ticket stands and nothing is charged', async (t) => {
  const draw = await openDraw(ts.pool);
  const other = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const elsewhere = await PlayerConnection.join(ts.wsUrl, token, other.publicId);

  const original = await conn.bet({ requestId: 'r1', lines: A });
  t.equal(original.type, 'bet:accepted');
  const qp = await conn.bet({ requestId: 'q1', quickPick: 2 });
  t.equal(qp.type, 'bet:accepted');
  const charged = await balanceOf(token);

  // Already in the ledger: the ticket insert finds it.
  const later = await sendTogether(conn, [
    { requestId: 'r1', lines: B },
    { requestId: 'r1', lines: [A[1], [6, 5, 4, 3, 2, 1]] },
    { requestId: 'r1', quickPick: 2 },
    { requestId: 'q1', quickPick: 2 },
    { requestId: 'q1', quickPick: 3 },
    { requestId: 'q1', lines: qp.lines },
  ]);
  t.same(later.map((r) => r.code ?? (r.duplicate ? 'duplicate' : 'new')), [
    'REQUEST_ID_CONFLICT',
    'duplicate',
    'REQUEST_ID_CONFLICT',
    'duplicate',
    'REQUEST_ID_CONFLICT',
    'REQUEST_ID_CONFLICT',
  ], 'other lines, a quick pick for lines, another line count and lines for a quick pick conflict; lines in another order and the same quick pick repeat');
  t.equal(later[1].ticketId, original.ticketId, 'a repeat names the original ticket');
  t.same(later[3].lines, qp.lines, 'a retried quick pick returns the original numbers');
  const wrongDraw = await elsewhere.bet({ requestId: 'r1', lines: A });
  t.equal(wrongDraw.code, 'REQUEST_ID_CONFLICT', 'the same lines on another draw conflict');

  // Still in flight: the resend joins the original in the bet writer.
  const inFlight = await sendTogether(conn, [
    { requestId: 'r2', lines: A },
    { requestId: 'r2', lines: B },
    { requestId: 'r2', lines: A },
  ]);
  t.same(inFlight.map((r) => r.code ?? (r.duplicate ? 'duplicate' : 'new')), ['new', 'REQUEST_ID_CONFLICT', 'duplicate'], 'joined in flight: conflict and repeat');
  t.equal(await balanceOf(token), charged - 400, 'only r2 was charged since');
  const { rows } = await ts.pool.query(`select request_id, lines from tickets where request_id in ('r1', 'q1', 'r2') order by request_id`);
  t.same(rows.map((r) => [r.request_id, r.lines]), [['q1', qp.lines], ['r1', A], ['r2', A]], 'each original ticket stands as bought');
  await conn.leave();
  await elsewhere.leave();
});

t.test('a refused resend with another bet is a conflict too (looked up: funds spent, or after cutoff)', async (t) => {
  // Registered before the short sale opens: a busy machine can spend its 2.5 s on a registration.
  const { token } = await newPlayer(ts.httpUrl, 400);
  const draw = await openDraw(ts.pool, 2_500);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.equal((await conn.bet({ requestId: 'poor', lines: A })).type, 'bet:accepted', 'spends the whole wallet');
  t.equal((await conn.bet({ requestId: 'poor', lines: B })).code, 'REQUEST_ID_CONFLICT', 'not INSUFFICIENT_FUNDS: the request id is taken');
  t.equal((await conn.bet({ requestId: 'poor', lines: A })).duplicate, true, 'the same bet is still its ticket');
  await until(() => Date.now() > draw.cutoffAtMs + 50, 5_000);
  t.equal((await conn.bet({ requestId: 'poor', lines: B })).code, 'REQUEST_ID_CONFLICT', 'after cutoff: not DRAW_CLOSED');
  t.equal((await conn.bet({ requestId: 'poor', lines: A })).duplicate, true, 'after cutoff the same bet still returns its ticket');
  t.equal(await balanceOf(token), 0);
  await conn.leave();
});

t.test('in one batch, a later copy of a request id with another bet is a conflict (ledger)', async (t) => {
  const draw = await openDraw(ts.pool);
  const { email } = await newPlayer(ts.httpUrl, 10_000);
  const { rows } = await ts.pool.query(`select p.id, a.id as wallet from players p join accounts a on a.player_id = p.id where p.email = $1`, [email]);
  const bet = (lines: number[][], quickPick = false): BetToWrite => ({
    playerId: rows[0].id,
    walletAccountId: rows[0].wallet,
    drawId: draw.id,
    requestId: 'batch',
    betType: 'standard',
    stakeMinor: 200,
    lines,
    lineMasks: lines.map((line) => drumLineMask(lotto649.drums, [line])),
    quickPick,
    costMinor: 200 * lines.length,
    receivedAtMs: Date.now(),
  });
  const client = await ts.pool.connect();
  try {
    const results = await writeBetBatch(client, [bet(A), bet(B), bet([A[1], A[0]]), bet(B, true)], 2_000);
    t.same(results.map((r) => (r.status === 'accepted' ? (r.duplicate ? 'duplicate' : 'new') : r.code)), ['new', 'REQUEST_ID_CONFLICT', 'duplicate', 'REQUEST_ID_CONFLICT']);
  } finally {
    client.release();
  }
});

t.test('sameBet: the rule, as a pure function', async (t) => {
  const lines = (l: number[][], quickPick = false, drawId = 1) => ({ drawId, betType: 'standard', stakeMinor: 200, quickPick, lines: l });
  t.ok(sameBet(lines(A), lines([A[1], A[0]])), 'lines in another order');
  // Lines reach sameBet canonical (the game sorts a lotto line; a pick-3 straight keeps its
  // order, which is the bet): numbers in another order are another line.
  t.notOk(sameBet(lines([[1, 2, 3]]), lines([[3, 2, 1]])), 'a line in another order (a straight 123 is not 321)');
  t.notOk(sameBet(lines(A), lines(B)), 'other lines');
  t.notOk(sameBet(lines(A), lines([A[0], A[0]])), 'a line twice is not two lines');
  t.notOk(sameBet(lines(A), lines(A, false, 2)), 'another draw');
  t.ok(sameBet(lines(A, true), lines(B.concat(B), true)), 'quick picks of as many lines');
  t.notOk(sameBet(lines(A, true), lines(B, true)), 'quick picks of other line counts');
  t.notOk(sameBet(lines(A, true), lines(A)), 'a quick pick and explicit lines');
});
