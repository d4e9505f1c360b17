// The verifiable draw on a running server, end to end: commitments published before sales,
// signed receipts on every acknowledgement, the seal after close, auditors' commit and
// reveal, an external beacon, the draw and its proof, inclusion proofs, the standalone
// verifier, halting when a committed input is missing, and no re-roll after a crash.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import type pg from 'pg';
import { DrawRunner } from '../actors/DrawRunner.ts';
import { createLogger } from '../core/logger.ts';
import { systemClock } from '../core/clock.ts';
import { seedCommitment } from '../draw/commit.ts';
import { parseTicketRecord, TICKET_FIELDS, TICKET_FIELDS_V2 } from '../draw/encoding.ts';
import { parseStrictJson } from '../draw/json.ts';
import { inputsFromProof } from '../draw/proof.ts';
import { numbersFor } from '../draw/select.ts';
import { receiptFromAck } from '../draw/receiptWire.ts';
import { SeedVault } from '../draw/vault.ts';
import { allPassed, verifyDrawProof, verifyInclusionProof, verifyReceipt } from '../draw/verify.ts';
import { DrandBeacon } from '../core/beacon.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { ensureDraw, openDueDraws } from '../ledger/draws.ts';
import { allGames } from '../games/index.ts';
import { createOperator, operators } from './support/operators.ts';
import { http as api, newPlayer, openDraw, PlayerConnection, startTestServer, testDrawKeys, type TestServer } from './support/harness.ts';
import { poolCrashingAtCommit } from './support/draws.ts';

const run = promisify(execFile);
/** An auditor of their own (issue 15): commits, reveals and exports under their operator name. */
let operatorAuth: Record<string, string>;
const CHAIN = 'aa'.repeat(32);

/** A drand-like HTTP beacon on loopback: 1 s rounds, rounds published once their time has come. */
function fakeDrand(): Promise<{ url: string; withhold: Set<number>; close(): Promise<void> }> {
  const genesisS = Math.floor(Date.now() / 1000) - 100;
  const withhold = new Set<number>();
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === `/${CHAIN}/info`) return send(200, { public_key: 'x', period: 1, genesis_time: genesisS, hash: CHAIN });
    const m = new RegExp(`^/${CHAIN}/public/(\\d+)$`).exec(req.url ?? '');
    if (!m) return send(404, { error: 'not found' });
    const round = Number(m[1]);
    const publishedAtMs = (genesisS + round - 1) * 1000;
    if (withhold.has(round) || publishedAtMs > Date.now()) return send(404, { error: 'round not yet available' });
    send(200, { round, randomness: crypto.createHash('sha256').update(`round ${round}`).digest('hex'), signature: 'ab' });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, withhold, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

function sleepUntil(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())));
}

let ts: TestServer;
let beacon: Awaited<ReturnType<typeof fakeDrand>>;
let keys: Record<string, string>;

t.before(async () => {
  beacon = await fakeDrand();
  keys = testDrawKeys();
  ts = await startTestServer({
    env: { ...keys, DRAW_BEACON: 'drand', DRAW_BEACON_URL: beacon.url, DRAW_BEACON_CHAIN: CHAIN, DRAW_REVEAL_WAIT_SECONDS: '2' },
  });
  const team = await operators(ts.httpUrl);
  operatorAuth = { authorization: (await createOperator(ts.httpUrl, team.admin, 'acme-audit', 'auditor')).headers.authorization };
});

t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});

t.teardown(async () => {
  await ts.close();
  await beacon.close();
});

async function createDraw(openInMs: number, cutoffInMs: number, drawInMs: number, now = Date.now()) {
  const publicId = `vd-${crypto.randomBytes(4).toString('hex')}`;
  const { draw } = await ts.server.draws.runner.createDraw({
    publicId,
    gameId: 'lotto649',
    businessDate: new Date(now).toISOString().slice(0, 10),
    openAtMs: now + openInMs,
    cutoffAtMs: now + cutoffInMs,
    drawAtMs: now + drawInMs,
  });
  return draw;
}

