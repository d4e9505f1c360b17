// Identity verification (issue 13): a player asks, the sandbox provider decides by its
// documented rules and answers through a signed callback; only a verified player deposits or
// bets (KYC_REQUIRED, also where the money moves: the deposit intent and the bet batch); a
// refused check can be retried; a refusal or a withdrawal ends every session; each provider
// event is applied at most once, late and out-of-order ones change nothing; callbacks with a
// missing, wrong, old or future signature, or about no check of ours, are refused.
import crypto from 'node:crypto';
import t from 'tap';
import { allGames } from '../games/index.ts';
import { drumLineMask } from '../games/lineMask.ts';
import { lotto649 } from '../games/lotto649.ts';
import { IDENTITY_SIGNATURE_HEADER, SANDBOX_WITHDRAW_AFTER_MS } from '../app/identity.ts';
import { webhookSignature, WEBHOOK_TOLERANCE_SECONDS } from '../core/webhook.ts';
import { writeBetBatch } from '../ledger/bets.ts';
import { IDENTITY_PENDING_STALE_MS } from '../ledger/identity.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { insertDepositIntent } from '../ledger/wallet.ts';
import { SalesCloseCode } from '../rooms/closeCodes.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, verifyIdentity, type TestServer, playerIdsByEmail, deposit as depositFunds } from './support/harness.ts';
import { until } from './support/wait.ts';

const SECRET = crypto.randomBytes(32);
const PASSWORD = 'correct horse battery staple';
let ts: TestServer;
let clockOffsetMs = 0;
const clock = { nowMs: () => Date.now() + clockOffsetMs };

