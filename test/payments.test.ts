// Payments (issue 14): deposits credited only by a verified webhook, once; webhooks that are
// tampered with, signed with another secret, stale, from the future, duplicated, reordered or
// about nothing of ours change nothing; withdrawals held at once, then paid, returned or
// reviewed by an operator; idempotency per player; a balance spent once by concurrent
// withdrawals and bets; held prizes released less tax or forfeited; the statement; the ledger
// invariants after every test.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { CUTOFF_GRACE_MS } from '../core/limits.ts';
import { webhookSignature } from '../core/webhook.ts';
import { drumLineMask } from '../games/lineMask.ts';
import { allGames } from '../games/index.ts';
import { lotto649 } from '../games/lotto649.ts';
import { writeBetBatch } from '../ledger/bets.ts';
import { closeDueDraws, drawById } from '../ledger/draws.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { PAYMENT_SIGNATURE_HEADER } from '../app/payments.ts';
import { reconcilePayments } from '../app/reconcile.ts';
import { deposit, http, newPlayer, openDraw, PlayerConnection, playerIdsByEmail, startTestServer, type TestServer } from './support/harness.ts';
import { drawSealed } from './support/draws.ts';
import { until } from './support/wait.ts';
import { operators } from './support/operators.ts';

const SECRET = crypto.randomBytes(32);
const REVIEW_ABOVE = 20_000;
let ts: TestServer;
let jurisdictionsDir: string;

t.before(async () => {
  // Every prize of a German player is held for review here, and a quarter of it withheld as tax.
  const table = JSON.parse(fs.readFileSync(new URL('../config/jurisdictions.json', import.meta.url), 'utf8'));
  const de = table.jurisdictions.find((j: any) => j.country === 'DE');
  Object.assign(de, { prizeReviewThresholdMinor: 1, taxWithholding: { thresholdMinor: 1, basisPoints: 2_500 } });
  jurisdictionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'payments-'));
  fs.writeFileSync(path.join(jurisdictionsDir, 'jurisdictions.json'), JSON.stringify(table));
  ts = await startTestServer({
    env: {
      PAYMENT_WEBHOOK_SECRET: SECRET.toString('hex'),
      WITHDRAWAL_REVIEW_ABOVE_MINOR: String(REVIEW_ABOVE),
      JURISDICTIONS_FILE: path.join(jurisdictionsDir, 'jurisdictions.json'),
    },
  });
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(async () => {
  await ts.close();
  fs.rmSync(jurisdictionsDir, { recursive: true, force: true });
});

const balance = async (token: string): Promise<number> => (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.balanceMinor;
const post = (p: string, body: unknown, token?: string) => http(ts.httpUrl, 'POST', p, body, token);

/** A provider event as the sandbox sends it, signed with `secret` at `atSeconds` (now by default). */
async function sendEvent(event: Record<string, unknown>, options: { secret?: Buffer; atSeconds?: number; tamper?: (raw: string) => string } = {}) {
  const raw = JSON.stringify(event);
  const signature = webhookSignature(options.secret ?? SECRET, options.atSeconds ?? Math.floor(Date.now() / 1000), Buffer.from(raw));
  const res = await fetch(`${ts.httpUrl}/api/payments/webhooks/sandbox`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [PAYMENT_SIGNATURE_HEADER]: signature },
    body: options.tamper ? options.tamper(raw) : raw,
  });
  return { status: res.status, body: await res.json() };
}

function eventFor(reference: string, providerRef: string, amountMinor: number, type: string, occurredAtMs: number) {
  return {
    eventId: `sbxpe_${crypto.randomBytes(12).toString('hex')}`,
    type,
    reference,
    providerRef,
    amountMinor,
    currency: 'EUR',
    reason: type.endsWith('declined') || type.endsWith('failed') ? 'test' : null,
    occurredAt: new Date(occurredAtMs).toISOString(),
  };
}

