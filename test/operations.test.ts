// Operations (issue 15): operator accounts with roles and a mandatory second factor, each
// role allowed exactly its routes; sessions that end at once; every operator request in the
// audit log; the audit chain verified and its tampering named; a halted draw resumed or
// voided by two operators; the metrics scraped; the room monitor for operators only.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { totpAt } from '../core/totp.ts';
import { seedCommitment } from '../draw/commit.ts';
import { allGames } from '../games/index.ts';
import { verifyChain } from '../ledger/audit.ts';
import { closeDueDraws, drawById, drawsToLead, openDueDraws } from '../ledger/draws.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { CUTOFF_GRACE_MS } from '../core/limits.ts';
import { createLogger } from '../core/logger.ts';
import { createMetrics } from '../core/metrics.ts';
import { LedgerWatch } from '../actors/LedgerWatch.ts';
import { http, newPlayer, PlayerConnection, scheduleDraw, startTestServer, type TestServer } from './support/harness.ts';
import { sell } from './support/draws.ts';
import { base32Decode, createOperator, operatorLogin, operators, TEST_BOOTSTRAP_TOKEN, TEST_OPERATOR_PASSWORD, type OperatorLogin, type Role } from './support/operators.ts';
import { until } from './support/wait.ts';

const run = promisify(execFile);
const METRICS_TOKEN = 'operations-metrics-token-0123456789';
let ts: TestServer;
let team: Record<Role, OperatorLogin>;

t.before(async () => {
  ts = await startTestServer({ env: { DRAW_REVEAL_WAIT_SECONDS: '0', AUDIT_SIGN_EVERY_SECONDS: '1', METRICS_TOKEN } });
  team = await operators(ts.httpUrl);
});
t.teardown(() => ts.close());

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(ts.httpUrl + path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, body: json, text, headers: res.headers };
}

/** Waits until every pending audit event is chained (the chainer runs every 500 ms). */
async function chained(): Promise<void> {
  const done = await until(async () => (await ts.pool.query(`select count(*)::int4 as n from audit_pending`)).rows[0].n === 0, 10_000, 50);
  if (!done) throw new Error('audit events were not chained within 10 s');
}

