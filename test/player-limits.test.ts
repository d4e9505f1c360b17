// Deposit, stake and loss limits (issue 13): set over HTTP, recorded with when they were asked
// for and when they take effect, and enforced where the money moves: stakes and losses inside
// the bet batch's transaction (ledger/bets.ts), deposits in the deposit intent's. Decreases
// at once; increases and removals 24 hours later. Concurrent bets from several connections on
// two servers sharing one database never cross a limit: exactly the allowed amount is bought.
import fc from 'fast-check';
import pg from 'pg';
import t from 'tap';
import { allGames } from '../games/index.ts';
import { drumLineMask } from '../games/lineMask.ts';
import { lotto649 } from '../games/lotto649.ts';
import { writeBetBatch, type BetToWrite } from '../ledger/bets.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { addStake, keepFrom, parseSeries, quarterOf, QUARTER_MS, seriesLiteral, windowsAt, type ActivityRow } from '../ledger/playerActivity.ts';
import { playerLimits, requestLimit } from '../ledger/protection.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer, playerIdsByEmail, deposit as depositFunds } from './support/harness.ts';

const LINE = 200;
let ts: TestServer;
let clockOffsetMs = 0;
const clock = { nowMs: () => Date.now() + clockOffsetMs };

t.before(async () => {
  ts = await startTestServer({ clock, env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
});
t.afterEach(async () => {
  clockOffsetMs = 0;
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

const setLimit = (token: string, kind: string, period: string, amountMinor: number | null) =>
  http(ts.httpUrl, 'POST', '/api/me/limits', { kind, period, amountMinor }, token);
const limitsOf = async (token: string) => (await http(ts.httpUrl, 'GET', '/api/me/limits', undefined, token)).body;

const idsOf = (email: string) => playerIdsByEmail(ts.pool, email);

function lottoBet(ids: { playerId: number; walletAccountId: number }, drawId: number, requestId: string, receivedAtMs: number, lines = [[1, 2, 3, 4, 5, 6]]): BetToWrite {
  return {
    ...ids,
    drawId,
    requestId,
    betType: 'standard',
    stakeMinor: LINE,
    lines,
    lineMasks: lines.map((line) => drumLineMask(lotto649.drums, [line])),
    quickPick: false,
    costMinor: LINE * lines.length,
    receivedAtMs,
  };
}

async function write(bets: BetToWrite[]) {
  const client = await ts.pool.connect();
  try {
    return await writeBetBatch(client, bets, 2_000);
  } finally {
    client.release();
  }
}

const outcomes = (results: Awaited<ReturnType<typeof write>>) => results.map((r) => (r.status === 'accepted' ? 'accepted' : r.code));

t.test('a stake limit per day: bets that fit are bought, the one that would cross it is refused LIMIT_REACHED', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 100_000);
  const set = await setLimit(token, 'stake', 'day', 3 * LINE);
  t.equal(set.status, 200);
  t.equal(set.body.immediate, true, 'a first limit takes effect at once');
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const replies = [];
  for (let i = 0; i < 5; i++) replies.push(await conn.bet({ requestId: `s${i}`, lines: [[1, 2, 3, 4, 5, 6 + i]] }));
  t.same(replies.map((r) => r.type === 'bet:accepted' ? 'accepted' : r.code), ['accepted', 'accepted', 'accepted', 'LIMIT_REACHED', 'LIMIT_REACHED']);
  t.match(replies[3].message, /stake limit per 24 hours is 600; 0 of it is left/);
  const resend = await conn.bet({ requestId: 's0', lines: [[1, 2, 3, 4, 5, 6]] });
  t.equal(resend.type, 'bet:accepted', 'a resend of a bought ticket is answered with it, limit or not');
  t.equal(resend.duplicate, true);
  const me = (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body;
  t.equal(me.balanceMinor, 100_000 - 3 * LINE, 'charged for the three bought only');
  await conn.leave();
});

t.test('a loss limit counts stakes less prizes: a prize recorded by settlement makes room again', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token, email } = await newPlayer(ts.httpUrl, 100_000);
  const ids = await idsOf(email);
  await setLimit(token, 'loss', 'week', 2 * LINE);
  const now = clock.nowMs();
  t.same(outcomes(await write([lottoBet(ids, draw.id, 'l1', now), lottoBet(ids, draw.id, 'l2', now), lottoBet(ids, draw.id, 'l3', now)])), ['accepted', 'accepted', 'LIMIT_REACHED']);
  // A prize of one line's price, as settlement's pay statement records it (activity_add_won).
  await ts.pool.query(
    `update player_activity set series = activity_add_won(series, floor(extract(epoch from now()) / 900)::int8, $2, floor(extract(epoch from now()) / 900)::int8 - 672) where player_id = $1`,
    [ids.playerId, LINE],
  );
  t.same(outcomes(await write([lottoBet(ids, draw.id, 'l4', now), lottoBet(ids, draw.id, 'l5', now)])), ['accepted', 'LIMIT_REACHED'], 'the prize bought back one line of room');
});

t.test('a decrease takes effect at once; an increase and a removal only 24 hours later (injected clock)', async (t) => {
  const { token, email } = await newPlayer(ts.httpUrl, 100_000);
  const ids = await idsOf(email);
  t.equal((await setLimit(token, 'stake', 'week', 10 * LINE)).body.immediate, true);
  const lower = await setLimit(token, 'stake', 'week', 2 * LINE);
  t.equal(lower.body.immediate, true, 'a decrease is at once');
  const raise = await setLimit(token, 'stake', 'week', 5 * LINE);
  t.equal(raise.body.immediate, false, 'an increase waits');
  t.ok(Math.abs(Date.parse(raise.body.effectiveAt) - (clock.nowMs() + 24 * 3_600_000)) < 5_000, 'effective 24 hours after it was asked for');
  let view = (await limitsOf(token)).limits.find((l: { kind: string; period: string }) => l.kind === 'stake' && l.period === 'week');
  t.equal(view.amountMinor, 2 * LINE, 'the lower limit is in force');
  t.equal(view.pending.amountMinor, 5 * LINE, 'the increase is pending');

  // A draw selling across the next two days, so bets can be placed "later" on the injected clock.
  const t0 = clock.nowMs();
  const draw = await openDraw(ts.pool, 50 * 3_600_000, t0);
  const at = (ms: number) => t0 + ms;
  t.same(outcomes(await write([1, 2, 3].map((i) => lottoBet(ids, draw.id, `w${i}`, at(0))))), ['accepted', 'accepted', 'LIMIT_REACHED'], 'held to the lower limit');
  t.same(outcomes(await write([lottoBet(ids, draw.id, 'w4', at(23 * 3_600_000))])), ['LIMIT_REACHED'], '23 hours later the increase is not in force');
  t.same(outcomes(await write([4, 5, 6, 7].map((i) => lottoBet(ids, draw.id, `x${i}`, at(24 * 3_600_000 + 1_000))))), ['accepted', 'accepted', 'accepted', 'LIMIT_REACHED'], '24 hours later it is: 5 lines a week');
  const after = await playerLimits(ts.pool, ids.playerId, at(24 * 3_600_000 + 1_000));
  t.equal(after.find((l) => l.kind === 'stake' && l.period === 'week')!.amountMinor, 5 * LINE);

  // A removal waits too, and a later decrease supersedes it.
  const removal = await requestLimit(ts.pool, ids.playerId, { kind: 'stake', period: 'week', amountMinor: null }, {}, at(25 * 3_600_000));
  t.match(removal, { status: 'changed', immediate: false });
  t.same(outcomes(await write([lottoBet(ids, draw.id, 'y1', at(26 * 3_600_000))])), ['LIMIT_REACHED'], 'the removal is not in force yet');
  await requestLimit(ts.pool, ids.playerId, { kind: 'stake', period: 'week', amountMinor: 4 * LINE }, {}, at(27 * 3_600_000));
  const limits = await playerLimits(ts.pool, ids.playerId, at(50 * 3_600_000));
  t.equal(limits.find((l) => l.kind === 'stake' && l.period === 'week')!.amountMinor, 4 * LINE, 'the superseded removal never takes effect');

  clockOffsetMs = 0;
  const history = (await limitsOf(token)).changes.filter((c: { kind: string; period: string }) => c.kind === 'stake' && c.period === 'week');
  t.equal(history.length, 5, 'every request recorded');
  t.ok(history.every((c: { requestedAt: string; effectiveAt: string }) => c.requestedAt && c.effectiveAt), 'with when it was asked for and when it takes effect');
  t.equal(history.filter((c: { supersededAt: string | null }) => c.supersededAt !== null).length, 1, 'the removal is marked superseded');
});

t.test('limits over HTTP: bad requests get clear codes', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  t.match(await setLimit(token, 'wager', 'day', 100), { status: 400, body: { code: 'BAD_REQUEST' } });
  t.match(await setLimit(token, 'stake', 'year', 100), { status: 400, body: { code: 'BAD_REQUEST' } });
  t.match(await setLimit(token, 'stake', 'day', 0), { status: 400, body: { code: 'BAD_REQUEST' } });
  t.match(await setLimit(token, 'stake', 'day', 1.5), { status: 400, body: { code: 'BAD_REQUEST' } });
  t.match(await http(ts.httpUrl, 'POST', '/api/me/limits', { kind: 'stake', period: 'day' }, token), { status: 400, body: { code: 'BAD_REQUEST' } });
  t.match(await http(ts.httpUrl, 'POST', '/api/me/limits', { kind: 'stake', period: 'day', amountMinor: 5 }), { status: 401 });
  t.match(await http(ts.httpUrl, 'GET', '/api/me/limits'), { status: 401 });
});