async function providerRefOf(reference: string): Promise<string> {
  const found = await until(async () => (await ts.pool.query(`select provider_ref from sandbox_provider.payments where reference = $1`, [reference])).rows.length > 0, 5_000, 10);
  if (!found) throw new Error(`the sandbox has no payment ${reference}`);
  return (await ts.pool.query(`select provider_ref from sandbox_provider.payments where reference = $1`, [reference])).rows[0].provider_ref;
}

async function waitForStatus(kind: 'deposits' | 'withdrawals', id: string, token: string, done: (s: string) => boolean): Promise<string> {
  let status = '';
  await until(async () => done((status = (await http(ts.httpUrl, 'GET', `/api/wallet/${kind}/${id}`, undefined, token)).body.status)), 10_000, 10);
  return status;
}

t.test('a deposit answers pending, is credited once its webhook comes, once however often it is asked for, and the open room hears it', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.teardown(() => conn.leave());
  const heard: any[] = [];
  conn.room.onMessage('wallet', (m: any) => heard.push(m));

  const asks = await Promise.all(Array.from({ length: 8 }, () => post('/api/wallet/deposits', { amount: 5_000, idempotencyKey: 'dep-1' }, token)));
  t.ok(asks.every((r) => r.status === 202 && r.body.status === 'pending'), 'every concurrent first attempt answers pending');
  const depositId = asks[0].body.depositId;
  t.equal(new Set(asks.map((r) => r.body.depositId)).size, 1, 'one deposit');
  t.equal(await waitForStatus('deposits', depositId, token, (s) => s !== 'pending'), 'completed');
  t.equal(await balance(token), 5_000, 'credited exactly once');
  t.ok(await until(() => heard.length > 0, 5_000, 10), 'the open room heard it');
  t.match(heard[0], { payment: 'deposit', id: depositId, status: 'completed', amountMinor: 5_000, balanceMinor: 5_000 });

  const replay = await post('/api/wallet/deposits', { amount: 5_000, idempotencyKey: 'dep-1' }, token);
  t.match(replay, { status: 202, body: { depositId, status: 'pending' }, headers: { 'idempotent-replayed': 'true' } }, 'the same key and amount replay the first answer');
  t.match(await post('/api/wallet/deposits', { amount: 6_000, idempotencyKey: 'dep-1' }, token), { status: 409, body: { code: 'IDEMPOTENCY_CONFLICT' } });
  const other = await newPlayer(ts.httpUrl);
  const theirs = await post('/api/wallet/deposits', { amount: 6_000, idempotencyKey: 'dep-1' }, other.token);
  t.equal(theirs.status, 202, 'keys are per player');
  t.not(theirs.body.depositId, depositId);
  t.equal(await waitForStatus('deposits', theirs.body.depositId, other.token, (s) => s !== 'pending'), 'completed');
});

