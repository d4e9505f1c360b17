// Reality checks and the session time limit (issue 13): chosen by the player, every change
// recorded; a reality check reaches the open socket at the interval, with time played and the
// session's net result, and bets wait for its acknowledgement; a time limit ends the session
// (new ones at login, open ones when lowered), sockets included.
import t from 'tap';
import { SalesCloseCode } from '../rooms/closeCodes.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';
import { until } from './support/wait.ts';

const PASSWORD = 'correct horse battery staple';
const MINUTE_MS = 60_000;
let ts: TestServer;
let clockOffsetMs = 0;
const clock = { nowMs: () => Date.now() + clockOffsetMs };

t.before(async () => {
  ts = await startTestServer({ clock });
});
t.afterEach(() => {
  clockOffsetMs = 0;
});
t.teardown(() => ts.close());

const login = async (email: string) => (await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: PASSWORD })).body;

t.test('settings are bounded, kept, and every change recorded', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  for (const body of [{ realityCheckMinutes: 9 }, { realityCheckMinutes: 241 }, { sessionLimitMinutes: 5 }, { sessionLimitMinutes: 1441 }, { realityCheckMinutes: 'ten' }, { other: 1 }]) {
    t.match(await http(ts.httpUrl, 'POST', '/api/me/session-time', body, token), { status: 400, body: { code: 'BAD_REQUEST' } }, JSON.stringify(body));
  }
  t.match(await http(ts.httpUrl, 'POST', '/api/me/session-time', { realityCheckMinutes: 30, sessionLimitMinutes: 120 }, token), { status: 200, body: { realityCheckMinutes: 30, sessionLimitMinutes: 120 } });
  t.match(await http(ts.httpUrl, 'POST', '/api/me/session-time', { realityCheckMinutes: null }, token), { status: 200, body: { realityCheckMinutes: null, sessionLimitMinutes: 120 } }, 'an absent field is left as it was');
  const read = (await http(ts.httpUrl, 'GET', '/api/me/session-time', undefined, token)).body;
  t.match(read, { realityCheckMinutes: null, sessionLimitMinutes: 120 });
  t.match(read.changes, [{ setting: 'reality_check_minutes', value: null }, { setting: 'session_limit_minutes', value: 120 }, { setting: 'reality_check_minutes', value: 30 }], 'every change, newest first');
});

t.test('a reality check reaches the open socket; bets wait for its acknowledgement', async (t) => {
  const draw = await openDraw(ts.pool, 2 * 3600_000);
  const { token: first, email } = await newPlayer(ts.httpUrl, 10_000);
  t.equal((await http(ts.httpUrl, 'POST', '/api/me/session-time', { realityCheckMinutes: 10 }, first)).status, 200);
  const { token } = await login(email);
  // Ten minutes into this session, less a moment: the first check falls due just after joining.
  clockOffsetMs = 10 * MINUTE_MS - 700;
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const checks: any[] = [];
  conn.room.onMessage('reality_check', (m: unknown) => checks.push(m));
  conn.room.onMessage('reality_check:acknowledged', () => {});
  t.match(await conn.bet({ requestId: 'before-check', quickPick: 1 }), { type: 'bet:accepted' });
  t.ok(await until(() => checks.length === 1, 5_000, 10), 'the check arrives at the interval');
  const check = checks[0];
  t.match(check, { checkId: /^rc_[0-9a-f]{18}$/, stakedMinor: 200, wonMinor: 0, netMinor: -200 });
  t.ok(check.playedMinutes === 9 || check.playedMinutes === 10, `time played: ${check.playedMinutes} minutes`);
  t.match(await conn.bet({ requestId: 'during-check', quickPick: 1 }), { type: 'bet:rejected', code: 'REALITY_CHECK_PENDING', message: new RegExp(check.checkId) });
  const acknowledged = new Promise((resolve) => conn.room.onMessage('reality_check:acknowledged', resolve));
  conn.room.send('reality_check:ack', { checkId: 'rc_000000000000000000' });
  t.match(await conn.bet({ requestId: 'after-wrong-ack', quickPick: 1 }), { type: 'bet:rejected', code: 'REALITY_CHECK_PENDING' }, 'another checkId acknowledges nothing');
  conn.room.send('reality_check:ack', { checkId: check.checkId });
  t.match(await acknowledged, { checkId: check.checkId });
  t.match(await conn.bet({ requestId: 'after-ack', quickPick: 1 }), { type: 'bet:accepted' }, 'bets go on once acknowledged');
  const { rows } = await ts.pool.query(`select staked_minor, won_minor, acknowledged_at from reality_checks where public_id = $1`, [check.checkId]);
  t.match(rows, [{ staked_minor: '200', won_minor: '0' }]);
  t.ok(rows[0].acknowledged_at !== null, 'shown and acknowledged, both recorded');
  t.equal(checks.length, 1, 'the next one waits for the next interval');
  await conn.leave();
});

t.test('a session time limit ends sessions, open sockets included', async (t) => {
  const draw = await openDraw(ts.pool, 3 * 3600_000);
  const { token: old, email } = await newPlayer(ts.httpUrl, 1_000);
  const conn = await PlayerConnection.join(ts.wsUrl, old, draw.publicId);
  let closed: number | undefined;
  conn.room.onLeave((code: number) => (closed = code));
  t.equal((await http(ts.httpUrl, 'POST', '/api/me/session-time', { sessionLimitMinutes: 30 }, old)).status, 200);
  const fresh = await login(email);
  t.ok(Math.abs(Date.parse(fresh.expiresAt) - (clock.nowMs() + 30 * MINUTE_MS)) < 5_000, 'a new session ends 30 minutes after login');
  clockOffsetMs = 30 * MINUTE_MS + 1_000;
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, old)).status, 401, 'the session open before the limit was set ends at it too');
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, fresh.token)).status, 401, 'and the new one');
  t.ok(await until(() => closed !== undefined, 8_000, 20), 'the open socket is closed');
  t.equal(closed, SalesCloseCode.SESSION_ENDED);
});