/** A runner with a beacon whose every round was published long ago (at the epoch). */
function staleBeaconRunner(): DrawRunner {
  const stale = {
    name: 'stale-beacon',
    roundAt: async () => 7,
    publishedAtMs: async () => 0,
    fetchRound: async () => new Uint8Array(32).fill(7),
  };
  return new DrawRunner({
    pool: ts.pool,
    clock: systemClock,
    logger: createLogger('silent'),
    vault: new SeedVault(Buffer.from(keys.DRAW_SEED_KEY, 'hex')),
    signingKey: new Uint8Array(Buffer.from(keys.DRAW_SIGNING_KEY, 'hex')),
    publicKey: ts.server.draws.publicKey,
    beacon: stale,
    revealWaitMs: 0,
  });
}

/** A runner like the server's, on a pool whose first COMMIT of a drawing "crashes" the process. */
function crashingRunner(pool: pg.Pool, captured: { proof?: any }): DrawRunner {
  const crashing = poolCrashingAtCommit(pool, (sql, params) => {
    if (typeof sql !== 'string' || !sql.includes(`set status = 'drawn'`)) return false;
    captured.proof = JSON.parse(params[2]);
    return true;
  });
  return new DrawRunner({
    pool: crashing,
    clock: systemClock,
    logger: createLogger('silent'),
    vault: new SeedVault(Buffer.from(keys.DRAW_SEED_KEY, 'hex')),
    signingKey: new Uint8Array(Buffer.from(keys.DRAW_SIGNING_KEY, 'hex')),
    publicKey: ts.server.draws.publicKey,
    beacon: new DrandBeacon(beacon.url, CHAIN),
    revealWaitMs: 60_000,
  });
}

/**
 * The formats draw/README.md §10 gives for GET /api/keys and GET /api/draws/:id/tickets:
 * keys with keyId = the first 16 hex characters of SHA-256(public key bytes), the one
 * signing the documents named in `signs`; a ticket list of records with exactly the
 * TicketRecord fields, each well-formed (T<serial> ids, 32-hex pseudonyms).
 */
function servedAsSpecified(t: Test, served: { keys: any; proof: any; tickets: any[] }): void {
  t.same(Object.keys(served.keys), ['keys'], 'GET /api/keys: { keys: [...] }');
  for (const key of served.keys.keys) {
    t.same(Object.keys(key).sort(), ['algorithm', 'keyId', 'publicKey', 'signs']);
    t.equal(key.algorithm, 'ed25519');
    t.match(key.publicKey, /^[0-9a-f]{64}$/);
    t.equal(key.keyId, crypto.createHash('sha256').update(Buffer.from(key.publicKey, 'hex')).digest('hex').slice(0, 16), 'keyId = SHA-256(public key)[0..8] in hex');
    t.same(key.signs, ['lottery-receipt/v1', 'lottery-draw-proof/v1', 'lottery/audit-head/v1']);
  }
  const signer = served.keys.keys.filter((k: any) => k.publicKey === served.proof.publicKey && k.signs.includes(served.proof.version));
  t.equal(signer.length, 1, 'exactly one published key signs the proof');
  const fields = served.proof.tickets.leafVersion === 2 ? TICKET_FIELDS_V2 : TICKET_FIELDS;
  for (const [i, record] of served.tickets.entries()) {
    t.same(Object.keys(record).sort(), [...fields].sort(), `tickets[${i}] has exactly the fields of a leaf version ${served.proof.tickets.leafVersion} record`);
    t.doesNotThrow(() => parseTicketRecord(record, `tickets[${i}]`), `tickets[${i}] is a well-formed record`);
  }
}