t.before(async () => {
  ts = await startTestServer({ clock, env: { IDENTITY_CALLBACK_SECRET: SECRET.toString('hex') } });
});
t.afterEach(async () => {
  clockOffsetMs = 0;
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

const idsOf = (email: string) => playerIdsByEmail(ts.pool, email);

const ask = (token: string, documentNumber: string) => http(ts.httpUrl, 'POST', '/api/me/identity', { givenName: 'Ada', familyName: 'Lovelace', documentNumber }, token);
const identity = async (token: string) => (await http(ts.httpUrl, 'GET', '/api/me/identity', undefined, token)).body;
/** The player's status as the ledger has it (their session may have ended). */
async function statusOf(playerId: number): Promise<string> {
  return (await ts.pool.query(`select kyc_status from players where id = $1`, [playerId])).rows[0].kyc_status;
}
async function eventsOf(playerId: number) {
  const { rows } = await ts.pool.query(
    `select kind, decision, applied, ignored_because, player_status_from as "from", player_status_to as "to", reason from identity_events where player_id = $1 order by id`,
    [playerId],
  );
  return rows;
}
async function login(email: string): Promise<string> {
  const res = await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login: ${JSON.stringify(res.body)}`);
  return res.body.token;
}
async function betThroughLedger(ids: { playerId: number; walletAccountId: number }, drawId: number, requestId: string) {
  const client = await ts.pool.connect();
  try {
    const line = [1, 2, 3, 4, 5, 6];
    const [result] = await writeBetBatch(
      client,
      [{ ...ids, drawId, requestId, betType: 'standard', stakeMinor: 200, lines: [line], lineMasks: [drumLineMask(lotto649.drums, [line])], quickPick: false, costMinor: 200, receivedAtMs: clock.nowMs() }],
      2_000,
    );
    return result;
  } finally {
    client.release();
  }
}

t.test('an unverified player may look around but not deposit or bet; verified, they may', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token, email } = await newPlayer(ts.httpUrl, 0, { verify: false });
  const ids = await idsOf(email);
  t.match(await identity(token), { status: 'unverified', checks: [], history: [] });
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.identityStatus, 'unverified');
  t.equal((await http(ts.httpUrl, 'GET', '/api/games', undefined, token)).status, 200, 'the games are open to look at');
  const deposit = await http(ts.httpUrl, 'POST', '/api/wallet/deposits', { amount: 5_000, idempotencyKey: 'unverified' }, token);
  t.match(deposit, { status: 403, body: { code: 'KYC_REQUIRED', message: /identity is not verified/ } });
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.balanceMinor, 0, 'nothing was credited');
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.match(await conn.bet({ requestId: 'unverified', quickPick: 1 }), { type: 'bet:rejected', code: 'KYC_REQUIRED' }, 'a bet is refused KYC_REQUIRED, even with no money');
  // Where the money moves, for whatever got past the routes.
  t.match(await betThroughLedger(ids, draw.id, 'ledger-unverified'), { status: 'rejected', code: 'KYC_REQUIRED' }, 'the bet batch refuses it');
  t.match(await insertDepositIntent(ts.pool, ids.playerId, 'ledger-unverified', 1_000, 'sandbox', clock.nowMs()), { refused: 'KYC_REQUIRED' }, 'the deposit intent refuses it');

  t.equal(await verifyIdentity(ts.httpUrl, token), 'verified');
  const record = await identity(token);
  t.match(record.checks, [{ status: 'verified', documentLast4: '4567', reason: null }]);
  t.match(record.history, [
    { kind: 'decision', decision: 'verified', from: 'pending', to: 'verified', applied: true },
    { kind: 'submitted', from: 'unverified', to: 'pending', applied: true },
  ], 'every status change kept, newest first');
  t.equal(await depositFunds(ts.httpUrl, token, 5_000, 'verified'), 'completed', 'now a deposit goes through');
  t.match(await conn.bet({ requestId: 'verified', quickPick: 1 }), { type: 'bet:accepted' }, 'and a bet');
  t.match(await ask(token, 'P7654321'), { status: 409, body: { code: 'ALREADY_VERIFIED' } });
  await conn.leave();
});

t.test('a refused check ends the sessions; the player logs in again and a new check verifies them', async (t) => {
  const { token, email } = await newPlayer(ts.httpUrl, 0, { verify: false });
  const { playerId } = await idsOf(email);
  t.equal((await ask(token, 'X99990000')).status, 202);
  t.ok(await until(async () => (await statusOf(playerId)) === 'refused', 5_000, 10), 'the sandbox refuses a document ending 0000');
  t.ok(await until(async () => (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).status === 401, 1_000, 10), 'the session ended');
  const again = await login(email);
  t.match(await identity(again), { status: 'refused', checks: [{ status: 'refused', reason: 'document_invalid' }] });
  t.equal(await verifyIdentity(ts.httpUrl, again, 'X12345678'), 'verified', 'a refused verification can be retried');
  const record = await identity(again);
  t.equal(record.checks.length, 2, 'both checks kept');
  t.same(record.history.map((h: { from: string; to: string }) => `${h.from}>${h.to}`), ['pending>verified', 'refused>pending', 'pending>refused', 'unverified>pending']);
});

t.test('a withdrawn verification ends the open socket and the sessions; bets are refused after', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token, email } = await newPlayer(ts.httpUrl, 0, { verify: false });
  const ids = await idsOf(email);
  t.equal(await verifyIdentity(ts.httpUrl, token, 'W00002222'), 'verified', 'first verified');
  t.equal(await depositFunds(ts.httpUrl, token, 5_000, 'w'), 'completed');
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  let closedCode: number | undefined;
  conn.room.onLeave((code: number) => (closedCode = code));
  t.ok(await until(() => closedCode !== undefined, SANDBOX_WITHDRAW_AFTER_MS + 3_000, 5), 'the open socket closed when the provider withdrew it');
  t.equal(closedCode, SalesCloseCode.SESSION_ENDED);
  t.equal(await statusOf(ids.playerId), 'withdrawn');
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).status, 401, 'the token no longer works');
  const again = await login(email);
  const conn2 = await PlayerConnection.join(ts.wsUrl, again, draw.publicId);
  t.match(await conn2.bet({ requestId: 'after', quickPick: 1 }), { type: 'bet:rejected', code: 'KYC_REQUIRED' });
  t.match(await betThroughLedger(ids, draw.id, 'after-ledger'), { status: 'rejected', code: 'KYC_REQUIRED' });
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, again)).body.balanceMinor, 5_000, 'the balance stands');
  await conn2.leave();
});

t.test('each provider event applies once; late and out-of-order ones change nothing', async (t) => {
  const twice = await newPlayer(ts.httpUrl, 0, { verify: false });
  const twiceId = (await idsOf(twice.email)).playerId;
  t.equal(await verifyIdentity(ts.httpUrl, twice.token, 'D00004444'), 'verified');
  await new Promise((r) => setTimeout(r, 300)); // the second delivery comes 20 ms after the first
  t.same((await eventsOf(twiceId)).map((e) => e.kind), ['submitted', 'decision'], 'a callback delivered twice is recorded and applied once');

  const swapped = await newPlayer(ts.httpUrl, 0, { verify: false });
  const swappedId = (await idsOf(swapped.email)).playerId;
  t.equal((await ask(swapped.token, 'D00005555')).status, 202);
  t.ok(await until(async () => (await eventsOf(swappedId)).length === 3, 5_000, 10), 'both decisions arrived');
  t.equal(await statusOf(swappedId), 'withdrawn', 'the withdrawal, decided last, stands though it came first');
  t.match(await eventsOf(swappedId), [
    { kind: 'submitted' },
    { kind: 'decision', decision: 'withdrawn', applied: true, to: 'withdrawn' },
    { kind: 'decision', decision: 'verified', applied: false, ignored_because: 'stale', from: 'withdrawn', to: 'withdrawn' },
  ]);
});

t.test('a provider that cannot be reached, or never answers', async (t) => {
  const { token, email } = await newPlayer(ts.httpUrl, 0, { verify: false });
  const { playerId } = await idsOf(email);
  t.match(await ask(token, 'U00006666'), { status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
  t.equal(await statusOf(playerId), 'unverified', 'nothing changed');
  t.match(await eventsOf(playerId), [{ kind: 'submitted' }, { kind: 'provider_error', from: 'pending', to: 'unverified' }]);

  t.equal((await ask(token, 'N00003333')).status, 202, 'a check the provider never answers');
  t.match(await ask(token, 'N00001234'), { status: 409, body: { code: 'IDENTITY_CHECK_PENDING' } }, 'another is refused while it is under way');
  clockOffsetMs = IDENTITY_PENDING_STALE_MS + 1_000;
  t.equal(await verifyIdentity(ts.httpUrl, token, 'N00001234'), 'verified', 'after 15 minutes a new check may be asked and decides');
  t.match((await identity(token)).checks, [{ status: 'verified' }, { status: 'pending' }, { status: 'failed' }]);
});

t.test('callbacks: signature, age, body and check are all checked', async (t) => {
  const { token, email } = await newPlayer(ts.httpUrl, 0, { verify: false });
  const { playerId } = await idsOf(email);
  t.equal((await ask(token, 'N10003333')).status, 202, 'a pending check the provider will not answer');
  const checkId = (await identity(token)).checks[0].checkId;
  const { rows } = await ts.pool.query(`select provider_ref from identity_checks where public_id = $1`, [checkId]);
  const event = {
    eventId: `sbxevt_${crypto.randomBytes(12).toString('hex')}`,
    checkId,
    providerRef: rows[0].provider_ref,
    decision: 'verified',
    reason: null,
    occurredAt: new Date().toISOString(),
  };
  const post = async (body: string, signature?: string) => {
    const res = await fetch(`${ts.httpUrl}/api/identity/callbacks/sandbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { [IDENTITY_SIGNATURE_HEADER]: signature } : {}) },
      body,
    });
    return { status: res.status, body: await res.json() };
  };
  const nowS = Math.floor(Date.now() / 1000);
  const raw = JSON.stringify(event);
  const sign = (body: string, at = nowS, secret = SECRET) => webhookSignature(secret, at, Buffer.from(body));
  t.match(await post(raw), { status: 401, body: { code: 'INVALID_SIGNATURE' } }, 'no signature');
  t.match(await post(raw, sign(raw, nowS, crypto.randomBytes(32))), { status: 401, body: { code: 'INVALID_SIGNATURE' } }, 'another secret');
  t.match(await post(raw.replace('verified', 'refused'), sign(raw)), { status: 401, body: { code: 'INVALID_SIGNATURE' } }, 'a body changed after signing');
  t.match(await post(raw, sign(raw, nowS - WEBHOOK_TOLERANCE_SECONDS - 60)), { status: 401, body: { code: 'INVALID_SIGNATURE', message: /timestamp/ } }, 'signed too long ago');
  t.match(await post(raw, sign(raw, nowS + WEBHOOK_TOLERANCE_SECONDS + 60)), { status: 401, body: { code: 'INVALID_SIGNATURE', message: /timestamp/ } }, 'signed in the future');
  t.match(await post(raw, 't=abc,v1=00'), { status: 401, body: { code: 'INVALID_SIGNATURE' } }, 'a malformed header');
  const unknown = JSON.stringify({ ...event, checkId: `idc_${crypto.randomBytes(12).toString('hex')}` });
  t.match(await post(unknown, sign(unknown)), { status: 400, body: { code: 'UNKNOWN_EVENT' } }, 'no such check');
  const mismatched = JSON.stringify({ ...event, providerRef: `sbxid_${crypto.randomBytes(12).toString('hex')}` });
  t.match(await post(mismatched, sign(mismatched)), { status: 400, body: { code: 'UNKNOWN_EVENT' } }, 'the check has another reference');
  const extra = JSON.stringify({ ...event, admin: true });
  t.match(await post(extra, sign(extra)), { status: 400, body: { code: 'BAD_REQUEST' } }, 'not an event of the provider');
  t.match(await http(ts.httpUrl, 'POST', '/api/identity/callbacks/other', event), { status: 400 }, 'not a provider of ours');
  t.equal(await statusOf(playerId), 'pending', 'none of them changed anything');
  t.equal((await eventsOf(playerId)).length, 1, 'nor was recorded against the player');

  t.match(await post(raw, sign(raw)), { status: 200, body: { outcomes: ['applied'] } }, 'the genuine one applies');
  t.match(await post(raw, sign(raw)), { status: 200, body: { outcomes: ['duplicate'] } }, 'and again changes nothing');
  t.equal(await statusOf(playerId), 'verified');
});