t.test('declined and failed deposits leave no trace in balances; an unreachable provider charges nothing', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  t.equal(await deposit(ts.httpUrl, token, 1_013, 'declined'), 'declined');
  t.equal(await deposit(ts.httpUrl, token, 1_014, 'failed'), 'failed');
  t.match((await http(ts.httpUrl, 'GET', '/api/wallet/transactions', undefined, token)).body.transactions, [], 'no movement at all');
  const unreachable = await post('/api/wallet/deposits', { amount: 1_066, idempotencyKey: 'down' }, token);
  t.match(unreachable, { status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
  t.equal(await balance(token), 0);
  const { rows } = await ts.pool.query(`select status, sent_at from deposits where idempotency_key = 'down'`);
  t.same(rows.map((r) => [r.status, r.sent_at]), [['pending', null]], 'the deposit waits, never sent');
});

t.test('webhooks: tampered, wrongly signed, stale, future, unknown and mismatched ones are refused; duplicates and reordered ones change nothing', async (t) => {
  const { token } = await newPlayer(ts.httpUrl);
  const asked = await post('/api/wallet/deposits', { amount: 2_022, idempotencyKey: 'late' }, token); // the sandbox answers late
  t.equal(asked.status, 202);
  const id = asked.body.depositId;
  const ref = await providerRefOf(id);
  const now = Date.now();
  const success = eventFor(id, ref, 2_022, 'deposit.succeeded', now);
  const nowS = Math.floor(now / 1000);
  t.match(await sendEvent(success, { tamper: (raw) => raw.replace('2022', '9022') }), { status: 401, body: { code: 'INVALID_SIGNATURE' } }, 'a tampered body');
  t.match(await sendEvent(success, { secret: crypto.randomBytes(32) }), { status: 401, body: { code: 'INVALID_SIGNATURE' } }, 'another secret');
  // Past the 300 s tolerance by more than a slow machine's seconds between here and the check.
  t.match(await sendEvent(success, { atSeconds: nowS - 330 }), { status: 401, body: { code: 'INVALID_SIGNATURE', message: /300 s/ } }, 'a stale timestamp');
  t.match(await sendEvent(success, { atSeconds: Math.floor(Date.now() / 1000) + 330 }), { status: 401, body: { code: 'INVALID_SIGNATURE' } }, 'a future timestamp');
  const missing = await fetch(`${ts.httpUrl}/api/payments/webhooks/sandbox`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(success) });
  t.equal(missing.status, 401, 'no signature');
  t.match(await sendEvent(eventFor('dep_AAAAAAAAAAAAAAAA', ref, 2_022, 'deposit.succeeded', now)), { status: 400, body: { code: 'UNKNOWN_EVENT' } }, 'about no deposit of ours');
  t.match(await sendEvent(eventFor(id, ref, 2_023, 'deposit.succeeded', now)), { status: 400, body: { code: 'UNKNOWN_EVENT', message: /2023/ } }, 'another amount');
  t.match(await sendEvent({ ...success, extra: 1 }), { status: 400, body: { code: 'BAD_REQUEST' } }, 'not an event');
  t.equal(await balance(token), 0, 'nothing credited by any of them');

  t.match(await sendEvent(eventFor(id, ref, 2_022, 'deposit.processing', now + 5)), { status: 200, body: { outcomes: ['ignored: informational'] } });
  t.match(await sendEvent(eventFor(id, ref, 2_022, 'deposit.declined', now + 1)), { status: 200, body: { outcomes: ['ignored: stale'] } }, 'older than the last event applied');
  t.match(await sendEvent(success), { status: 200, body: { outcomes: ['ignored: stale'] } });
  const later = eventFor(id, ref, 2_022, 'deposit.succeeded', now + 10);
  t.match(await sendEvent(later), { status: 200, body: { outcomes: ['applied'] } });
  t.match(await sendEvent(later), { status: 200, body: { outcomes: ['duplicate'] } }, 'the same event again');
  t.match(await sendEvent(eventFor(id, ref, 2_022, 'deposit.failed', now + 20)), { status: 200, body: { outcomes: ['ignored: final'] } }, 'after the deposit is final');
  t.equal(await balance(token), 2_022, 'credited once');
  // The sandbox's own late webhook arrives after all this and changes nothing either.
  await until(async () => (await ts.pool.query(`select count(*)::int as n from payment_events e join deposits d on d.id = e.deposit_id where d.public_id = $1`, [id])).rows[0].n >= 6, 10_000, 20);
  t.equal(await balance(token), 2_022);

  for (const [amount, rule] of [[3_021, 'delivered twice'], [3_023, 'out of order']] as const) {
    t.equal(await deposit(ts.httpUrl, token, amount, `rule-${amount}`), 'completed', rule);
  }
  await new Promise((r) => setTimeout(r, 300));
  t.equal(await balance(token), 2_022 + 3_021 + 3_023, 'each credited once');
  const { rows } = await ts.pool.query(
    `select d.amount_minor, array_agg(e.type || ':' || coalesce(e.ignored_because, 'applied') order by e.id) as events
       from payment_events e join deposits d on d.id = e.deposit_id where d.amount_minor in (3021, 3023) group by d.amount_minor order by 1`,
  );
  t.same(rows.map((r) => [Number(r.amount_minor), r.events]), [
    [3_021, ['deposit.succeeded:applied']],
    [3_023, ['deposit.succeeded:applied', 'deposit.processing:final']],
  ], 'the second delivery was a duplicate; the late progress event was ignored');
});

