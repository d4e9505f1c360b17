// Reports and regulator exports (issue 15) on data made through the public API: players
// registered in two jurisdictions, verified, funded, betting through the SDK on a keno and a
// lotto draw that are closed, sealed, drawn and settled; held prizes released and forfeited by
// an operator; withdrawals paid and waiting for review; limits, a break, a self-exclusion and a
// suspension. Every figure of the report is checked against what the players and operators did
// and what the API told them; the CSV's shape and escaping; both exports; who may call; and
// what bad parameters get.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { csvCell, REPORT_CSV_HEADER } from '../app/reportCsv.ts';
import { allGames } from '../games/index.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { exportPage, findDrawSubject } from '../ledger/regulatorExport.ts';
import type { DrawRow } from '../ledger/draws.ts';
import { deposit, http, newPlayer, openDraw, PlayerConnection, playerIdsByEmail, startTestServer, verifyIdentity, type TestServer } from './support/harness.ts';
import { closeAndSeal, drawSealed } from './support/draws.ts';
import { until } from './support/wait.ts';
import { operators, type OperatorLogin, type Role } from './support/operators.ts';

/** An admin: reports, exports, prize decisions and suspensions alike; the roles' limits are checked at the end. */
let AS_OPERATOR: Record<string, string>;
let team: Record<Role, OperatorLogin>;
const REVIEW_ABOVE = 5_000;

interface Player {
  token: string;
  email: string;
  publicId: string;
  rowId: number;
}

let ts: TestServer;
let dir: string;
let fromIso: string;
let toIso: string;
let keno: DrawRow;
let lotto: DrawRow;
let a: Player; // DE: keno tickets covering every number (its prizes held: DE reviews every prize here)
let b: Player; // DE: lotto tickets; a withdrawal waiting for review
let c: Player; // AT: one keno and one lotto ticket (AT prizes are paid at once)
let d: Player; // DE: takes a break
let e: Player; // DE: excludes themselves, then is suspended by an operator
let released: { ticketId: string; amountMinor: number; taxMinor: number };
let forfeited: { ticketId: string; amountMinor: number };

const get = (p: string, headers: Record<string, string> = AS_OPERATOR) =>
  fetch(ts.httpUrl + p, { headers }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() }));