t.test('a deposit limit: deposits that would cross it are refused LIMIT_REACHED, and nothing is charged', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  await setLimit(token, 'deposit', 'day', 5_000);
  const ask = (amount: number, key: string) => http(ts.httpUrl, 'POST', '/api/wallet/deposits', { amount, idempotencyKey: key }, token);
  t.equal(await depositFunds(ts.httpUrl, token, 3_000, 'd1'), 'completed');
  const over = await ask(2_500, 'd2');
  t.match(over, { status: 403, body: { code: 'LIMIT_REACHED' } });
  t.match(over.body.message, /2000 of it is left/);
  t.match(await ask(3_000, 'd1'), { status: 202, headers: { 'idempotent-replayed': 'true' } }, 'a retry of a deposit made is answered as before');
  t.equal(await depositFunds(ts.httpUrl, token, 1_913, 'd3'), 'declined', 'a declined deposit');
  t.equal(await depositFunds(ts.httpUrl, token, 2_000, 'd4'), 'completed', 'a declined deposit does not count against the limit');
  const me = (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body;
  t.equal(me.balanceMinor, 5_000);
});

t.test('concurrent bets from several connections and a second writer never cross a stake limit: exactly the allowed amount is bought', async (t) => {
  // Two SDK connections of one player (as many seats as one may hold in a draw) on the server, and at the same time batches written by
  // another pool of connections straight into the ledger, as a second process's bet writer
  // would (on the embedded database, which one process owns, the server's own pool).
  const second = ts.databaseUrl ? new pg.Pool({ connectionString: ts.databaseUrl, max: 4 }) : ts.pool;
  try {
    const draw = await openDraw(ts.pool);
    const { token, email } = await newPlayer(ts.httpUrl, 1_000_000);
    const ids = await idsOf(email);
    const allowed = 25;
    await setLimit(token, 'stake', 'day', allowed * LINE);
    await setLimit(token, 'loss', 'month', (allowed + 5) * LINE);
    const conns = await Promise.all([0, 1].map(() => PlayerConnection.join(ts.wsUrl, token, draw.publicId)));
    const perConn = 18;
    for (let k = 0; k < perConn; k++) conns.forEach((c, i) => c.room.send('bet', { requestId: `c${i}-${k}`, quickPick: 1 }));
    const direct = Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        const client = await second.connect();
        try {
          const out = [];
          for (let k = 0; k < 5; k++) out.push(...(await writeBetBatch(client, [0, 1].map((j) => lottoBet(ids, draw.id, `d${w}-${k}-${j}`, clock.nowMs(), [[1, 2, 3, 4, 5, 6 + w]])), 2_000)));
          return out;
        } finally {
          client.release();
        }
      }),
    );
    const replies = (await Promise.all(conns.map((c) => c.waitForReplies(perConn)))).flat();
    const written = (await direct).flat();
    t.equal(replies.length, conns.length * perConn, 'every bet over a socket answered');
    const bought = replies.filter((r) => r.type === 'bet:accepted').length + written.filter((r) => r.status === 'accepted').length;
    t.equal(bought, allowed, `exactly ${allowed} bought of ${replies.length + written.length}`);
    const refusals = new Set([...replies.filter((r) => r.type !== 'bet:accepted').map((r) => r.code), ...written.filter((r) => r.status === 'rejected').map((r) => (r as { code: string }).code)]);
    t.same([...refusals], ['LIMIT_REACHED'], 'every other bet refused LIMIT_REACHED');
    const { rows } = await ts.pool.query(`select coalesce(sum(cost_minor), 0)::int8 as staked from tickets where player_id = $1`, [ids.playerId]);
    t.equal(Number(rows[0].staked), allowed * LINE, 'the ledger holds exactly the limit');
    for (const c of conns) await c.leave();
  } finally {
    if (second !== ts.pool) await second.end();
  }
});