t.test('a withdrawal leaves the wallet at once and is paid by the provider, or comes back when the payout fails', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.teardown(() => conn.leave());
  const heard: any[] = [];
  conn.room.onMessage('wallet', (m: any) => heard.push(m));
  const asks = await Promise.all(Array.from({ length: 6 }, () => post('/api/wallet/withdrawals', { amount: 3_000, idempotencyKey: 'w-1' }, token)));
  t.ok(asks.every((r) => r.status === 202), 'concurrent retries all answered');
  t.equal(new Set(asks.map((r) => r.body.withdrawalId)).size, 1, 'one withdrawal');
  t.match(asks.find((r) => !r.headers['idempotent-replayed'])!.body, { status: 'pending', balanceMinor: 7_000 });
  const id = asks[0].body.withdrawalId;
  t.equal(await waitForStatus('withdrawals', id, token, (s) => s === 'paid'), 'paid');
  t.equal(await balance(token), 7_000, 'debited once');
  t.ok(await until(() => heard.some((m) => m.status === 'paid'), 5_000, 10), 'the open room heard it paid');
  t.match(await post('/api/wallet/withdrawals', { amount: 3_001, idempotencyKey: 'w-1' }, token), { status: 409, body: { code: 'IDEMPOTENCY_CONFLICT' } });

  const failing = await post('/api/wallet/withdrawals', { amount: 2_013, idempotencyKey: 'w-2' }, token);
  t.match(failing, { status: 202, body: { balanceMinor: 7_000 - 2_013 } }, 'held at once');
  t.equal(await waitForStatus('withdrawals', failing.body.withdrawalId, token, (s) => s === 'failed'), 'failed');
  t.equal(await balance(token), 7_000, 'and back in the wallet');
  t.match(await post('/api/wallet/withdrawals', { amount: 7_001, idempotencyKey: 'w-3' }, token), { status: 422, body: { code: 'INSUFFICIENT_FUNDS' } });

  const statement = (await http(ts.httpUrl, 'GET', '/api/wallet/transactions?limit=2', undefined, token)).body;
  t.match(statement.transactions, [
    { kind: 'withdrawal_return', amountMinor: 2_013, withdrawalId: failing.body.withdrawalId, reason: /failed: back in the wallet/ },
    { kind: 'withdrawal_hold', amountMinor: -2_013 },
  ]);
  const rest = (await http(ts.httpUrl, 'GET', `/api/wallet/transactions?cursor=${statement.nextCursor}`, undefined, token)).body;
  t.match(rest.transactions.map((m: any) => [m.kind, m.amountMinor]), [['withdrawal_hold', -3_000], ['deposit', 10_000]], 'the next page, to the first deposit');
  t.equal(rest.nextCursor, null);
  t.match(await http(ts.httpUrl, 'GET', '/api/wallet/transactions?cursor=czE6MTox', undefined, token), { status: 400, body: { code: 'INVALID_CURSOR' } });
});