const getJson = async (p: string, headers?: Record<string, string>) => {
  const r = await get(p, headers);
  return { ...r, body: JSON.parse(r.text) };
};
const post = (p: string, body: unknown, token?: string) => http(ts.httpUrl, 'POST', p, body, token);
const operatorPost = (p: string, body: unknown) =>
  fetch(ts.httpUrl + p, { method: 'POST', headers: { ...AS_OPERATOR, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
const reportPath = (extra = '') => `/api/operator/reports?from=${encodeURIComponent(fromIso)}&to=${encodeURIComponent(toIso)}${extra}`;

async function player(country: 'DE' | 'AT', depositMinor: number): Promise<Player> {
  let token: string;
  let email: string;
  if (country === 'DE') ({ token, email } = await newPlayer(ts.httpUrl, depositMinor));
  else {
    email = `at_${Date.now()}_${Math.random().toString(16).slice(2)}@example.test`;
    const password = 'correct horse battery staple';
    const reg = await post('/api/auth/register', { email, password, dateOfBirth: '1991-02-03', country: 'AT' });
    if (reg.status !== 201) throw new Error(JSON.stringify(reg.body));
    token = (await post('/api/auth/login', { email, password })).body.token;
    await verifyIdentity(ts.httpUrl, token);
    if ((await deposit(ts.httpUrl, token, depositMinor, 'at-seed')) !== 'completed') throw new Error('AT deposit');
  }
  const publicId = (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.playerId;
  return { token, email, publicId, rowId: (await playerIdsByEmail(ts.pool, email)).playerId };
}

async function bets(p: Player, draw: DrawRow, messages: Record<string, unknown>[]): Promise<void> {
  const conn = await PlayerConnection.join(ts.wsUrl, p.token, draw.publicId);
  try {
    for (const [i, m] of messages.entries()) {
      const reply = await conn.bet({ requestId: `${draw.publicId}-${p.publicId}-${i}`, ...m });
      if (reply.type !== 'bet:accepted') throw new Error(JSON.stringify(reply));
    }
  } finally {
    await conn.leave();
  }
}

/** Every ticket of a player as their own history answers it (the public API). */
async function tickets(p: Player): Promise<any[]> {
  const out: any[] = [];
  for (let cursor = ''; ; ) {
    const page = (await http(ts.httpUrl, 'GET', `/api/tickets?limit=100${cursor}`, undefined, p.token)).body;
    out.push(...page.tickets);
    if (!page.nextCursor) return out;
    cursor = `&cursor=${page.nextCursor}`;
  }
}

t.before(async () => {
  // German prizes all go to review, a quarter withheld when released; Austrian ones are paid at once.
  const table = JSON.parse(fs.readFileSync(new URL('../config/jurisdictions.json', import.meta.url), 'utf8'));
  Object.assign(table.jurisdictions.find((j: any) => j.country === 'DE'), { prizeReviewThresholdMinor: 1, taxWithholding: { thresholdMinor: 1, basisPoints: 2_500 } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reports-'));
  fs.writeFileSync(path.join(dir, 'jurisdictions.json'), JSON.stringify(table));
  ts = await startTestServer({ env: { WITHDRAWAL_REVIEW_ABOVE_MINOR: String(REVIEW_ABOVE), JURISDICTIONS_FILE: path.join(dir, 'jurisdictions.json') } });
  team = await operators(ts.httpUrl);
  AS_OPERATOR = { authorization: team.admin.headers.authorization };
  fromIso = new Date(Date.now() - 1_000).toISOString();
  [a, b, c, d, e] = await Promise.all([player('DE', 40_000), player('DE', 20_000), player('AT', 10_000), player('DE', 0), player('DE', 0)]);
  await dayOfPlay();
  await afterTheDraws();
  toIso = new Date(Date.now() + 60_000).toISOString();
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(async () => {
  await ts.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function dayOfPlay(): Promise<void> {
  const now = Date.now();
  keno = await openDraw(ts.pool, 6_000, now, 200, 'keno');
  lotto = await openDraw(ts.pool, 6_000, now, 300, 'lotto649');
  const oneSpots = (k: number) => Array.from({ length: 10 }, (_, i) => [10 * k + i + 1]);
  await Promise.all([
    bets(a, keno, Array.from({ length: 8 }, (_, k) => ({ stake: 200, lines: oneSpots(k) }))),
    bets(b, lotto, [{ quickPick: 2 }, { lines: [[1, 2, 3, 4, 5, 6]] }]),
    bets(c, keno, [{ stake: 200, lines: oneSpots(0) }]).then(() => bets(c, lotto, [{ quickPick: 1 }])),
  ]);
  t.equal((await post('/api/me/limits', { kind: 'stake', period: 'day', amountMinor: 5_000 }, a.token)).status, 200);
  t.equal((await post('/api/me/exclusion', { kind: 'break', days: 3 }, d.token)).status, 200);
  t.equal((await post('/api/me/exclusion', { kind: 'self_exclusion', months: 6 }, e.token)).status, 200);
  t.equal((await operatorPost(`/api/operator/players/${e.publicId}/status`, { status: 'suspended', reason: 'report test' })).status, 200);
  await closeAndSeal(ts, [keno, lotto]);
  for (const draw of [keno, lotto]) t.equal(await ts.server.draws.runner.settle((await drawSealed(ts, draw)).id), 'settled');
}

async function afterTheDraws(): Promise<void> {
  const queue = (await getJson('/api/operator/prize-holds')).body.prizes.filter((p: any) => p.drawId === keno.publicId);
  const [first, second] = queue;
  const done = await operatorPost(`/api/operator/prize-holds/${first.ticketId}/decision`, { approve: true });
  released = { ticketId: first.ticketId, amountMinor: first.amountMinor, taxMinor: done.body.taxMinor };
  t.equal((await operatorPost(`/api/operator/prize-holds/${second.ticketId}/decision`, { approve: false, reason: 'report test' })).status, 200);
  forfeited = { ticketId: second.ticketId, amountMinor: second.amountMinor };
  const paid = await post('/api/wallet/withdrawals', { amount: 1_000, idempotencyKey: 'paid' }, a.token);
  t.ok(await until(async () => (await http(ts.httpUrl, 'GET', `/api/wallet/withdrawals/${paid.body.withdrawalId}`, undefined, a.token)).body.status === 'paid', 10_000, 10));
  t.match(await post('/api/wallet/withdrawals', { amount: REVIEW_ABOVE + 1, idempotencyKey: 'big' }, b.token), { status: 202, body: { status: 'review' } });
  // Alerts as the risk monitor would raise them (its code is another change): two about A on
  // the keno draw, one about C, and one raised before the period.
  await ts.pool.query(
    `insert into risk_alerts (rule, severity, player_id, draw_id, details, dedupe_key, raised_at) values
       ('deposit_burst', 'warning', $1, $3, '{}', 'a1', now()), ('deposit_burst', 'warning', $1, $3, '{}', 'a2', now()),
       ('stake_spike', 'critical', $2, null, '{}', 'c1', now()), ('stake_spike', 'critical', $2, null, '{}', 'old', now() - interval '1 day')`,
    [a.rowId, c.rowId, keno.id],
  );
}

/** What the players' own histories say: tickets, stakes and prizes, per game. */
async function fromHistories(players: Player[], game?: string) {
  const all = (await Promise.all(players.map(tickets))).flat().filter((x) => !game || x.gameId === game);
  const won = all.filter((x) => x.result?.prizeMinor > 0);
  return { tickets: all.length, stakesMinor: all.reduce((s, x) => s + x.costMinor, 0), prizes: won.length, prizesMinor: won.reduce((s, x) => s + x.result.prizeMinor, 0) };
}

t.test('sales, prizes and GGR per game are what the players bought and won', async (t) => {
  const { status, body: r } = await getJson(reportPath());
  t.equal(status, 200);
  t.match(r, { report: 'period', filters: { game: null, jurisdiction: null }, sales: { basis: 'draw time' }, payments: { basis: 'event time' } });
  for (const game of ['keno', 'lotto649']) {
    const want = await fromHistories([a, b, c], game);
    const publicDraw = (await http(ts.httpUrl, 'GET', `/api/draws?game=${game}`)).body.find((x: any) => x.drawId === (game === 'keno' ? keno : lotto).publicId);
    t.match(r.sales.games.find((g: any) => g.game === game), { draws: 1, drawsSettled: 1, drawsVoided: 0, tickets: want.tickets, stakesMinor: want.stakesMinor, refunded: { count: 0 } }, `${game} sales`);
    t.same(r.prizes.games.find((g: any) => g.game === game)?.prizes ?? { count: 0, amountMinor: 0 }, { count: want.prizes, amountMinor: want.prizesMinor }, `${game} prizes`);
    t.equal(want.prizesMinor, publicDraw.settlement.prizeTotalMinor, `${game}: the published prize total agrees`);
    t.match(r.ggr.games.find((g: any) => g.game === game), { stakesMinor: want.stakesMinor, prizesMinor: want.prizesMinor, ggrMinor: want.stakesMinor - want.prizesMinor, complete: true });
  }
  t.equal(r.sales.total.tickets, 8 + 2 + 2);
  t.equal(r.ggr.total.ggrMinor, r.sales.total.stakesMinor - r.prizes.total.prizes.amountMinor);
  const aWon = await fromHistories([a], 'keno');
  t.ok(aWon.prizes >= 2, 'one-spot lines on every keno number: 20 of them drawn, on several of the tickets');
  const keno_ = r.prizes.games.find((g: any) => g.game === 'keno');
  t.same(keno_.released, { count: 1, amountMinor: released.amountMinor, taxMinor: released.taxMinor }, 'the released prize and its tax');
  t.same(keno_.forfeited, { count: 1, amountMinor: forfeited.amountMinor });
  t.same(keno_.held, { count: aWon.prizes - 2, amountMinor: aWon.prizesMinor - released.amountMinor - forfeited.amountMinor }, 'A\'s other prizes still wait');
});

t.test('payments, liabilities as of now, responsible gambling and alerts are what happened', async (t) => {
  const r = (await getJson(reportPath())).body;
  t.same(r.payments.depositsCompleted, { count: 3, amountMinor: 70_000 });
  t.same(r.payments.withdrawalsPaid, { count: 1, amountMinor: 1_000 });
  t.match(r.payments.withdrawalsPending, { review: { count: 1, amountMinor: REVIEW_ABOVE + 1 }, total: { count: 1, amountMinor: REVIEW_ABOVE + 1 } });
  const balances = await Promise.all([a, b, c].map(async (p) => (await http(ts.httpUrl, 'GET', '/api/me', undefined, p.token)).body.balanceMinor as number));
  const held = (await getJson('/api/operator/prize-holds')).body.prizes.reduce((s: number, p: any) => s + p.amountMinor, 0);
  t.match(r.liabilities, {
    asOf: r.generatedAt,
    players: 5,
    walletsMinor: balances.reduce((s, x) => s + x, 0),
    withdrawalsHeldMinor: REVIEW_ABOVE + 1,
    prizesHeldMinor: held,
    totalMinor: balances.reduce((s, x) => s + x, 0) + REVIEW_ABOVE + 1 + held,
  });
  t.equal(r.responsibleGambling.limitsSetByPlayers, 1, "A's stake limit");
  t.match(r.responsibleGambling.limitChanges, [{ source: 'jurisdiction', kind: 'deposit', period: 'month', count: 1 }, { source: 'player', kind: 'stake', period: 'day', count: 1, removals: 0 }], "C's Austrian default and A's own limit");
  t.match(r.responsibleGambling, { breaks: 1, selfExclusions: 1, statusChanges: [{ to: 'suspended', count: 1 }] });
  t.match(r.alerts, { count: 3, open: 3, byRule: [{ rule: 'deposit_burst', severity: 'warning', count: 2 }, { rule: 'stake_spike', severity: 'critical', count: 1 }] }, 'the alert before the period is not counted');
});

t.test('large wins: at or above the threshold, largest first, each named', async (t) => {
  const all = (await getJson(reportPath('&largeWinMinor=1'))).body;
  const prizes = all.prizes.total.prizes;
  t.equal(all.largeWins.count, prizes.count, 'every prize is at least 1');
  t.equal(all.largeWins.wins.reduce((s: number, w: any) => s + w.amountMinor, 0), prizes.amountMinor);
  t.same(all.largeWins.wins.map((w: any) => w.amountMinor), [...all.largeWins.wins.map((w: any) => w.amountMinor)].sort((x: number, y: number) => y - x));
  t.match(all.largeWins.wins.find((w: any) => w.ticketId === released.ticketId), { playerId: a.publicId, jurisdiction: 'DE', game: 'keno', drawId: keno.publicId, review: 'released' });
  const top = all.largeWins.wins[0].amountMinor;
  const some = (await getJson(reportPath(`&largeWinMinor=${top}`))).body.largeWins;
  t.equal(some.count, all.largeWins.wins.filter((w: any) => w.amountMinor >= top).length);
  t.equal((await getJson(reportPath())).body.largeWins.thresholdMinor, 100_000, 'the default threshold');
});

t.test('a game filter keeps that game; a jurisdiction filter keeps its players', async (t) => {
  const kenoOnly = (await getJson(reportPath('&game=keno'))).body;
  t.same(kenoOnly.sales.games.map((g: any) => g.game), ['keno']);
  t.equal(kenoOnly.sales.total.tickets, 9);
  t.equal(kenoOnly.alerts.count, 2, 'only the alerts about a keno draw');
  t.equal(kenoOnly.payments.gameFilter, 'not applicable');
  const at = (await getJson(reportPath('&jurisdiction=AT'))).body;
  const want = await fromHistories([c]);
  t.match(at.sales.total, { tickets: 2, stakesMinor: want.stakesMinor });
  t.match(at.prizes.total, { prizes: { count: want.prizes, amountMinor: want.prizesMinor }, held: { count: 0 } }, 'Austrian prizes are never held');
  t.same(at.payments.depositsCompleted, { count: 1, amountMinor: 10_000 });
  t.same(at.payments.withdrawalsPaid, { count: 0, amountMinor: 0 });
  const cBalance = (await http(ts.httpUrl, 'GET', '/api/me', undefined, c.token)).body.balanceMinor;
  t.match(at.liabilities, { players: 1, walletsMinor: cBalance, withdrawalsHeldMinor: 0, prizesHeldMinor: 0 });
  t.match(at.responsibleGambling, { limitsSetByPlayers: 0, breaks: 0, selfExclusions: 0, statusChanges: [] });
  t.equal(at.alerts.count, 1);
  t.equal((await getJson(reportPath('&jurisdiction=IE'))).body.sales.total.tickets, 0, 'nobody from Ireland');
});

t.test('CSV: one long table with a header, RFC 4180 quoting, formulas neutralized, numbers left numbers', async (t) => {
  const res = await get(reportPath('&format=csv&game=-keno'));
  t.equal(res.status, 200);
  t.match(res.type, /^text\/csv/);
  const lines = res.text.split('\r\n');
  t.equal(lines.pop(), '', 'CRLF after every row, the last too');
  t.equal(lines[0], REPORT_CSV_HEADER.join(','));
  t.ok(lines.every((l) => !/\n/.test(l)));
  t.ok(lines.includes("report,,,filter_game,,,'-keno"), 'a filter that starts with - is written as text');
  const full = (await get(reportPath('&format=csv'))).text.split('\r\n');
  const r = (await getJson(reportPath())).body;
  t.ok(full.includes(`sales,draw time,TOTAL,tickets,${r.sales.total.tickets},${r.sales.total.stakesMinor},`));
  t.ok(full.includes(`ggr,draw time,keno,ggr,,${r.ggr.games.find((g: any) => g.game === 'keno').ggrMinor},complete`));
  t.ok(full.some((l) => l.startsWith('liabilities,as of ') && l.includes(`,total,,${r.liabilities.totalMinor},`)));
  t.ok(full.includes('alerts,event time,,deposit_burst:warning,2,,2 open'));
  t.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  t.equal(csvCell('+1'), "'+1");
  t.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  t.equal(csvCell('a,b'), '"a,b"');
  t.equal(csvCell('two\nlines'), '"two\nlines"');
  t.equal(csvCell(-500), '-500', 'a negative figure stays a number');
  t.equal(csvCell(null), '');
});

t.test('the draw export holds every record about the draw, in pages that join up', async (t) => {
  // The draw's steps reach the audit log by trigger; the chainer has them within a second.
  await until(async () => (await ts.pool.query(`select count(*)::int4 as n from audit_pending`)).rows[0].n === 0, 10_000, 50);
  const res = await get(`/api/operator/exports/draws/${keno.publicId}`);
  t.equal(res.status, 200);
  t.match(res.type, /^application\/x-ndjson/);
  const records = res.text.trimEnd().split('\n').map((l) => JSON.parse(l));
  const count = (type: string) => records.filter((x) => x.record === type).length;
  t.match(records[0], { record: 'export', subject: { kind: 'draw', id: keno.publicId }, version: 1 });
  t.match(records.at(-1), { record: 'end', counts: { ticket: 9, draw: 1, settlement: 1 } });
  t.match(records.find((x) => x.record === 'draw'), { drawId: keno.publicId, game: 'keno', status: 'settled', ticketCount: 9 });
  t.notOk(res.text.includes('seedSealed') || res.text.includes('seed_sealed'), 'no sealed seed');
  const r = (await getJson(reportPath('&game=keno'))).body;
  t.equal(count('prize'), r.prizes.total.prizes.count);
  t.equal(records.filter((x) => x.record === 'prize').reduce((s, x) => s + x.amountMinor, 0), r.prizes.total.prizes.amountMinor);
  t.equal(count('prize_hold'), (await fromHistories([a], 'keno')).prizes, "every prize of A's, whatever became of it");
  t.equal(count('alert'), 2);
  const kinds = records.filter((x) => x.record === 'audit').map((x) => x.kind);
  for (const kind of ['draw.created', 'draw.committed', 'draw.open', 'draw.closed', 'draw.sealed', 'draw.drawn', 'draw.settled']) t.ok(kinds.includes(kind), `the audit log's ${kind}`);
  t.ok(count('transfer') >= 1, 'the settlement flows');
  t.same(new Set(records.filter((x) => x.record === 'ticket').map((x) => x.playerId)), new Set([a.publicId, c.publicId]));
  // Three records a page, each page in its own snapshot: the same lines in the same order.
  const subject = (await findDrawSubject(ts.pool, keno.publicId))!;
  const lines: string[] = [];
  for (let cursor = null, pages = 0; pages < 100; pages++) {
    const page = await exportPage(ts.pool, subject, cursor, 3);
    lines.push(...page.lines);
    if ((cursor = page.next) === null) break;
  }
  const strip = (l: string) => l.replace(/"generatedAt":"[^"]+"/, '').replace(/,"resumed":(true|false)/, '');
  t.same(lines.filter((l) => !l.includes('"record":"end"')).map(strip), res.text.trimEnd().split('\n').filter((l) => !l.includes('"record":"end"')).map(strip));
});

t.test('the player export holds every record about the player and none of their secrets', async (t) => {
  const res = await get(`/api/operator/exports/players/${a.publicId}`);
  t.equal(res.status, 200);
  const records = res.text.trimEnd().split('\n').map((l) => JSON.parse(l));
  const of = (type: string) => records.filter((x) => x.record === type);
  t.match(of('player'), [{ playerId: a.publicId, email: a.email, jurisdiction: 'DE', identityStatus: 'verified' }]);
  const body = res.text.split('\n').slice(1).join('\n'); // the header's notes name what is left out
  t.notOk(/password|totp_secret|totpSecret|"token|tokenHash/i.test(body), 'no password hash, second-factor secret or token');
  const won = await fromHistories([a]);
  t.equal(of('ticket').length, 8);
  t.equal(of('prize').length, won.prizes);
  t.equal(of('prize').reduce((s, x) => s + x.amountMinor, 0), won.prizesMinor);
  t.equal(of('prize_hold').length, won.prizes);
  t.match(of('limit_change'), [{ kind: 'stake', period: 'day', amountMinor: 5_000, source: 'player' }]);
  t.match(of('deposit'), [{ amountMinor: 40_000, status: 'completed' }]);
  t.match(of('withdrawal'), [{ amountMinor: 1_000, status: 'paid' }]);
  t.ok(of('payment_event').length >= 2, 'the provider events of both');
  t.same(of('transfer').map((x) => `${x.direction}:${x.kind}:${x.amountMinor}`).sort(), [
    'in:deposit:40000', `in:prize_release:${released.amountMinor - released.taxMinor}`, 'out:withdrawal_hold:1000',
  ].sort(), 'every movement of the wallet but stakes (the tickets are those)');
  t.ok(of('identity_check').length === 1 && of('location_check').length >= 1);
  t.equal(of('alert').length, 2);
  const audited = new Set(of('audit').map((x) => x.kind));
  for (const kind of ['deposit.completed', 'withdrawal.requested', 'withdrawal.paid', 'prize.held', 'prize.released', 'player.limit']) t.ok(audited.has(kind), `the audit log's ${kind}`);
  t.match(records.at(-1), { record: 'end', counts: { ticket: 8, prize: won.prizes } });
  const excluded = await get(`/api/operator/exports/players/${e.publicId}`);
  t.match(excluded.text, /"record":"exclusion","kind":"self_exclusion","duration":"6 months"/);
  t.match(excluded.text, /"record":"status_change","from":"active","to":"suspended"/);
});

t.test('only operators get reports and exports; bad parameters get 400 with a code', async (t) => {
  for (const p of [reportPath(), `/api/operator/exports/draws/${keno.publicId}`, `/api/operator/exports/players/${a.publicId}`]) {
    t.equal((await get(p, {})).status, 401, `${p.split('?')[0]}: nobody`);
    t.equal((await get(p, { authorization: `Bearer ${a.token}` })).status, 401, 'a player');
    t.equal((await get(p, { authorization: 'Bearer op_wrongwrongwrongwrongwrongwrongwrongwrongwro' })).status, 401, 'wrong credentials');
    t.equal((await get(p, { authorization: team.auditor.headers.authorization })).status, 200, `${p.split('?')[0]}: an auditor`);
    t.equal((await get(p, { authorization: team.support.headers.authorization })).status, 403, 'not support');
  }
  t.equal((await get(reportPath(), { authorization: team.finance.headers.authorization })).status, 200, 'finance reads reports');
  t.equal((await get(`/api/operator/exports/players/${a.publicId}`, { authorization: team.finance.headers.authorization })).status, 403, 'but exports no player');
  const bad: [string, string][] = [
    ['/api/operator/reports?to=2026-12-02', 'BAD_REQUEST'],
    ['/api/operator/reports?from=yesterday&to=2026-12-02', 'INVALID_PERIOD'],
    ['/api/operator/reports?from=2026-02-30&to=2026-03-02', 'INVALID_PERIOD'],
    ['/api/operator/reports?from=2026-12-02&to=2026-12-01', 'INVALID_PERIOD'],
    ['/api/operator/reports?from=2025-01-01&to=2026-02-06', 'INVALID_PERIOD'],
    ['/api/operator/reports?from=2026-12-01&to=2026-12-02&format=xml', 'BAD_REQUEST'],
    ['/api/operator/reports?from=2026-12-01&to=2026-12-02&jurisdiction=de', 'BAD_REQUEST'],
    ['/api/operator/reports?from=2026-12-01&to=2026-12-02&largeWinMinor=0', 'BAD_REQUEST'],
    [`/api/operator/exports/draws/${keno.publicId}?cursor=nope`, 'INVALID_CURSOR'],
    [`/api/operator/exports/draws/${keno.publicId}?cursor=99.0.0`, 'INVALID_CURSOR'],
    ['/api/operator/exports/players/not-a-player', 'BAD_REQUEST'],
  ];
  for (const [p, code] of bad) t.match(await getJson(p), { status: 400, body: { code } }, p);
  t.match(await getJson('/api/operator/exports/draws/no-such-draw'), { status: 404, body: { code: 'NOT_FOUND' } });
  t.match(await getJson('/api/operator/exports/players/p_AAAAAAAAAAAAAAAA'), { status: 404, body: { code: 'NOT_FOUND' } });
  t.equal((await get('/api/operator/reports?from=2025-01-01&to=2026-02-05')).status, 200, 'exactly 400 days');
});

t.test('npm run report: the same report and exports from the command line; bad arguments exit 2', async (t) => {
  const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'app/report-cli.ts', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  for (const args of [['--from', '2026-12-01'], ['--from', 'x', '--to', '2026-12-02'], ['--from', '2026-12-02', '--to', '2026-12-01'], ['export'], ['export', '--draw', 'a', '--player', 'b'], ['--bogus'], ['frobnicate']]) {
    const run = cli(args, { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    t.equal(run.status, 2, `${args.join(' ')}: exit 2`);
    t.match(run.stderr, /usage:/);
  }
  // The embedded database belongs to the test server's process alone.
  if (!ts.databaseUrl) return;
  const env = { DATABASE_URL: ts.databaseUrl, LOG_LEVEL: 'warn' };
  const json = cli(['--from', fromIso, '--to', toIso], env);
  t.equal(json.status, 0, json.stderr.slice(0, 300));
  const api = (await getJson(reportPath())).body;
  t.same({ ...JSON.parse(json.stdout), generatedAt: 0, liabilities: 0, payments: 0 }, { ...api, generatedAt: 0, liabilities: 0, payments: 0 });
  const csv = cli(['--from', fromIso, '--to', toIso, '--format', 'csv', '--game', 'keno'], env);
  t.equal(csv.status, 0);
  t.match(csv.stdout, /^section,basis,game,measure,count,amount_minor,text\r\n/);
  const drawExport = cli(['export', '--draw', keno.publicId], env);
  t.equal(drawExport.status, 0);
  t.match(drawExport.stdout.trimEnd().split('\n').at(-1), /"record":"end".*"ticket":9/);
  t.equal(cli(['export', '--player', 'p_AAAAAAAAAAAAAAAA'], env).status, 1, 'no such player: exit 1');
});
