// Fraud and anomaly detection (issue 15), end to end on a real server: every rule fires on
// data made through the public API (SDK bets, sandbox deposits, registrations and logins,
// a raffle drawn and settled) and stays silent below its threshold; an alert is listed by the
// operator route, counted at /metrics, in the audit log's pending table, and pushed to an
// operator in the `operators` room; a freeze answers the next bet BETTING_FROZEN and a
// dismissal opens betting again; a player reaches neither the routes nor the room.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@colyseus/sdk';
import t from 'tap';
import { allGames } from '../games/index.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { deposit, http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';
import { createOperator, operators } from './support/operators.ts';
import { until } from './support/wait.ts';
import { SalesCloseCode } from '../rooms/closeCodes.ts';
import { closeAndSeal, drawSealed } from './support/draws.ts';

/** The support operator's session: the alert routes and the live feed (admin and support only). */
let OPERATOR_TOKEN: string;
let BASIC: string;

/** Thresholds low enough for a test to cross with a handful of players. */
const RULES = {
  velocity: { enabled: true, severity: 'warning', action: 'freeze', betsMax: 5, windowSeconds: 60 },
  selection_burst: { enabled: true, severity: 'warning', action: 'alert', accountsMin: 3, windowSeconds: 60, quickPicks: false, fixedOdds: false },
  shared_address: { enabled: true, severity: 'info', action: 'alert', accountsMin: 3, windowDays: 30 },
  shared_device: { enabled: true, severity: 'warning', action: 'freeze', accountsMin: 3, windowDays: 30 },
  late_surge: { enabled: true, severity: 'warning', action: 'alert', lastMinutes: 10, sharePercentMin: 60, stakeMinMinor: 1_000 },
  structured_deposits: { enabled: true, severity: 'critical', action: 'alert', thresholdMinor: 10_000, belowPercent: 10, depositsMin: 3, windowHours: 24 },
  win_rate: { enabled: true, severity: 'critical', action: 'alert', windowDays: 30, ticketsMin: 3, winsMin: 3, ratioMin: 20 },
};

let ts: TestServer;
let dir: string;