t.test('a large withdrawal waits for an operator: approved it is paid, rejected it comes back; each decided once', async (t) => {
  const { token } = await newPlayer(ts.httpUrl, 100_000);
  const big = await post('/api/wallet/withdrawals', { amount: REVIEW_ABOVE + 1, idempotencyKey: 'big-1' }, token);
  t.match(big, { status: 202, body: { status: 'review', balanceMinor: 100_000 - REVIEW_ABOVE - 1 } });
  const other = await post('/api/wallet/withdrawals', { amount: REVIEW_ABOVE + 2, idempotencyKey: 'big-2' }, token);
  const operator = (await operators(ts.httpUrl)).finance.headers;
  const decide = (id: string, body: unknown, headers: Record<string, string> = operator) =>
    fetch(`${ts.httpUrl}/api/operator/withdrawals/${id}/decision`, { method: 'POST', headers, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
  t.equal((await decide(big.body.withdrawalId, { approve: true }, { 'content-type': 'application/json' })).status, 401, 'operators only');
  const queue = await fetch(`${ts.httpUrl}/api/operator/withdrawals`, { headers: operator }).then((r) => r.json());
  t.same(queue.withdrawals.map((w: any) => w.id).filter((id: string) => [big.body.withdrawalId, other.body.withdrawalId].includes(id)), [big.body.withdrawalId, other.body.withdrawalId], 'both in the queue, oldest first');

  t.match(await decide(big.body.withdrawalId, { approve: true }), { status: 200 });
  t.equal(await waitForStatus('withdrawals', big.body.withdrawalId, token, (s) => s === 'paid'), 'paid');
  t.match(await decide(other.body.withdrawalId, { approve: false }), { status: 400, body: { message: /reason is required/ } });
  t.match(await decide(other.body.withdrawalId, { approve: false, reason: 'source of funds unclear' }), { status: 200, body: { status: 'rejected' } });
  t.match(await decide(other.body.withdrawalId, { approve: true }), { status: 409, body: { code: 'NOT_IN_REVIEW' } }, 'decided once');
  t.equal(await balance(token), 100_000 - REVIEW_ABOVE - 1, 'the rejected one came back');
  const { rows } = await ts.pool.query(`select status, decided_by, reason from withdrawals where public_id = $1`, [other.body.withdrawalId]);
  t.same(rows[0], { status: 'rejected', decided_by: 'finance', reason: 'source of funds unclear' });
});

t.test('a withdrawal needs a verified identity', async (t) => {
  const { token, email } = await newPlayer(ts.httpUrl, 5_000);
  await ts.pool.query(`update players set kyc_status = 'withdrawn' where email = $1`, [email]);
  t.match(await post('/api/wallet/withdrawals', { amount: 1_000, idempotencyKey: 'kyc' }, token), { status: 403, body: { code: 'KYC_REQUIRED' } });
  t.equal(await balance(token), 5_000);
});

t.test('one balance is spent once: concurrent withdrawals over HTTP and bets written by another pool never overdraw it', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token, email } = await newPlayer(ts.httpUrl, 10_000);
  const ids = await playerIdsByEmail(ts.pool, email);
  // A second process's bet writer: its own connections (on the embedded database, the server's pool).
  const second = ts.databaseUrl ? new pg.Pool({ connectionString: ts.databaseUrl, max: 4 }) : ts.pool;
  try {
    const LINE = [1, 2, 3, 4, 5, 6];
    const bet = (i: number) => ({
      ...ids,
      drawId: draw.id,
      requestId: `spend-${i}`,
      betType: 'standard',
      stakeMinor: 200,
      lines: [LINE],
      lineMasks: [drumLineMask(lotto649.drums, [LINE])],
      quickPick: false,
      costMinor: 200,
      receivedAtMs: Date.now(),
    });
    const writeBets = async (from: number) => {
      const client = await second.connect();
      try {
        return await writeBetBatch(client, Array.from({ length: 10 }, (_, k) => bet(from + k)), CUTOFF_GRACE_MS);
      } finally {
        client.release();
      }
    };
    const [withdrawals, ...batches] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, (_, i) => post('/api/wallet/withdrawals', { amount: 2_000, idempotencyKey: `spend-${i}` }, token))),
      writeBets(0),
      writeBets(10),
      writeBets(20),
    ]);
    const withdrawn = withdrawals.filter((r) => r.status === 202).length * 2_000;
    const staked = batches.flat().filter((r) => r.status === 'accepted').length * 200;
    t.ok(withdrawals.every((r) => r.status === 202 || (r.status === 422 && r.body.code === 'INSUFFICIENT_FUNDS')), 'each withdrawal held or refused for funds');
    t.ok(batches.flat().every((r) => r.status === 'accepted' || (r.status === 'rejected' && r.code === 'INSUFFICIENT_FUNDS')), 'each bet bought or refused for funds');
    t.ok(withdrawn + staked <= 10_000, `spent ${withdrawn + staked} of 10000`);
    const { rows } = await ts.pool.query(`select balance_minor from accounts where id = $1`, [ids.walletAccountId]);
    t.equal(Number(rows[0].balance_minor), 10_000 - withdrawn - staked, 'the wallet holds exactly the rest');
    t.ok(withdrawn + staked > 10_000 - 2_000, 'and what was refused could not have been paid: less than a withdrawal is left');
  } finally {
    if (second !== ts.pool) await second.end();
  }
});