t.test('a draw is committed, sold with signed receipts, sealed, drawn and proven; tampering and missing inputs are caught', async (t) => {
  // Players first: registration hashes passwords with scrypt, which is slow on purpose.
  const players = await Promise.all([0, 1, 2].map(() => newPlayer(ts.httpUrl, 10_000)));
  const t0 = Date.now();
  const keysBody = (await api(ts.httpUrl, 'GET', '/api/keys')).body;
  const publicKey: string = keysBody.keys[0].publicKey;
  t.match(publicKey, /^[0-9a-f]{64}$/, 'the operator key is published');

  // A: sold and drawn. B: an auditor commits and reveals. C: an auditor never reveals.
  // D: its beacon round never appears.
  // Sales end at CUT; draws close at CUT + 2 s grace and are drawn at CUT + 2.5 s.
  const CUT = 4000;
  // (A game has one draw per draw time, hence the few milliseconds between them.)
  const a = await openDraw(ts.pool, CUT, t0, 2500);
  const b = await createDraw(CUT - 500, CUT, CUT + 2501, t0);
  const c = await createDraw(CUT - 500, CUT, CUT + 2502, t0);
  const d = await openDraw(ts.pool, CUT - 1500, t0, 5500); // a beacon round of its own

  const staleRunner = staleBeaconRunner();
  const { draw: e } = await staleRunner.createDraw({
    publicId: `vd-${crypto.randomBytes(4).toString('hex')}`,
    gameId: 'lotto649',
    businessDate: new Date(t0).toISOString().slice(0, 10),
    openAtMs: t0 - 60_000,
    cutoffAtMs: t0 + CUT,
    drawAtMs: t0 + CUT + 2504,
  });
  const viewA = (await api(ts.httpUrl, 'GET', `/api/draws/${a.publicId}`)).body;
  t.equal(viewA.status, 'open');
  t.equal(viewA.leafVersion, 2, 'the leaf version its receipts will sign is public before the first sale');
  t.match(viewA.commitments.operator, /^[0-9a-f]{64}$/, 'the seed commitment is public while sales are open');
  t.equal(viewA.commitments.beacon.source, `drand:${CHAIN}`, 'the beacon is named in advance');
  t.ok(viewA.commitments.beacon.round >= 1);
  t.notOk(JSON.stringify(viewA).includes('seed_sealed') || 'seed' in viewA, 'nothing secret is served');
  const viewD = (await api(ts.httpUrl, 'GET', `/api/draws/${d.publicId}`)).body;
  beacon.withhold.add(viewD.commitments.beacon.round);

  // Auditors commit before their draws open, and not after.
  const auditorSeed = crypto.randomBytes(32);
  const commitmentB = Buffer.from(seedCommitment(b.publicId, 'auditor:acme-audit', auditorSeed)).toString('hex');
  const commitmentC = Buffer.from(seedCommitment(c.publicId, 'auditor:acme-audit', crypto.randomBytes(32))).toString('hex');
  const reg = (drawId: string, commitment: string) =>
    fetch(`${ts.httpUrl}/api/operator/draws/${drawId}/auditors`, {
      method: 'POST',
      headers: { ...operatorAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'acme-audit', commitment }),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  t.equal((await reg(b.publicId, commitmentB)).status, 201, 'auditor committed to B before it opened');
  t.equal((await reg(c.publicId, commitmentC)).status, 201, 'auditor committed to C before it opened');
  const lateReg = await reg(a.publicId, commitmentB);
  t.equal(lateReg.body.code, 'TOO_LATE', 'no auditor joins a draw already selling');
  t.equal((await reg(b.publicId, commitmentB)).body.code, 'ALREADY_EXISTS');
  const unauth = await fetch(`${ts.httpUrl}/api/operator/draws/${b.publicId}/auditors`, { method: 'POST', body: '{}' });
  t.equal(unauth.status, 401, 'operator endpoints need operator credentials');

  const reveal = (drawId: string, seed: Buffer) =>
    fetch(`${ts.httpUrl}/api/operator/draws/${drawId}/auditors/acme-audit/reveal`, {
      method: 'POST',
      headers: { ...operatorAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ seed: seed.toString('hex') }),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  t.equal((await reveal(b.publicId, auditorSeed)).body.code, 'TOO_EARLY', 'no reveal before the tickets are sealed');

  // Sales on A: every acknowledgement carries a receipt that verifies on its own.
  const receipts: any[] = [];
  const tickets: { token: string; ticketId: string }[] = [];
  for (const [i, p] of players.entries()) {
    const conn = await PlayerConnection.join(ts.wsUrl, p.token, a.publicId);
    const replies = await Promise.all([conn.bet({ requestId: `a${i}`, quickPick: 2 }), conn.bet({ requestId: `b${i}`, lines: [[1, 2, 3, 4, 5, 6 + i]] })]);
    for (const r of replies) {
      t.equal(r.type, 'bet:accepted');
      t.ok(r.receipt.path instanceof Uint8Array && r.receipt.signature instanceof Uint8Array, 'the receipt travels as binary');
      const receipt = receiptFromAck(r as any, a.publicId, publicKey);
      t.ok(allPassed(verifyReceipt(receipt, { publicKey })), 'the receipt verifies against the published key');
      receipts.push(receipt);
      tickets.push({ token: p.token, ticketId: r.ticketId });
    }
    const again = await conn.bet({ requestId: `a${i}`, quickPick: 2 });
    t.equal(again.type, 'bet:accepted', 'the retry is accepted');
    const againReceipt = receiptFromAck(again as any, a.publicId, publicKey);
    t.same(againReceipt.ticket, receipts[receipts.length - 2].ticket, 'a retried request gets a receipt for the same ticket');
    t.ok(allPassed(verifyReceipt(againReceipt, { publicKey })));
    await conn.leave();
  }
  const forged = structuredClone(receipts[0]);
  forged.ticket.costMinor += 1;
  t.notOk(allPassed(verifyReceipt(forged, { publicKey })), 'an altered receipt fails');
  t.notOk(allPassed(verifyReceipt(receipts[0], { publicKey: 'ab'.repeat(32) })), 'a receipt fails against another key');

  const early = await fetch(`${ts.httpUrl}/api/tickets/${tickets[0].ticketId}/proof`, { headers: { authorization: `Bearer ${tickets[0].token}` } });
  t.equal((await early.json()).code, 'DRAW_NOT_SEALED', 'no inclusion proof before the seal');

  // Close (cutoff + 2 s grace) and seal.
  await sleepUntil(t0 + CUT + 2000 + 100);
  await ts.server.draws.scheduler.runDue();
  const sealedA = (await api(ts.httpUrl, 'GET', `/api/draws/${a.publicId}`)).body;
  t.equal(sealedA.status, 'sealed');
  t.equal(sealedA.seal.ticketCount, 6);
  t.equal(sealedA.seal.stakeTotalMinor, 3 * (400 + 200));
  t.match(sealedA.seal.ticketRoot, /^[0-9a-f]{64}$/);
  t.equal((await api(ts.httpUrl, 'GET', `/api/draws/${a.publicId}/proof`)).body.code, 'DRAW_NOT_DRAWN');

  t.equal((await reveal(b.publicId, crypto.randomBytes(32))).body.code, 'COMMITMENT_MISMATCH', 'a seed that does not match its commitment is refused');
  t.equal((await reveal(b.publicId, auditorSeed)).status, 200, 'the auditor reveals after close');

  // Draw time, and the beacon round named for it is out (1 s rounds). First a process
  // "crashes" between deriving and recording A's result.
  await sleepUntil(t0 + CUT + 2500 + 1100);
  const captured: { proof?: any } = {};
  t.equal(await staleRunner.draw(e.id), 'halted', 'a beacon value public before the seal is never used');
  t.match((await api(ts.httpUrl, 'GET', `/api/draws/${e.publicId}`)).body.haltedReason, /published before the draw was sealed/);
  await t.rejects(crashingRunner(ts.pool, captured).draw(a.id), /simulated crash/, 'the first attempt crashes before its commit');
  t.ok(captured.proof, 'the crashed attempt had derived a result');
  t.equal((await api(ts.httpUrl, 'GET', `/api/draws/${a.publicId}`)).body.status, 'sealed', 'nothing of the crashed attempt was recorded');
  await ts.server.draws.scheduler.runDue();

  const proofA = (await api(ts.httpUrl, 'GET', `/api/draws/${a.publicId}/proof`)).body;
  t.same(proofA, captured.proof, 'the retry after the crash derived the identical result: no re-roll');
  t.equal(proofA.tickets.leafVersion, 2, 'a draw created now seals leaf version 2 records');
  t.ok(receipts.every((r) => r.ticket.leafVersion === 2 && r.ticket.betType === 'standard' && r.ticket.stakeMinor === 200), 'and its receipts sign the bet type and stake');
  t.same(proofA.numbers, numbersFor(inputsFromProof(proofA)), 'numbers follow from the revealed inputs');
  t.equal(proofA.reveals.beacon.round, viewA.commitments.beacon.round);

  const exported = await fetch(`${ts.httpUrl}/api/draws/${a.publicId}/tickets`, { headers: operatorAuth });
  const ticketList = await exported.json();
  t.equal(ticketList.length, 6);
  servedAsSpecified(t, { keys: keysBody, proof: proofA, tickets: ticketList });
  // What is served passes the strict reader of draw/README.md §7 byte for byte.
  for (const route of [`/api/draws/${a.publicId}/proof`, `/api/draws/${a.publicId}/tickets`, '/api/keys']) {
    const text = await (await fetch(`${ts.httpUrl}${route}`, { headers: operatorAuth })).text();
    t.doesNotThrow(() => parseStrictJson(text), `${route} is strict JSON`);
  }
  const checks = verifyDrawProof(proofA, { tickets: ticketList, publicKey });
  t.ok(allPassed(checks), `the proof verifies: ${checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}`);
  for (const r of receipts) t.ok(ticketList.some((x: any) => JSON.stringify(x) === JSON.stringify(r.ticket)), `receipted ticket ${r.ticket.ticketId} is in the sealed list`);

  const proofB = (await api(ts.httpUrl, 'GET', `/api/draws/${b.publicId}/proof`)).body;
  t.same(proofB.reveals.auditors, [{ name: 'acme-audit', seed: auditorSeed.toString('hex') }], "the auditor's seed is an input of B");
  t.ok(allPassed(verifyDrawProof(proofB, { publicKey })), 'B verifies');
  t.equal(proofB.tickets.count, 0, 'an empty draw is drawn too');

  // C and D wait out the reveal window (2 s past draw time), then halt.
  const statusOf = async (id: string) => (await api(ts.httpUrl, 'GET', `/api/draws/${id}`)).body.status;
  t.equal(await statusOf(c.publicId), 'sealed', 'a missing reveal first waits');
  for (let deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    await ts.server.draws.scheduler.runDue();
    if ((await statusOf(c.publicId)) !== 'sealed' && (await statusOf(d.publicId)) !== 'sealed') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const viewC = (await api(ts.httpUrl, 'GET', `/api/draws/${c.publicId}`)).body;
  t.equal(viewC.status, 'halted', 'an auditor who never reveals halts the draw');
  t.match(viewC.haltedReason, /auditor seed not revealed: acme-audit/);
  t.equal((await api(ts.httpUrl, 'GET', `/api/draws/${d.publicId}`)).body.status, 'halted', 'a beacon round that never appears halts the draw');
  t.equal((await api(ts.httpUrl, 'GET', `/api/draws/${c.publicId}/proof`)).body.code, 'DRAW_NOT_DRAWN');

  // Inclusion proofs: the owner's ticket verifies against the published root; others' are not served.
  const own = await fetch(`${ts.httpUrl}/api/tickets/${tickets[0].ticketId}/proof`, { headers: { authorization: `Bearer ${tickets[0].token}` } });
  const inclusion = await own.json();
  t.ok(allPassed(verifyInclusionProof(inclusion, { root: proofA.tickets.root })), 'inclusion proof verifies against the proof root');
  const foreign = await fetch(`${ts.httpUrl}/api/tickets/${tickets[0].ticketId}/proof`, { headers: { authorization: `Bearer ${tickets[5].token}` } });
  t.equal(foreign.status, 404, "another player's ticket is not served");
  t.equal((await fetch(`${ts.httpUrl}/api/tickets/nonsense/proof`, { headers: operatorAuth })).status, 400);

  // Running the steps again changes nothing.
  await ts.server.draws.scheduler.runDue();
  t.same((await api(ts.httpUrl, 'GET', `/api/draws/${a.publicId}/proof`)).body, proofA, 'drawing is idempotent');

  // The standalone verifier, as a player or regulator runs it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-proof-'));
  try {
    const file = (name: string, value: unknown) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, JSON.stringify(value));
      return p;
    };
    const proofFile = file('proof.json', proofA);
    const cli = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'draw/verify-cli.ts', ...args]).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e) => ({ code: e.code as number, out: String(e.stdout) }),
      );
    const ok = await cli([proofFile, '--tickets', file('tickets.json', ticketList), '--key', publicKey]);
    t.equal(ok.code, 0, 'the verifier accepts the proof and the ticket list');
    t.notMatch(ok.out, /FAIL/);
    const receiptOk = await cli(['--receipt', file('receipt.json', receipts[0]), '--inclusion', file('inclusion.json', inclusion), '--proof', proofFile]);
    t.equal(receiptOk.code, 0, 'the verifier accepts a receipt with its inclusion proof');
    const tampered = structuredClone(proofA);
    tampered.numbers[0][0] = tampered.numbers[0][0] === 1 ? 2 : 1;
    const bad = await cli([file('tampered.json', tampered)]);
    t.equal(bad.code, 1, 'a tampered proof fails');
    t.match(bad.out, /FAIL/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.test('a draw of leaf version 1 (created before migration 011) is sold, sealed and drawn exactly as before', async (t) => {
  const player = await newPlayer(ts.httpUrl, 10_000);
  const t0 = Date.now();
  const vault = new SeedVault(Buffer.from(keys.DRAW_SEED_KEY, 'hex'));
  const publicId = `vd1-${crypto.randomBytes(4).toString('hex')}`;
  const seed = vault.newSeed();
  const CUT = 2500;
  const { draw } = await ensureDraw(ts.pool, {
    publicId,
    gameId: 'lotto649',
    businessDate: new Date(t0).toISOString().slice(0, 10),
    openAtMs: t0 - 60_000,
    cutoffAtMs: t0 + CUT,
    drawAtMs: t0 + CUT + 2500,
    seedCommitment: seedCommitment(publicId, 'operator', seed),
    seedSealed: vault.seal(publicId, seed),
    seedKeyId: vault.keyId,
    beacon: null,
    leafVersion: 1,
  });
  await openDueDraws(ts.pool, draw.id);
  t.equal((await api(ts.httpUrl, 'GET', `/api/draws/${publicId}`)).body.leafVersion, 1);
  const publicKey = ts.server.draws.publicKey;
  const conn = await PlayerConnection.join(ts.wsUrl, player.token, publicId);
  const replies = await Promise.all([conn.bet({ requestId: 'v1-a', quickPick: 1 }), conn.bet({ requestId: 'v1-b', lines: [[1, 2, 3, 4, 5, 6]] })]);
  await conn.leave();
  for (const r of replies) {
    t.equal(r.type, 'bet:accepted');
    t.same(Object.keys(r.receipt), ['v', 'player', 'size', 'index', 'path', 'signature'], 'the wire receipt of before: no leafVersion, bet type or stake');
    t.ok(allPassed(verifyReceipt(receiptFromAck(r as any, publicId, publicKey), { publicKey })), 'its receipt verifies');
  }
  await t.rejects(ts.pool.query(`update draws set leaf_version = 2 where id = $1`, [draw.id]), /leaf_version is fixed/, 'a draw never changes its leaf version');
  await sleepUntil(t0 + CUT + 2000 + 100);
  await ts.server.draws.scheduler.runDue();
  await sleepUntil(t0 + CUT + 2500 + 100);
  await ts.server.draws.scheduler.runDue();
  const proof = (await api(ts.httpUrl, 'GET', `/api/draws/${publicId}/proof`)).body;
  t.equal(proof.tickets.leafVersion, 1, 'the proof states leaf version 1');
  const ticketList = await (await fetch(`${ts.httpUrl}/api/draws/${publicId}/tickets`, { headers: operatorAuth })).json();
  servedAsSpecified(t, { keys: (await api(ts.httpUrl, 'GET', '/api/keys')).body, proof, tickets: ticketList });
  const checks = verifyDrawProof(proof, { tickets: ticketList, publicKey });
  t.ok(allPassed(checks), `the proof and its version 1 ticket list verify: ${checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}`);
  for (const r of replies) t.ok(ticketList.some((x: any) => JSON.stringify(x) === JSON.stringify(receiptFromAck(r as any, publicId, publicKey).ticket)), `receipted ticket ${r.ticketId} is in the sealed list`);
});