t.test('the first admin comes from the bootstrap, once; login takes the password and a fresh TOTP code', async (t) => {
  t.match(await call('POST', '/api/operator/bootstrap', {}, { token: TEST_BOOTSTRAP_TOKEN, name: 'another', password: TEST_OPERATOR_PASSWORD }), { status: 409, body: { code: 'ALREADY_EXISTS' } }, 'only while no operator exists');
  t.match(await call('POST', '/api/operator/bootstrap', {}, { token: 'wrong-token-wrong-token', name: 'another', password: TEST_OPERATOR_PASSWORD }), { status: 401 });
  const made = await call('POST', '/api/operator/operators', team.admin.headers, { name: 'carol', role: 'finance', password: TEST_OPERATOR_PASSWORD });
  t.match(made, { status: 201, body: { name: 'carol', role: 'finance', totp: { secret: /^[A-Z2-7]+$/, otpauthUri: /^otpauth:\/\/totp\// } } });
  const secret = base32Decode(made.body.totp.secret);
  const code = totpAt(secret, Date.now());
  t.match(await call('POST', '/api/operator/login', {}, { name: 'carol', password: TEST_OPERATOR_PASSWORD }), { status: 400 }, 'the code is mandatory');
  t.match(await call('POST', '/api/operator/login', {}, { name: 'carol', password: 'not the password at all', code }), { status: 401, body: { code: 'INVALID_CREDENTIALS' } });
  const wrongCode = code === '000000' ? '111111' : '000000';
  t.match(await call('POST', '/api/operator/login', {}, { name: 'carol', password: TEST_OPERATOR_PASSWORD, code: wrongCode }), { status: 401, body: { code: 'INVALID_CREDENTIALS' } });
  const ok = await call('POST', '/api/operator/login', {}, { name: 'carol', password: TEST_OPERATOR_PASSWORD, code });
  t.match(ok, { status: 200, body: { token: /^op_/, operator: { name: 'carol', role: 'finance' } } });
  t.match(await call('POST', '/api/operator/login', {}, { name: 'carol', password: TEST_OPERATOR_PASSWORD, code }), { status: 401 }, 'a code logs in once');
  t.match(await call('POST', '/api/operator/operators', team.admin.headers, { name: 'carol', role: 'support', password: TEST_OPERATOR_PASSWORD }), { status: 409, body: { code: 'ALREADY_EXISTS' } });
  t.match(await call('GET', '/api/operator/me', { authorization: `Bearer ${ok.body.token}` }), { status: 200, body: { name: 'carol', role: 'finance' } });
  const player = await newPlayer(ts.httpUrl);
  t.equal((await call('GET', '/api/operator/me', { authorization: `Bearer ${player.token}` })).status, 401, 'a player token is not an operator session');
  t.equal((await call('GET', '/api/me', { authorization: `Bearer ${ok.body.token}` })).status, 401, 'an operator session is not a player session');
});

t.test('each role is allowed exactly the routes that name it', async (t) => {
  const document = (await call('GET', '/api/openapi.json')).body;
  const routes: { method: string; path: string; roles: Role[] }[] = [];
  for (const [path, methods] of Object.entries<any>(document.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      if (op['x-operator-roles']) routes.push({ method: method.toUpperCase(), path, roles: op['x-operator-roles'] });
    }
  }
  // Not in the published document: the scrape and the monitor.
  routes.push({ method: 'GET', path: '/metrics', roles: ['admin', 'support'] }, { method: 'GET', path: '/monitor/api', roles: ['admin', 'support'] });
  t.ok(routes.length >= 20, `${routes.length} operator routes`);
  const sample = (path: string) => path.replace(/\{drawId\}/g, 'lotto649-2026-01-01').replace(/\{[A-Za-z]+\}/g, 'x1');
  for (const r of routes) {
    // Logging out would end the session the rest of this test uses.
    if (r.path === '/api/operator/logout') continue;
    for (const role of ['admin', 'finance', 'auditor', 'support'] as Role[]) {
      const res = await call(r.method, sample(r.path), team[role].headers, r.method === 'POST' ? {} : undefined);
      if (r.roles.includes(role)) t.not(res.status, 403, `${role} may ${r.method} ${r.path} (${res.status})`);
      else t.match(res, { status: 403, body: { code: 'FORBIDDEN' } }, `${role} may not ${r.method} ${r.path}`);
      t.not(res.status, 401, 'a live session');
    }
    t.equal((await call(r.method, sample(r.path), {}, r.method === 'POST' ? {} : undefined)).status, 401, `nobody may ${r.method} ${r.path}`);
  }
});

t.test('a disabled operator or a changed role is refused from the next request on; logout ends the session; the last admin stays', async (t) => {
  const dave = await createOperator(ts.httpUrl, team.admin, 'dave', 'support');
  const erin = await createOperator(ts.httpUrl, team.admin, 'erin', 'finance');
  t.equal((await call('GET', '/api/operator/me', dave.headers)).status, 200);
  t.match(await call('POST', '/api/operator/operators/dave', team.admin.headers, { status: 'disabled' }), { status: 200, body: { status: 'disabled', sessionsEnded: 1 } });
  t.equal((await call('GET', '/api/operator/me', dave.headers)).status, 401, 'disabled: refused at once');
  await t.rejects(operatorLogin(ts.httpUrl, 'dave', dave.secret), /401/, 'and cannot log in');
  t.match(await call('POST', '/api/operator/operators/erin', team.admin.headers, { role: 'auditor' }), { status: 200, body: { role: 'auditor', sessionsEnded: 1 } });
  t.equal((await call('GET', '/api/operator/withdrawals', erin.headers)).status, 401, 'the old role is not used once more');
  const erinAgain = await operatorLogin(ts.httpUrl, 'erin', erin.secret);
  t.equal((await call('GET', '/api/operator/withdrawals', erinAgain.headers)).status, 403, 'the new role is what counts');
  t.equal((await call('POST', '/api/operator/logout', erinAgain.headers)).status, 200);
  t.equal((await call('GET', '/api/operator/me', erinAgain.headers)).status, 401, 'logged out');
  t.match(await call('POST', '/api/operator/operators/admin', team.admin.headers, { status: 'disabled' }), { status: 409, body: { code: 'LAST_ADMIN' } });
  t.match(await call('POST', '/api/operator/operators/nobody', team.admin.headers, { role: 'admin' }), { status: 404 });
  t.match(await call('POST', '/api/operator/operators/erin', team.admin.headers, {}), { status: 400 });
});

t.test('every operator request is in the audit log, refused ones too, with secrets left out', async (t) => {
  await call('GET', '/api/operator/withdrawals', team.support.headers);
  await call('POST', '/api/operator/operators', team.admin.headers, { name: 'frank', role: 'support', password: TEST_OPERATOR_PASSWORD });
  await chained();
  const { rows } = await ts.pool.query(`select kind, actor, body from audit_log where kind like 'operator.%' order by seq`);
  const refused = rows.find((r) => r.kind === 'operator.refused' && r.actor === 'support' && JSON.parse(r.body).details.route === '/api/operator/withdrawals');
  t.ok(refused, 'the refused request is recorded');
  const created = rows.find((r) => r.kind === 'operator.request' && JSON.parse(r.body).details.body?.name === 'frank');
  t.ok(created, 'the admin\'s request is recorded with its body');
  t.equal(JSON.parse(created.body).details.body.password, '[redacted]', 'its password is not');
  t.ok(rows.some((r) => r.kind === 'operator.login' && r.actor === 'carol'), 'logins are recorded');
  t.ok(rows.some((r) => r.kind === 'operator.login_failed' && r.actor === 'carol'), 'and failed ones');
  const { rows: made } = await ts.pool.query(`select actor from audit_log where kind = 'operator.created' and subject = 'operator:frank'`);
  t.same(made, [{ actor: 'admin' }], 'the account itself, by trigger, with who made it');
});

/** A lotto draw with one auditor committed, sold and sealed, then halted for want of the auditor's seed. */
async function haltedDraw(t: Test, auditor: OperatorLogin, players: { token: string }[]) {
  const now = Date.now();
  const draw = await scheduleDraw(ts.pool, { openAtMs: now + 1_500, cutoffAtMs: now + 4_000, drawAtMs: now + 4_600 });
  const seed = crypto.randomBytes(32);
  const commitment = Buffer.from(seedCommitment(draw.publicId, `auditor:${auditor.name}`, seed)).toString('hex');
  t.match(await call('POST', `/api/operator/draws/${draw.publicId}/auditors`, auditor.headers, { name: 'someone-else', commitment }), { status: 403 }, 'an auditor commits as themselves only');
  t.match(await call('POST', `/api/operator/draws/${draw.publicId}/auditors`, team.finance.headers, { commitment }), { status: 403 }, 'finance is no auditor');
  t.match(await call('POST', `/api/operator/draws/${draw.publicId}/auditors`, auditor.headers, { commitment }), { status: 201, body: { name: auditor.name } });
  await until(() => Date.now() >= draw.openAtMs + 50, 5_000, 20);
  await openDueDraws(ts.pool);
  await sell(ts, draw.publicId, players.map((p) => ({ token: p.token, bets: [{ quickPick: 2 }, { quickPick: 1 }] })));
  await until(() => Date.now() >= draw.cutoffAtMs + CUTOFF_GRACE_MS + 50, 10_000, 20);
  await closeDueDraws(ts.pool, CUTOFF_GRACE_MS);
  t.ok(await ts.server.draws.runner.seal(draw.id), 'sealed');
  await until(() => Date.now() >= draw.drawAtMs + 50, 5_000, 20);
  t.equal(await ts.server.draws.runner.draw(draw.id), 'halted', 'no seed from the auditor: halted');
  return { draw, seed };
}

/** A player connected to a sales room of a draw selling for a minute. */
async function connectedPlayer(): Promise<{ conn: PlayerConnection; token: string }> {
  const player = await newPlayer(ts.httpUrl, 1_000);
  const now = Date.now();
  const draw = await scheduleDraw(ts.pool, { openAtMs: now - 1_000, cutoffAtMs: now + 60_000, drawAtMs: now + 120_000 });
  await openDueDraws(ts.pool);
  return { conn: await PlayerConnection.join(ts.wsUrl, player.token, draw.publicId), token: player.token };
}

async function balanceOf(token: string): Promise<number> {
  return (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.balanceMinor;
}

t.test('a halted draw is voided by two operators: every ticket refunded exactly once, in the public record', async (t) => {
  const players = [await newPlayer(ts.httpUrl, 5_000), await newPlayer(ts.httpUrl, 5_000)];
  const { draw } = await haltedDraw(t, team.auditor, players);
  const spent = await Promise.all(players.map((p) => balanceOf(p.token)));
  t.ok(spent.every((b) => b < 5_000), 'they paid for their tickets');
  const second = await createOperator(ts.httpUrl, team.admin, 'admin2', 'admin');
  const path = `/api/operator/draws/${draw.publicId}/interventions`;
  t.match(await call('POST', path, team.admin.headers, { action: 'resume', reason: 'try again' }), { status: 409, body: { code: 'INPUT_MISSING', message: /auditor/ } }, 'no resume while the seed is missing');
  t.match(await call('POST', path, team.finance.headers, { action: 'void', reason: 'x' }), { status: 403 });
  const asked = await call('POST', path, team.admin.headers, { action: 'void', reason: 'auditor unreachable; regulator informed' });
  t.match(asked, { status: 201, body: { action: 'void', status: 'pending', requestedBy: 'admin', drawStatus: 'halted' } });
  t.match(await call('POST', path, second.headers, { action: 'void', reason: 'again' }), { status: 409, body: { code: 'ALREADY_EXISTS' } }, 'one request waits at a time');
  const approve = `${path}/${asked.body.interventionId}/approve`;
  t.match(await call('POST', approve, team.admin.headers), { status: 409, body: { code: 'SAME_OPERATOR' } }, 'the one who asked cannot approve');
  t.match(await call('POST', approve, second.headers), { status: 200, body: { status: 'done', approvedBy: 'admin2', drawStatus: 'voided' } });
  t.match(await call('POST', approve, second.headers), { status: 409, body: { code: 'NOT_PENDING' } }, 'approved once');
  t.ok((await drawsToLead(ts.pool, 60_000, 100)).includes(draw.id), 'its leader takes it up to refund it');

  // Refunds, as the draw's leader makes them, in steps; twice over changes nothing.
  t.equal(await ts.server.draws.runner.refundVoided(draw.id), 'refunded');
  t.equal(await ts.server.draws.runner.refundVoided(draw.id), 'refunded');
  t.same(await Promise.all(players.map((p) => balanceOf(p.token))), [5_000, 5_000], 'every stake back');
  const { rows } = await ts.pool.query(
    `select count(*)::int4 as tickets, count(r.ticket_id)::int4 as refunds, count(distinct r.transfer_id)::int4 as transfers
       from tickets t left join ticket_refunds r on r.ticket_id = t.id where t.draw_id = $1`,
    [draw.id],
  );
  t.same(rows[0], { tickets: 4, refunds: 4, transfers: 4 }, 'each ticket refunded once');
  t.notOk((await drawsToLead(ts.pool, 60_000, 100)).includes(draw.id), 'refunded: nothing left to lead');
  const record = await call('GET', `/api/draws/${draw.publicId}`);
  t.match(record.body, {
    status: 'voided',
    void: { voidedAt: String, refundsDoneAt: String },
    interventions: [{ action: 'void', status: 'done', requestedBy: 'admin', approvedBy: 'admin2', reason: 'auditor unreachable; regulator informed' }],
  }, 'the public record says who asked, who approved and why');
  const history = await http(ts.httpUrl, 'GET', `/api/tickets?draw=${draw.publicId}`, undefined, players[0].token);
  t.ok(history.body.tickets.every((x: any) => x.result?.outcome === 'refunded'), 'the history says refunded');
  const statement = await http(ts.httpUrl, 'GET', '/api/wallet/transactions', undefined, players[0].token);
  t.ok(statement.body.transactions.filter((m: any) => m.kind === 'refund').length === 2 && statement.body.transactions.every((m: any) => m.kind !== 'refund' || /was voided/.test(m.reason)), 'the statement says why');
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});

t.test('a halted draw resumes once the missing seed arrives, by two operators, and is drawn', async (t) => {
  const players = [await newPlayer(ts.httpUrl, 5_000)];
  t.equal((await http(ts.httpUrl, 'POST', '/api/me/limits', { kind: 'stake', period: 'week', amountMinor: 50_000 }, players[0].token)).status, 200, 'a limit, for the audit log');
  const { draw, seed } = await haltedDraw(t, team.auditor, players);
  const reveal = await call('POST', `/api/operator/draws/${draw.publicId}/auditors/${team.auditor.name}/reveal`, team.auditor.headers, { seed: seed.toString('hex') });
  t.match(reveal, { status: 200, body: { revealed: true } }, 'the auditor reveals while it is halted');
  const path = `/api/operator/draws/${draw.publicId}/interventions`;
  const asked = await call('POST', path, team.admin.headers, { action: 'resume', reason: 'auditor seed received' });
  t.match(asked, { status: 201, body: { action: 'resume' } });
  const admin3 = await createOperator(ts.httpUrl, team.admin, 'admin3', 'admin');
  t.match(await call('POST', `${path}/${asked.body.interventionId}/approve`, admin3.headers), { status: 200, body: { drawStatus: 'sealed' } });
  t.equal(await ts.server.draws.runner.draw(draw.id), 'drawn', 'drawn with every committed input');
  t.equal(await ts.server.draws.runner.settle(draw.id), 'settled');
  const record = await call('GET', `/api/draws/${draw.publicId}`);
  t.match(record.body, { status: 'settled', interventions: [{ action: 'resume', status: 'done', approvedBy: 'admin3' }] });
  t.equal((await drawById(ts.pool, draw.id))!.status, 'settled');
});

t.test('the audit chain holds every significant event; the verifier names the first record altered or missing', async (t) => {
  await chained();
  const publicKey: string = (await call('GET', '/api/keys')).body.keys[0].publicKey;
  await until(async () => (await ts.pool.query(`select count(*)::int4 as n from audit_heads`)).rows[0].n > 0, 5_000, 50);
  const good = await verifyChain(ts.pool, publicKey, Date.now());
  t.match(good, { ok: true, problems: [] });
  t.match(await call('GET', '/api/operator/audit/verification', team.auditor.headers), { status: 200, body: { ok: true, records: good.records } }, 'an auditor verifies it through the API');
  const page = await call('GET', '/api/operator/audit?kind=draw.void_&limit=5', team.auditor.headers);
  t.match(page.body.records, [{ kind: 'draw.void_requested', actor: 'admin', details: { reason: String }, hash: /^[0-9a-f]{64}$/ }, { kind: 'draw.void_approved', actor: 'admin2' }], 'and reads it');
  t.ok(good.records > 20 && good.signedHeads >= 1, `${good.records} records, ${good.signedHeads} signed heads`);
  const { rows } = await ts.pool.query(`select distinct kind from audit_log`);
  const kinds = new Set(rows.map((r) => r.kind));
  for (const kind of ['draw.created', 'draw.committed', 'auditor.committed', 'draw.open', 'draw.closed', 'draw.sealed', 'draw.halted', 'draw.void_requested', 'draw.void_approved', 'draw.voided', 'auditor.revealed', 'draw.resume_approved', 'draw.drawn', 'draw.settled', 'deposit.completed', 'player.limit', 'operator.created', 'operator.changed', 'operator.request', 'config.loaded', 'config.prize_rules']) {
    t.ok(kinds.has(kind), `${kind} is recorded`);
  }

  const cli = async (): Promise<{ code: number; out: string }> => {
    try {
      const { stdout } = await run('npx', ['tsx', 'app/audit-verify-cli.ts', '--public-key', publicKey], { env: { ...process.env, DATABASE_URL: ts.databaseUrl, REDIS_URL: '' } });
      return { code: 0, out: stdout };
    } catch (err: any) {
      return { code: err.code, out: String(err.stdout) };
    }
  };
  if (ts.databaseUrl) {
    const ok = await cli();
    t.match(ok, { code: 0, out: /audit log ok/ }, 'npm run audit:verify passes');
  }

  // Tampering, as someone with the database's superuser would: the append-only trigger off.
  const victim = Math.floor(good.records / 2);
  await ts.pool.query(`alter table audit_log disable trigger audit_log_permanent`);
  try {
    await ts.pool.query(`update audit_log set body = replace(body, '"kind"', '"kind" ') where seq = $1`, [victim]);
    const altered = await verifyChain(ts.pool, publicKey, Date.now());
    t.equal(altered.ok, false);
    t.match(altered.problems[0], { seq: victim, problem: /altered/ }, `the verifier names record ${victim}`);
    if (ts.databaseUrl) t.match(await cli(), { code: 1, out: new RegExp(`first altered or missing record: ${victim}`) }, 'and so does npm run audit:verify');
    await ts.pool.query(`update audit_log set body = replace(body, '"kind" ', '"kind"') where seq = $1`, [victim]);
    t.ok((await verifyChain(ts.pool, publicKey, Date.now())).ok, 'put back, it verifies again');
    await ts.pool.query(`delete from audit_log where seq = $1`, [victim + 1]);
    const missing = await verifyChain(ts.pool, publicKey, Date.now());
    t.match(missing.problems[0], { seq: victim + 1, problem: /missing/ }, 'a deleted record is named');
  } finally {
    await ts.pool.query(`alter table audit_log enable trigger audit_log_permanent`);
  }
  await t.rejects(ts.pool.query(`update audit_log set actor = 'x' where seq = 1`), /never changed or deleted/, 'the log refuses changes');
  await t.rejects(ts.pool.query(`delete from audit_log where seq = 1`), /never changed or deleted/);
});

t.test('metrics are scraped by Prometheus with its token or by admin and support', async (t) => {
  // A socket and a bet, so the per-process figures have something to count.
  const { conn, token } = await connectedPlayer();
  t.equal((await conn.bet({ requestId: 'metrics-1', quickPick: 1 })).type, 'bet:accepted');
  t.equal((await call('GET', '/metrics')).status, 401);
  t.equal((await call('GET', '/metrics', { authorization: 'Bearer not-the-metrics-token-at-all' })).status, 401);
  t.equal((await call('GET', '/metrics', team.finance.headers)).status, 403);
  t.equal((await call('GET', '/metrics', team.support.headers)).status, 200);
  const scraped = await call('GET', '/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
  t.equal(scraped.status, 200);
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(scraped.text)?.[1] ?? NaN);
  t.ok(value('lottery_bets_received_total') >= 1, 'bets received');
  t.match(scraped.text, /^lottery_bets_total\{outcome="accepted"\} \d+/m, 'accepted and refused by code');
  t.ok(value('lottery_bet_ack_seconds_count') >= 1, 'acknowledgement latency');
  t.ok(value('lottery_bet_batch_size_count') >= 1 && value('lottery_bet_commit_seconds_count') >= 1, 'batch sizes and commit times');
  t.ok(value('lottery_rooms') >= 1 && value('lottery_connections') >= 1, `rooms ${value('lottery_rooms')}, connections ${value('lottery_connections')}`);
  t.ok(value('nodejs_eventloop_lag_p99_seconds') >= 0, 'event-loop lag');
  t.match(scraped.text, /^lottery_db_pool_connections\{pool="main",state="total"\} \d+/m, 'pool use');
  t.match(scraped.text, /^lottery_db_pool_waiting\{pool="main"\} \d+/m, 'pool waits');
  t.ok(Number.isFinite(value('lottery_clock_skew_seconds')), 'clock skew');
  t.match(scraped.text, /^lottery_draw_step_seconds_count\{step="settle"\} [1-9]/m, 'draw step timings');
  t.match(scraped.text, /^lottery_draws_halted_total [1-9]/m, 'halts counted');
  t.ok(value('lottery_draw_close_overdue_seconds') >= 0 && value('lottery_draw_overdue_seconds') >= 0, 'overdue draws');
  t.match(scraped.text, /^lottery_http_responses_total\{class="4xx"\} [1-9]/m, 'answers by class');
  t.ok(value('lottery_audit_records_chained_total') >= 1, 'the audit chain moves');
  await conn.leave();

  // The shipped alert rules name only metrics the server exports.
  const rules = fs.readFileSync(new URL('../ops/alerts.yml', import.meta.url), 'utf8');
  const named = new Set([...rules.matchAll(/\b((?:lottery|nodejs|process)_[a-z_]+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1]));
  t.ok(named.size >= 6, `${named.size} metrics in the rules`);
  for (const name of named) t.match(scraped.text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is exported`);
  for (const alert of ['DrawNotClosed', 'DrawNotDrawn', 'DrawHalted', 'ClockSkew', 'LedgerInvariantViolated', 'ErrorRate']) t.match(rules, new RegExp(`alert: ${alert}\\b`), `${alert} ships`);
});

t.test('the room monitor is for operators only, read only', async (t) => {
  const { conn, token } = await connectedPlayer();
  t.equal((await call('GET', '/monitor/')).status, 401, 'nobody');
  t.equal((await call('GET', '/monitor/api', { authorization: `Bearer ${token}` })).status, 401, 'no player');
  t.equal((await call('GET', '/monitor/api', team.finance.headers)).status, 403, 'not finance');
  const watcher = await operatorLogin(ts.httpUrl, 'support', team.support.secret);
  const session = await call('POST', '/api/operator/monitor-session', watcher.headers);
  const cookie = session.headers.get('set-cookie') ?? '';
  t.match(cookie, /^lottery_operator=op_[A-Za-z0-9_-]+; Path=\/monitor;.*HttpOnly; SameSite=Strict/);
  const asCookie = { cookie: cookie.split(';')[0] };
  const page = await call('GET', '/monitor/', asCookie);
  t.equal(page.status, 200);
  t.match(page.text, /<html/);
  const asset = /assets\/([A-Za-z0-9._-]+\.js)/.exec(page.text)?.[1];
  t.equal((await call('GET', `/monitor/assets/${asset}`, asCookie)).status, 200, 'its script');
  t.equal((await call('GET', '/monitor/assets/..%2Fpackage.json', asCookie)).status, 400);
  const rooms = await call('GET', '/monitor/api', asCookie);
  const room = rooms.body.rooms.find((r: any) => r.name === 'sales' && r.clients >= 1);
  t.ok(room, 'the sales room with its client is listed');
  const inspected = await call('GET', `/monitor/api/room?roomId=${room.roomId}`, asCookie);
  t.match(inspected, { status: 200, body: { clients: [{ sessionId: String }] } }, 'its clients and state');
  t.match(await call('GET', `/monitor/api/room/call?roomId=${room.roomId}&method=_forceClientDisconnect&args=%5B%5D`, asCookie), { status: 403, body: { code: 'FORBIDDEN' } }, 'remote room calls are off');
  t.match(await call('GET', `/monitor/api/room/call?roomId=${room.roomId}&method=_forceClientDisconnect&args=%5B%5D`, team.admin.headers), { status: 403 }, 'for admins too');
  t.match(await call('GET', '/monitor/api/room?roomId=nope', asCookie), { status: 404 });
  await call('POST', '/api/operator/logout', { authorization: `Bearer ${cookie.split(';')[0].split('=')[1]}` });
  t.equal((await call('GET', '/monitor/api', asCookie)).status, 401, 'the cookie ends with the session');
  await conn.leave();
});

t.test('the periodic ledger check reports violations as a metric, and starts none in the minutes before a cutoff', async (t) => {
  const metrics = createMetrics();
  const watch = new LedgerWatch({ pool: ts.pool, logger: createLogger('silent'), metrics, linePrices: linePricesOf(allGames()), everyMs: 0 });
  const soon = await ts.pool.query(`select count(*)::int4 as n from draws where status in ('scheduled', 'open') and cutoff_at between now() and now() + interval '10 minutes'`);
  t.ok(soon.rows[0].n > 0, 'a draw closes within ten minutes');
  t.equal(await watch.checkOnce(), null, 'so no check starts');
  await ts.pool.query(`update draws set cutoff_at = cutoff_at + interval '1 hour', draw_at = draw_at + interval '1 hour' where status in ('scheduled', 'open') and cutoff_at < now() + interval '10 minutes'`);
  t.same(await watch.checkOnce(), [], 'a quiet moment: checked, nothing wrong');
  const gauge = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values[0].value;
  t.equal(await gauge('lottery_ledger_invariant_violations'), 0);
  t.ok((await gauge('lottery_ledger_checked_timestamp_seconds')) > Date.now() / 1000 - 60);
  const { rows } = await ts.pool.query(`select id from accounts where kind = 'player_wallet' order by id limit 1`);
  await ts.pool.query(`update accounts set balance_minor = balance_minor + 1 where id = $1`, [rows[0].id]);
  try {
    const found = await watch.checkOnce();
    t.ok(found && found.length > 0, `a wallet credited from nowhere is found: ${found?.[0]}`);
    t.ok((await gauge('lottery_ledger_invariant_violations')) > 0, 'and counted for the alert');
  } finally {
    await ts.pool.query(`update accounts set balance_minor = balance_minor - 1 where id = $1`, [rows[0].id]);
  }
});