t.test('prizes at or above the review threshold are held: released less the tax withheld, or forfeited; each once', async (t) => {
  // Every keno number as a one-spot line: 20 of the 80 are drawn, so several tickets win.
  // The player first: a registration under load must not eat the draw's short sale.
  const { token, email } = await newPlayer(ts.httpUrl, 100_000);
  const draw = await openDraw(ts.pool, 2_500, Date.now(), 200, 'keno');
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  for (let k = 0; k < 8; k++) {
    const reply = await conn.bet({ requestId: `keno-${k}`, stake: 200, lines: Array.from({ length: 10 }, (_, i) => [10 * k + i + 1]) });
    t.equal(reply.type, 'bet:accepted', JSON.stringify(reply).slice(0, 200));
  }
  await conn.leave();
  // A room of another draw stays open: the player hears their results there.
  const elsewhere = await PlayerConnection.join(ts.wsUrl, token, (await openDraw(ts.pool)).publicId);
  t.teardown(() => elsewhere.leave());
  const results: any[] = [];
  elsewhere.room.onMessage('result', (m: any) => results.push(m));
  const before = await balance(token);
  await new Promise((r) => setTimeout(r, Math.max(0, draw.cutoffAtMs + CUTOFF_GRACE_MS + 100 - Date.now())));
  await closeDueDraws(ts.pool, CUTOFF_GRACE_MS);
  t.ok(await ts.server.draws.runner.seal(draw.id));
  const drawn = await drawSealed(ts, (await drawById(ts.pool, draw.id))!);
  t.equal(await ts.server.draws.runner.settle(drawn.id), 'settled');
  t.equal(await balance(token), before, 'no prize reached the wallet');
  t.ok(await until(() => results.some((r) => r.drawId === draw.publicId), 5_000, 10), 'the result was told');
  const told = results.find((r) => r.drawId === draw.publicId);
  t.ok(told.tickets.length > 0 && told.tickets.every((x: any) => x.held === true), 'each prize told as held for review');

  const operator = (await operators(ts.httpUrl)).finance.headers;
  const queue = (await fetch(`${ts.httpUrl}/api/operator/prize-holds`, { headers: operator }).then((r) => r.json())).prizes.filter((p: any) => p.drawId === draw.publicId);
  t.ok(queue.length >= 2, `${queue.length} prizes held`);
  const { playerId } = await playerIdsByEmail(ts.pool, email);
  const { rows: paid } = await ts.pool.query(`select coalesce(sum(p.amount_minor), 0)::int8 as n from ticket_prizes p where p.draw_id = $1`, [draw.id]);
  t.equal(queue.reduce((n: number, p: any) => n + p.amountMinor, 0), Number(paid[0].n), 'every prize of the draw is held');
  const decide = (ticketId: string, body: unknown) =>
    fetch(`${ts.httpUrl}/api/operator/prize-holds/${ticketId}/decision`, { method: 'POST', headers: operator, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const [released, forfeited] = queue;
  const tax = Math.floor((released.amountMinor * 2_500) / 10_000);
  t.match(await decide(released.ticketId, { approve: true }), { status: 200, body: { status: 'released', amountMinor: released.amountMinor, taxMinor: tax, paidMinor: released.amountMinor - tax } });
  t.match(await decide(released.ticketId, { approve: true }), { status: 409, body: { code: 'NOT_IN_REVIEW' } }, 'released once');
  t.equal(await balance(token), before + released.amountMinor - tax, 'the prize less the tax reached the wallet');
  t.match(await decide(forfeited.ticketId, { approve: false, reason: 'ticket bought by a barred person' }), { status: 200, body: { status: 'forfeited' } });
  t.equal(await balance(token), before + released.amountMinor - tax, 'the forfeited prize did not');
  const { rows } = await ts.pool.query(`select status, tax_minor, tax_basis_points from prize_holds where player_id = $1 and status <> 'held' order by decided_at`, [playerId]);
  t.same(rows.map((r) => [r.status, r.tax_minor === null ? null : Number(r.tax_minor), r.tax_basis_points]), [['released', tax, 2_500], ['forfeited', null, null]], 'the tax record');
  const statement = (await http(ts.httpUrl, 'GET', '/api/wallet/transactions?limit=1', undefined, token)).body.transactions;
  t.match(statement, [{ kind: 'prize_release', amountMinor: released.amountMinor - tax, ticketId: released.ticketId, reason: new RegExp(`tax withheld ${tax}`) }]);
  const resultOf = async (ticketId: string) => (await http(ts.httpUrl, 'GET', `/api/tickets/${ticketId}`, undefined, token)).body.result;
  t.match(await resultOf(released.ticketId), { outcome: 'won', prizeMinor: released.amountMinor, review: 'released' }, 'the history says the prize was held and released');
  t.match(await resultOf(forfeited.ticketId), { outcome: 'won', review: 'forfeited' });
  if (queue.length > 2) t.match(await resultOf(queue[2].ticketId), { outcome: 'won', review: 'held' }, 'and which are still held');
  // Deposited, bet, won: and out it goes.
  const out = await post('/api/wallet/withdrawals', { amount: released.amountMinor - tax, idempotencyKey: 'winnings' }, token);
  t.equal(out.status, 202);
  t.equal(await waitForStatus('withdrawals', out.body.withdrawalId, token, (s) => s === 'paid' || s === 'failed'), 'paid', 'the winnings withdrawn');
});

t.test('reconciliation lists every difference between the provider\'s records and the ledger', async (t) => {
  const fromMs = Date.now() - 1_000;
  const { token } = await newPlayer(ts.httpUrl, 4_000);
  const lost = await post('/api/wallet/deposits', { amount: 2_044, idempotencyKey: 'lost' }, token); // decided, never called back
  const tampered = await post('/api/wallet/deposits', { amount: 2_000, idempotencyKey: 'tampered' }, token);
  const vanished = await post('/api/wallet/withdrawals', { amount: 1_000, idempotencyKey: 'vanished' }, token);
  t.equal(await waitForStatus('deposits', tampered.body.depositId, token, (s) => s !== 'pending'), 'completed');
  t.equal(await waitForStatus('withdrawals', vanished.body.withdrawalId, token, (s) => s === 'paid'), 'paid');
  t.equal(await waitForStatus('deposits', lost.body.depositId, token, () => true), 'pending');
  await until(async () => (await ts.pool.query(`select status from sandbox_provider.payments where reference = $1`, [lost.body.depositId])).rows[0]?.status === 'succeeded', 5_000, 10);
  // The provider's books say otherwise about two of them, and know one payment we never asked for.
  await ts.pool.query(`update sandbox_provider.payments set amount_minor = 2100 where reference = $1`, [tampered.body.depositId]);
  await ts.pool.query(`delete from sandbox_provider.payments where reference = $1`, [vanished.body.withdrawalId]);
  await ts.pool.query(
    `insert into sandbox_provider.payments (provider_ref, kind, reference, amount_minor, currency, status, created_at) values ('sbxpay_${'ab'.repeat(12)}', 'deposit', 'dep_NOTOURSxxxxxxxxx', 999, 'EUR', 'succeeded', now())`,
  );
  const report = await reconcilePayments(ts.pool, ts.server.payments, fromMs, Date.now() + 1_000);
  const problems = report.differences.map((d) => [d.reference, d.problem]).sort();
  t.same(problems, [
    [lost.body.depositId, 'status_differs'],
    [tampered.body.depositId, 'amount_differs'],
    ['dep_NOTOURSxxxxxxxxx', 'missing_in_ledger'],
    [vanished.body.withdrawalId, 'missing_at_provider'],
  ].sort());
  t.match(report.differences.find((d) => d.problem === 'status_differs'), { ledger: { status: 'processing' }, provider: { status: 'succeeded' } }, 'the lost webhook: paid at the provider, pending here');
  t.ok(report.matched >= 1, 'the seed deposit matches');
  // The same from the command line (npm run reconcile), where the database is a server of its
  // own; the embedded one belongs to the test server's process alone.
  if (ts.databaseUrl) {
    const json = path.join(jurisdictionsDir, 'reconcile.json');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'app/reconcile-cli.ts', '--from', new Date(fromMs).toISOString(), '--to', new Date(Date.now() + 1_000).toISOString(), '--json', json], {
      env: { ...process.env, DATABASE_URL: ts.databaseUrl, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    t.equal(run.status, 1, `npm run reconcile exits 1 on differences: ${run.stderr.slice(0, 300)}`);
    t.match(run.stdout, /differences 4/);
    t.same(JSON.parse(fs.readFileSync(json, 'utf8')).differences.map((d: any) => [d.reference, d.problem]).sort(), problems);
  }
  // Put the provider's books back for any later reconciliation of this database.
  await ts.pool.query(`delete from sandbox_provider.payments where reference = 'dep_NOTOURSxxxxxxxxx'`);
});

t.test('on a break or self-excluded, a player may still log in to withdraw their balance, and for nothing else', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token, email } = await newPlayer(ts.httpUrl, 5_000);
  t.equal((await post('/api/me/exclusion', { kind: 'self_exclusion', months: 6 }, token)).status, 200);
  const password = 'correct horse battery staple';
  t.match(await post('/api/auth/login', { email, password }), { status: 403, body: { code: 'EXCLUDED', message: /log in with "purpose": "withdraw"/ } });
  const login = await post('/api/auth/login', { email, password, purpose: 'withdraw' });
  t.match(login, { status: 200, body: { scope: 'withdraw', excludedUntil: /^\d{4}-/ } });
  const only = login.body.token;
  t.equal(await balance(only), 5_000, 'the profile and balance are readable');
  t.match(await post('/api/wallet/deposits', { amount: 1_000, idempotencyKey: 'x' }, only), { status: 403, body: { code: 'EXCLUDED' } }, 'no deposit');
  t.match(await http(ts.httpUrl, 'GET', '/api/me/limits', undefined, only), { status: 403, body: { code: 'EXCLUDED' } }, 'nothing else');
  const join = await fetch(`${ts.httpUrl}/matchmake/joinOrCreate/sales`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${only}` },
    body: JSON.stringify({ drawId: draw.publicId }),
  });
  t.match({ status: join.status, body: await join.json() }, { status: 403, body: { code: 'EXCLUDED', message: /to withdraw only/ } }, 'no sales room');
  const asked = await post('/api/wallet/withdrawals', { amount: 5_000, idempotencyKey: 'all-of-it' }, only);
  t.match(asked, { status: 202, body: { status: 'pending', balanceMinor: 0 } });
  t.equal(await waitForStatus('withdrawals', asked.body.withdrawalId, only, (s) => s === 'paid'), 'paid');
  t.match((await http(ts.httpUrl, 'GET', '/api/wallet/transactions', undefined, only)).body.transactions.map((m: any) => m.kind), ['withdrawal_hold', 'deposit']);
  t.equal((await post('/api/auth/logout', undefined, only)).status, 200);
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, only)).status, 401);
});