t.test('registration limits: the jurisdiction\'s defaults, the player\'s own, and its maximum', async (t) => {
  const register = (email: string, extra: Record<string, unknown>) =>
    http(ts.httpUrl, 'POST', '/api/auth/register', { email, password: 'correct horse battery staple', dateOfBirth: '1980-01-01', ...extra });
  const at = await register(`at-${Date.now()}@example.test`, { country: 'AT' });
  t.equal(at.status, 201);
  t.equal(at.body.jurisdiction, 'AT');
  t.match(at.body.limitsPrompt, { message: /limits/, set: 'POST /api/me/limits' }, 'a player who chose no limits of their own is asked to');
  const over = await register(`at2-${Date.now()}@example.test`, { country: 'AT', limits: { deposit: { month: 200_000 } } });
  t.match(over, { status: 403, body: { code: 'LIMIT_ABOVE_MAXIMUM' } });
  const email = `at3-${Date.now()}@example.test`;
  const own = await register(email, { country: 'AT', limits: { deposit: { month: 50_000 }, loss: { day: 2_000 } } });
  t.equal(own.status, 201);
  t.equal(own.body.limitsPrompt, undefined, 'one who chose some is not');
  const login = await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: 'correct horse battery staple' });
  const view = await limitsOf(login.body.token);
  const find = (kind: string, period: string) => view.limits.find((l: { kind: string; period: string }) => l.kind === kind && l.period === period);
  t.equal(view.jurisdiction, 'AT');
  t.match(find('deposit', 'month'), { amountMinor: 50_000, maximumMinor: 100_000, pending: null });
  t.match(find('loss', 'day'), { amountMinor: 2_000, maximumMinor: null });
  t.same(view.changes.map((c: { source: string }) => c.source).sort(), ['player', 'player']);
  const removal = await setLimit(login.body.token, 'deposit', 'month', null);
  t.match(removal, { status: 403, body: { code: 'LIMIT_ABOVE_MAXIMUM' } }, 'a limit with a maximum cannot be removed');
  t.match(await setLimit(login.body.token, 'deposit', 'month', 100_001), { status: 403, body: { code: 'LIMIT_ABOVE_MAXIMUM' } });
});

