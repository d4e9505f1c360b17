// Breaks and self-exclusion (issue 13): asked for over HTTP, every session of the player ends
// at once (the open socket closes SESSION_ENDED, the token stops working), no login, bet or
// deposit until it ends (each refused EXCLUDED, also at the ledger where the money moves),
// tickets bought before stand, and neither can be shortened.
import t from 'tap';
import { allGames, liabilityOfGame } from '../games/index.ts';
import { drumLineMask } from '../games/lineMask.ts';
import { lotto649 } from '../games/lotto649.ts';
import { writeBetBatch } from '../ledger/bets.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { exclusionEndMs, requestExclusion } from '../ledger/protection.ts';
import { insertDepositIntent } from '../ledger/wallet.ts';
import { SalesCloseCode } from '../rooms/closeCodes.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer, playerIdsByEmail } from './support/harness.ts';
import { until } from './support/wait.ts';

let ts: TestServer;
let clockOffsetMs = 0;
const clock = { nowMs: () => Date.now() + clockOffsetMs };
const PASSWORD = 'correct horse battery staple';
const DAY_MS = 86_400_000;

t.before(async () => {
  ts = await startTestServer({ clock });
});
t.afterEach(async () => {
  clockOffsetMs = 0;
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

const idsOf = (email: string) => playerIdsByEmail(ts.pool, email);

t.test('a break ends every session at once and refuses login, bets and deposits until it ends', async (t) => {
  const draw = await openDraw(ts.pool, 40 * DAY_MS);
  const { token, email } = await newPlayer(ts.httpUrl, 10_000);
  const ids = await idsOf(email);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const bought = await conn.bet({ requestId: 'before', quickPick: 1 });
  t.equal(bought.type, 'bet:accepted');
  let closedCode: number | undefined;
  conn.room.onLeave((code: number) => (closedCode = code));

  const askedMs = Date.now();
  const res = await http(ts.httpUrl, 'POST', '/api/me/exclusion', { kind: 'break', days: 3 }, token);
  t.equal(res.status, 200);
  t.ok(Math.abs(Date.parse(res.body.endsAt) - (askedMs + 3 * DAY_MS)) < 5_000, 'ends three days on');
  t.ok(await until(() => closedCode !== undefined, 1_000, 5), 'the open socket closed within a second');
  t.equal(closedCode, SalesCloseCode.SESSION_ENDED);
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).status, 401, 'the token no longer works');
  const login = await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: PASSWORD });
  t.match(login, { status: 403, body: { code: 'EXCLUDED', message: /excluded yourself from play until/ } });

  // Where the money moves, for whatever got past the sessions.
  const receivedAtMs = clock.nowMs();
  const client = await ts.pool.connect();
  try {
    const [result] = await writeBetBatch(
      client,
      [{ ...ids, drawId: draw.id, requestId: 'during', betType: 'standard', stakeMinor: 200, lines: [[1, 2, 3, 4, 5, 6]], lineMasks: [drumLineMask(lotto649.drums, [[1, 2, 3, 4, 5, 6]])], quickPick: false, costMinor: 200, receivedAtMs }],
      2_000,
    );
    t.match(result, { status: 'rejected', code: 'EXCLUDED' }, 'the bet batch refuses the bet');
  } finally {
    client.release();
  }
  t.match(await insertDepositIntent(ts.pool, ids.playerId, 'during', 1_000, 'sandbox', clock.nowMs()), { refused: 'EXCLUDED' }, 'a deposit is refused');
  const { rows } = await ts.pool.query(`select count(*)::int as n from tickets where player_id = $1`, [ids.playerId]);
  t.equal(rows[0].n, 1, 'the ticket bought before stands');

  clockOffsetMs = 3 * DAY_MS + 60_000;
  const again = await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: PASSWORD });
  t.equal(again.status, 200, 'the player may log in once the break is over');
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, again.body.token)).body.balanceMinor, 10_000 - 200, 'the balance is theirs, untouched');
  const record = (await http(ts.httpUrl, 'GET', '/api/me/limits', undefined, again.body.token)).body.exclusions;
  t.match(record, [{ kind: 'break', duration: '3 days', endsAt: res.body.endsAt }], 'the break is on the player\'s record');
});

t.test('an exclusion cannot be shortened: a shorter one asked for later leaves the longer end', async (t) => {
  const { email } = await newPlayer(ts.httpUrl);
  const { playerId } = await idsOf(email);
  const nowMs = clock.nowMs();
  const first = await requestExclusion(ts.pool, playerId, { kind: 'self_exclusion', months: 6 }, nowMs, liabilityOfGame);
  const second = await requestExclusion(ts.pool, playerId, { kind: 'break', days: 1 }, nowMs + 1_000, liabilityOfGame);
  t.equal(second.excludedUntilMs, first.excludedUntilMs, 'still excluded until the six months end');
  const longer = await requestExclusion(ts.pool, playerId, { kind: 'self_exclusion', months: 12 }, nowMs + 2_000, liabilityOfGame);
  t.ok(longer.excludedUntilMs > first.excludedUntilMs, 'a longer one lengthens it');
  const { rows } = await ts.pool.query(`select kind, duration from player_exclusions where player_id = $1 order by id`, [playerId]);
  t.same(rows, [{ kind: 'self_exclusion', duration: '6 months' }, { kind: 'break', duration: '1 days' }, { kind: 'self_exclusion', duration: '12 months' }], 'every request recorded');
});

t.test('self-exclusion runs whole calendar months; a break whole days', async (t) => {
  const at = Date.parse('2026-08-31T10:00:00Z');
  t.equal(new Date(exclusionEndMs({ kind: 'self_exclusion', months: 6 }, at)).toISOString(), '2027-02-28T10:00:00.000Z', 'the last day of a shorter month');
  t.equal(new Date(exclusionEndMs({ kind: 'self_exclusion', months: 12 }, at)).toISOString(), '2027-08-31T10:00:00.000Z');
  t.equal(new Date(exclusionEndMs({ kind: 'self_exclusion', months: 60 }, Date.parse('2028-02-29T00:00:00Z'))).toISOString(), '2033-02-28T00:00:00.000Z');
  t.equal(exclusionEndMs({ kind: 'break', days: 42 }, at), at + 42 * DAY_MS);
});

t.test('bad exclusion requests get clear codes and exclude no one', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  const bad = [
    { kind: 'break' },
    { kind: 'break', days: 0 },
    { kind: 'break', days: 43 },
    { kind: 'break', days: 2.5 },
    { kind: 'break', days: 3, months: 6 },
    { kind: 'self_exclusion', months: 3 },
    { kind: 'self_exclusion', days: 30 },
    { kind: 'holiday', days: 3 },
    { kind: 'break', days: '3' },
  ];
  for (const body of bad) t.match(await http(ts.httpUrl, 'POST', '/api/me/exclusion', body, token), { status: 400, body: { code: 'BAD_REQUEST' } }, JSON.stringify(body));
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).status, 200, 'the player is not excluded');
  t.match(await http(ts.httpUrl, 'POST', '/api/me/exclusion', { kind: 'break', days: 3 }), { status: 401 });
});