t.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'risk-'));
  fs.writeFileSync(path.join(dir, 'risk.json'), JSON.stringify(RULES));
  ts = await startTestServer({
    // X-Forwarded-For from this test is believed: each test names the address it comes from.
    // With REDIS_URL (a database index of the tests' own), alerts travel over Redis presence;
    // so do the login limits, which then outlive a run: high enough for runs one after another.
    env: { AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR: '100000', AUTH_LOGINS_PER_ADDRESS_PER_MINUTE: '100000', RISK_RULES_FILE: path.join(dir, 'risk.json'), TRUSTED_PROXY: '127.0.0.1', ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) },
  });
  OPERATOR_TOKEN = (await operators(ts.httpUrl)).support.token;
  BASIC = `Bearer ${OPERATOR_TOKEN}`;
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(async () => {
  await ts.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const operatorGet = async (p: string) => {
  const res = await fetch(ts.httpUrl + p, { headers: { authorization: BASIC } });
  return { status: res.status, text: await res.text() };
};
const operatorPost = async (p: string, body: unknown) => {
  const res = await fetch(ts.httpUrl + p, { method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};
/** Audit events matching `where` (over kind, actor, subject, details), once the chainer has chained what is pending. */
async function auditEvents(where: string, params: unknown[]): Promise<{ kind: string; actor: string; details: any }[]> {
  await until(async () => (await ts.pool.query(`select count(*)::int4 as n from audit_pending`)).rows[0].n === 0, 10_000, 50);
  const { rows } = await ts.pool.query(
    `select kind, actor, details from (select seq, kind, actor, subject, (body::jsonb)->'details' as details from audit_log) l where ${where} order by seq`,
    params,
  );
  return rows;
}

/** The alerts of a rule, after the monitor has written what it has queued. */
async function alertsOf(rule: string): Promise<any[]> {
  await ts.server.risk!.idle();
  const res = await operatorGet(`/api/operator/alerts?rule=${rule}&limit=200`);
  if (res.status !== 200) throw new Error(`alerts: ${res.status} ${res.text}`);
  return JSON.parse(res.text).alerts;
}
async function publicIdOf(token: string): Promise<string> {
  return (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.playerId;
}
let requestSeq = 0;
const lottoBet = (lines: number[][]) => ({ requestId: `risk-${++requestSeq}`, lines });

/** Registers and logs in from `address` (X-Forwarded-For) with `device`, as a client would. */
async function accountFrom(address: string, device?: string): Promise<{ playerId: string; token: string }> {
  const email = `risk-${crypto.randomBytes(5).toString('hex')}@example.test`;
  const password = 'correct horse battery staple';
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': address };
  const reg = await fetch(`${ts.httpUrl}/api/auth/register`, { method: 'POST', headers, body: JSON.stringify({ email, password, dateOfBirth: '1990-04-12', country: 'DE', ...(device ? { device } : {}) }) });
  const registered = await reg.json();
  if (reg.status !== 201) throw new Error(`register: ${JSON.stringify(registered)}`);
  const login = await fetch(`${ts.httpUrl}/api/auth/login`, { method: 'POST', headers, body: JSON.stringify({ email, password, ...(device ? { device } : {}) }) });
  const session = await login.json();
  if (login.status !== 200) throw new Error(`login: ${JSON.stringify(session)}`);
  return { playerId: registered.playerId, token: session.token };
}

t.test('velocity: more bets than betsMax in the window freezes betting; an operator hears it live; dismissing opens betting again', async (t) => {
  const draw = await openDraw(ts.pool);
  // An operator watching the feed before anything happens.
  const watcher = new Client(ts.wsUrl);
  watcher.auth.token = OPERATOR_TOKEN;
  const feed = await watcher.joinOrCreate('operators');
  const heard: any[] = [];
  feed.onMessage('alert', (a: any) => heard.push(a));

  const fast = await newPlayer(ts.httpUrl, 5_000);
  const calm = await newPlayer(ts.httpUrl, 5_000);
  const fastConn = await PlayerConnection.join(ts.wsUrl, fast.token, draw.publicId);
  const calmConn = await PlayerConnection.join(ts.wsUrl, calm.token, draw.publicId);
  try {
    for (let i = 0; i < 5; i++) t.equal((await calmConn.bet(lottoBet([[1 + i, 11, 21, 31, 41, 49]]))).type, 'bet:accepted');
    for (let i = 0; i < 6; i++) t.equal((await fastConn.bet(lottoBet([[2 + i, 12, 22, 32, 42, 48]]))).type, 'bet:accepted', `fast bet ${i + 1} accepted`);
    const fastId = await publicIdOf(fast.token);
    const calmId = await publicIdOf(calm.token);
    const alerts = await alertsOf('velocity');
    const mine = alerts.filter((a) => a.player === fastId);
    t.equal(mine.length, 1, 'one velocity alert for the player who bet six times in a minute');
    t.equal(alerts.filter((a) => a.player === calmId).length, 0, 'none for five bets (betsMax 5)');
    const alert = mine[0];
    t.match(alert, { rule: 'velocity', severity: 'warning', status: 'open', frozeBetting: true, details: { bets: 6, betsMax: 5 } });

    const frozen = await fastConn.bet(lottoBet([[3, 13, 23, 33, 43, 47]]));
    t.match(frozen, { type: 'bet:rejected', code: 'BETTING_FROZEN', message: /paused pending a review/ }, 'the next bet: BETTING_FROZEN');

    // Counted, in the audit log, and pushed live.
    const metrics = await operatorGet('/metrics');
    t.match(metrics.text, /lottery_risk_alerts_total\{rule="velocity",severity="warning"\} [1-9]/, 'counted at /metrics');
    const audit = await auditEvents(`subject = $1`, [`alert:${alert.alertId}`]);
    t.match(audit[0], { kind: 'alert.raised', actor: 'risk', details: { rule: 'velocity' } }, 'alert.raised in the audit log');
    const freezes = await auditEvents(`kind like 'player.betting_%' and details->>'alert' = $1`, [String(alert.alertId)]);
    t.same(freezes.map((r) => r.kind), ['player.betting_frozen'], 'the freeze is in the audit log too');
    const deadline = Date.now() + 5_000;
    while (!heard.some((a) => a.alertId === alert.alertId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    t.ok(heard.some((a) => a.alertId === alert.alertId && a.rule === 'velocity'), 'the operator in the room heard the alert');

    // Dismissed: the freeze this alert caused is lifted; a second review is refused.
    const dismissed = await operatorPost(`/api/operator/alerts/${alert.alertId}/review`, { decision: 'dismiss', note: 'a regular who bets fast' });
    t.match(dismissed, { status: 200, body: { alert: { status: 'dismissed', reviewedBy: 'support', frozeBetting: false }, unfroze: true } });
    const again = await operatorPost(`/api/operator/alerts/${alert.alertId}/review`, { decision: 'confirm', note: 'changed my mind' });
    t.match(again, { status: 409, body: { code: 'ALREADY_REVIEWED' } }, 'a second review: 409 ALREADY_REVIEWED');
    t.match(await fastConn.bet(lottoBet([[4, 14, 24, 34, 44, 46]])), { type: 'bet:accepted' }, 'after the dismissal the player bets again');
    const unfrozen = { rows: [{ n: (await auditEvents(`kind = 'player.betting_unfrozen' and details->>'alert' = $1`, [String(alert.alertId)])).length }] };
    t.equal(unfrozen.rows[0].n, 1, 'the lift is in the audit log');
  } finally {
    await fastConn.leave();
    await calmConn.leave();
    await feed.leave().catch(() => {});
  }
});

t.test('selection burst: one selection from accountsMin accounts in the window fires; from fewer it does not', async (t) => {
  const draw = await openDraw(ts.pool);
  const players = await Promise.all([0, 1, 2, 3, 4].map(() => newPlayer(ts.httpUrl, 1_000)));
  const same = [[5, 9, 17, 26, 38, 44]];
  const pair = [[6, 10, 18, 27, 39, 45]];
  for (const [k, p] of players.entries()) {
    const conn = await PlayerConnection.join(ts.wsUrl, p.token, draw.publicId);
    try {
      // Players 0..2 share one selection; 3..4 another (only two accounts).
      t.equal((await conn.bet(lottoBet(k < 3 ? same : pair))).type, 'bet:accepted');
    } finally {
      await conn.leave();
    }
  }
  const alerts = (await alertsOf('selection_burst')).filter((a) => a.draw === draw.publicId);
  t.equal(alerts.length, 1, 'one alert, for the selection three accounts bought');
  t.match(alerts[0], { severity: 'warning', player: null, frozeBetting: false, details: { lines: same, accounts: 3, accountsMin: 3 } });
});

t.test('late surge: one combination over its share of the stakes in the last minutes fires; spread stakes or an early draw do not', async (t) => {
  const late = await openDraw(ts.pool, 5 * 60_000);
  const spreadDraw = await openDraw(ts.pool, 5 * 60_000);
  const early = await openDraw(ts.pool, 60 * 60_000);
  // Six players, none over the velocity rule's five bets a minute.
  const [a, b, c, d, e, f] = await Promise.all([0, 1, 2, 3, 4, 5].map(() => newPlayer(ts.httpUrl, 2_000)));
  const hot = [7, 14, 21, 28, 35, 42];
  const sell = async (token: string, drawId: string, lines: number[][]) => {
    const conn = await PlayerConnection.join(ts.wsUrl, token, drawId);
    try {
      for (const l of lines) t.equal((await conn.bet(lottoBet([l]))).type, 'bet:accepted');
    } finally {
      await conn.leave();
    }
  };
  // Five lines of 2.00 on one combination (10.00, the minimum volume) from two accounts: 100%.
  await sell(a.token, late.publicId, [hot, hot, hot]);
  await sell(b.token, late.publicId, [hot, hot]);
  // The same on a draw an hour from cutoff: not late.
  await sell(c.token, early.publicId, [hot, hot, hot]);
  await sell(d.token, early.publicId, [hot, hot]);
  // Five different combinations, late: 20% each.
  await sell(e.token, spreadDraw.publicId, [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 7], [1, 2, 3, 4, 5, 8]]);
  await sell(f.token, spreadDraw.publicId, [[1, 2, 3, 4, 5, 9], [1, 2, 3, 4, 5, 10]]);
  const alerts = await alertsOf('late_surge');
  t.equal(alerts.filter((x) => x.draw === late.publicId).length, 1, 'the late draw: one alert');
  t.match(alerts.find((x) => x.draw === late.publicId), { details: { combination: hot.join('-'), sharePercent: 100, lateStakeTotalMinor: 1_000, lastMinutes: 10 } });
  t.equal(alerts.filter((x) => x.draw === early.publicId).length, 0, 'the early draw: none');
  t.equal(alerts.filter((x) => x.draw === spreadDraw.publicId).length, 0, 'the spread stakes: none');
});

t.test('shared address and device: accountsMin accounts from one address or device fire; fewer do not; a device rule set to freeze freezes', async (t) => {
  const crowded = await Promise.all([0, 1, 2].map(() => accountFrom('203.0.113.7')));
  const pair = await Promise.all([0, 1].map(() => accountFrom('203.0.113.8')));
  const addressAlerts = await alertsOf('shared_address');
  const named = (a: any) => a.details.players as string[];
  const crowdAlert = addressAlerts.find((a) => crowded.every((c) => named(a).includes(c.playerId)));
  t.ok(crowdAlert, 'an alert names the three accounts of 203.0.113.7');
  t.match(crowdAlert, { severity: 'info', details: { accounts: 3 }, frozeBetting: false });
  t.notOk(addressAlerts.some((a) => pair.some((p) => named(a).includes(p.playerId))), 'none names the two accounts of 203.0.113.8');

  const device = `device-${crypto.randomBytes(8).toString('hex')}`;
  const other = `device-${crypto.randomBytes(8).toString('hex')}`;
  const onDevice: { playerId: string; token: string }[] = [];
  for (let i = 0; i < 3; i++) onDevice.push(await accountFrom(`198.51.100.${10 + i}`, device));
  const twoOnOther = await Promise.all([0, 1].map((i) => accountFrom(`198.51.100.${20 + i}`, other)));
  const deviceAlerts = await alertsOf('shared_device');
  const deviceAlert = deviceAlerts.find((a) => onDevice.every((c) => named(a).includes(c.playerId)));
  t.ok(deviceAlert, 'an alert names the three accounts on one device');
  t.match(deviceAlert, { player: onDevice[2].playerId, frozeBetting: true }, 'the third account is frozen pending review');
  t.notOk(deviceAlerts.some((a) => twoOnOther.some((p) => named(a).includes(p.playerId))), 'two accounts on a device: none');
  const stored = await ts.pool.query(`select count(*)::int as n from risk_sightings where kind = 'device' and value_hash = sha256(convert_to($1, 'UTF8'))`, [device]);
  t.equal(stored.rows[0].n, 0, 'the fingerprint is not stored as sent (only under a labelled hash)');
});

t.test('structured deposits: depositsMin deposits just under the threshold in the window fire; fewer in the band do not', async (t) => {
  const structuring = await newPlayer(ts.httpUrl);
  const ordinary = await newPlayer(ts.httpUrl);
  // The band is [90.00, 100.00); amounts ending in 00 are completed by the sandbox.
  for (const [k, amount] of [9_500, 9_900, 9_000].entries()) t.equal(await deposit(ts.httpUrl, structuring.token, amount, `s-${k}`), 'completed');
  for (const [k, amount] of [9_500, 9_900, 5_000, 10_000].entries()) t.equal(await deposit(ts.httpUrl, ordinary.token, amount, `o-${k}`), 'completed');
  const alerts = await alertsOf('structured_deposits');
  const structuringId = await publicIdOf(structuring.token);
  const ordinaryId = await publicIdOf(ordinary.token);
  t.equal(alerts.filter((a) => a.player === structuringId).length, 1, 'three deposits in the band: one alert');
  t.match(alerts.find((a) => a.player === structuringId), { severity: 'critical', details: { deposits: 3, totalMinor: 28_400, bandMinor: [9_000, 10_000] } });
  t.equal(alerts.filter((a) => a.player === ordinaryId).length, 0, 'two in the band (the others outside it): none');
});

t.test("win rate: a winner far above the game's odds with the minimum sample fires; a smaller sample does not", async (t) => {
  // A raffle sold to two players only: every ticket wins, where its odds are 113 in 100,000.
  // The players first: registrations under load must not eat the draw's short sale.
  const [lucky, few] = await Promise.all([newPlayer(ts.httpUrl, 5_000), newPlayer(ts.httpUrl, 5_000)]);
  const raffle = await openDraw(ts.pool, 3_000, Date.now(), 500, 'raffle');
  for (const [p, n] of [[lucky, 3], [few, 2]] as const) {
    const conn = await PlayerConnection.join(ts.wsUrl, p.token, raffle.publicId);
    try {
      for (let i = 0; i < n; i++) t.equal((await conn.bet({ requestId: `raffle-${++requestSeq}`, lines: [[]] })).type, 'bet:accepted');
    } finally {
      await conn.leave();
    }
  }
  await closeAndSeal(ts, [raffle]);
  await drawSealed(ts, raffle);
  t.equal(await ts.server.draws.runner.settle(raffle.id), 'settled');
  const alerts = (await alertsOf('win_rate')).filter((a) => a.draw === raffle.publicId);
  const luckyId = await publicIdOf(lucky.token);
  t.equal(alerts.length, 1, 'one alert: the player with three winning tickets');
  t.match(alerts[0], { player: luckyId, severity: 'critical', details: { tickets: 3, winningTickets: 3, ratioMin: 20 } });
  t.ok(alerts[0].details.expectedWins < 0.01, 'against an expectation from the odds table');
});

t.test('a player reaches neither the alert routes nor the operators room', async (t) => {
  const player = await newPlayer(ts.httpUrl);
  const list = await http(ts.httpUrl, 'GET', '/api/operator/alerts', undefined, player.token);
  t.equal(list.status, 401, 'the list: 401');
  const review = await http(ts.httpUrl, 'POST', '/api/operator/alerts/1/review', { decision: 'dismiss', note: 'not mine to say' }, player.token);
  t.equal(review.status, 401, 'a review: 401');
  const client = new Client(ts.wsUrl);
  client.auth.token = player.token;
  await t.rejects(client.joinOrCreate('operators'), 'a player session cannot join the operators room');
  const nobody = new Client(ts.wsUrl);
  await t.rejects(nobody.joinOrCreate('operators'), 'nor can a client without a token');
  const badQuery = await operatorGet('/api/operator/alerts?limit=999');
  t.equal(badQuery.status, 400, 'the page size is bounded');
});

t.test('the alert feed is for admin and support only, and closes within a second when the session ends', async (t) => {
  const team = await operators(ts.httpUrl);
  const finance = new Client(ts.wsUrl);
  finance.auth.token = team.finance.token;
  await t.rejects(finance.joinOrCreate('operators'), 'finance does not watch');
  const watcher = await createOperator(ts.httpUrl, team.admin, 'watcher', 'support');
  const client = new Client(ts.wsUrl);
  client.auth.token = watcher.token;
  const feed = await client.joinOrCreate('operators');
  let closed: { code: number; atMs: number } | undefined;
  feed.onLeave((code: number) => (closed = { code, atMs: Date.now() }));
  const disabled = await fetch(`${ts.httpUrl}/api/operator/operators/watcher`, { method: 'POST', headers: team.admin.headers, body: JSON.stringify({ status: 'disabled' }) });
  t.equal(disabled.status, 200);
  const askedMs = Date.now();
  t.ok(await until(() => closed !== undefined, 2_500, 20), 'the feed closed');
  t.equal(closed?.code, SalesCloseCode.SESSION_ENDED);
  t.ok(closed!.atMs - askedMs <= 1_200, `within a second of the answer (${closed!.atMs - askedMs} ms)`);
});