t.test('the activity series: the bet path (JS) and settlement (SQL) keep one layout, and the windows count what they should', async (t) => {
  // Random histories of stakes and prizes at random quarter-hours, applied by both writers in
  // time order, must give one series; the windows must equal sums over the raw events.
  const events = fc.array(fc.record({ q: fc.integer({ min: 0, max: 1_500 }), staked: fc.integer({ min: 0, max: 5 }), won: fc.integer({ min: 0, max: 5 }) }), { maxLength: 30 });
  const client = await ts.pool.connect();
  try {
    await fc.assert(
      fc.asyncProperty(events, async (list) => {
        const sorted = [...list].sort((a, b) => a.q - b.q);
        let row: ActivityRow = { playerId: 1, limits: { stake: { day: null, week: null, month: null }, loss: { day: null, week: null, month: null } }, series: [], monthKey: 1, monthStaked: 0, monthWon: 0, monthNow: 1, excludedUntilMs: null, identityVerified: true };
        for (const e of sorted) {
          const atMs = e.q * QUARTER_MS + 1;
          if (e.staked > 0) row = { ...row, ...addStake(row, atMs, e.staked) };
          if (e.won > 0) {
            const { rows } = await client.query(`select activity_add_won($1::int8[], $2, $3, $4)::text as s`, [seriesLiteral(row.series), e.q, e.won, keepFrom(e.q)]);
            row = { ...row, series: parseSeries(rows[0].s), monthWon: row.monthWon + e.won };
          }
        }
        const lastQ = sorted.length ? sorted[sorted.length - 1].q : 0;
        const w = windowsAt(row, lastQ * QUARTER_MS + 1);
        const sum = (from: number, f: 'staked' | 'won') => sorted.filter((e) => e.q >= from).reduce((s, e) => s + e[f], 0);
        const q = quarterOf(lastQ * QUARTER_MS + 1);
        if (w.staked.day !== sum(q - 96, 'staked') || w.staked.week !== sum(q - 672, 'staked')) return false;
        if (w.lost.day !== sum(q - 96, 'staked') - sum(q - 96, 'won')) return false;
        for (let i = 3; i < row.series.length; i += 3) if (row.series[i] <= row.series[i - 3]) return false;
        return true;
      }),
      { numRuns: 60 },
    );
  } finally {
    client.release();
  }
  t.pass('the writers agree and the windows are exact');
});

t.test('a player with no limits of their own is asked to set some at every deposit until they do', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  const first = await http(ts.httpUrl, 'POST', '/api/wallet/deposits', { amount: 1_000, idempotencyKey: 'prompt-1' }, token);
  t.equal(first.status, 202);
  t.match(first.body.limitsPrompt, { set: 'POST /api/me/limits' }, 'the first deposit asks');
  t.equal((await setLimit(token, 'deposit', 'week', 50_000)).status, 200);
  const second = await http(ts.httpUrl, 'POST', '/api/wallet/deposits', { amount: 1_000, idempotencyKey: 'prompt-2' }, token);
  t.equal(second.status, 202);
  t.equal(second.body.limitsPrompt, undefined, 'once a limit of their own is set, deposits no longer ask');
});