t.test('an identity check is validated: names and document number', async (t) => {
  const { token } = await newPlayer(ts.httpUrl, 0, { verify: false });
  for (const [body, field] of [
    [{ givenName: 'Ada', familyName: 'Lovelace', documentNumber: 'abc' }, 'documentNumber'],
    [{ givenName: 'Ada', familyName: 'Lovelace', documentNumber: 'P1234567\u0000' }, 'documentNumber'],
    [{ givenName: '', familyName: 'Lovelace', documentNumber: 'P1234567' }, 'givenName'],
    [{ givenName: 'Ada', familyName: 'L0velace', documentNumber: 'P1234567' }, 'familyName'],
    [{ givenName: 'Ada', familyName: 'Lovelace', documentNumber: 'P1234567', dateOfBirth: '1990-01-01' }, 'unknown field'],
  ] as const) {
    const res = await http(ts.httpUrl, 'POST', '/api/me/identity', body, token);
    t.match(res, { status: 400, body: { code: 'BAD_REQUEST', message: new RegExp(field) } }, field);
  }
  t.equal((await http(ts.httpUrl, 'POST', '/api/me/identity', { givenName: 'José María', familyName: "O'Brien-Núñez", documentNumber: 'P1234567' }, token)).status, 202, 'names of any script, with apostrophes and hyphens');
  t.equal((await http(ts.httpUrl, 'POST', '/api/me/identity', { givenName: 'Ada', familyName: 'Lovelace', documentNumber: 'P1234567' })).status, 401, 'a session is required');
});
