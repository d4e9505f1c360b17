// Tampering with any field of a signed proof, its ticket list, a receipt or an inclusion
// proof is caught, by the check that names what is wrong (and by the signature wherever the
// signature covers the field); malformed and hostile documents fail cleanly, never throw.
import t from 'tap';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { TicketRecord } from '../draw/encoding.ts';
import { parseDrawProof, signProof, type DrawProof, type UnsignedDrawProof } from '../draw/proof.ts';
import { publicKeyOf } from '../draw/signature.ts';
import { allPassed, verifyDrawProof, verifyInclusionProof, verifyReceipt, type Check } from '../draw/verify.ts';
import { inclusionProof } from '../draw/inclusion.ts';
import { EXAMPLE_PUBLIC_KEY, EXAMPLE_SECRET_KEY, exampleDraw, examplePick3Draw, exampleRaffleDraw, labelled } from './fixtures/draw/example.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const draw = exampleDraw();
const OTHER_KEY = bytesToHex(publicKeyOf(labelled('another key')));
const RECEIPT = draw.receipts[12];

function failing(checks: Check[]): string[] {
  return checks.filter((c) => !c.ok).map((c) => c.name);
}

function mutate<T>(value: T, change: (copy: Json) => void): Json {
  const copy = structuredClone(value) as Json;
  change(copy);
  return copy;
}

function flipHex(hex: string, at = 0): string {
  const c = (parseInt(hex[at], 16) ^ 1).toString(16);
  return hex.slice(0, at) + c + hex.slice(at + 1);
}

const proofChecks = (p: unknown, tickets: TicketRecord[] = draw.tickets) => verifyDrawProof(p, { tickets, publicKey: EXAMPLE_PUBLIC_KEY });
const ALL_PROOF_CHECKS = proofChecks(draw.proof).map((c) => c.name);

t.test('the untouched example passes every check', async (t) => {
  t.same(failing(proofChecks(draw.proof)), []);
  t.equal(ALL_PROOF_CHECKS.length, 15);
  t.ok(allPassed(verifyReceipt(RECEIPT, { publicKey: EXAMPLE_PUBLIC_KEY })));
  t.ok(allPassed(verifyInclusionProof(draw.inclusion, { root: draw.proof.tickets.root, treeSize: 25, drawId: draw.proof.drawId })));
  for (const r of draw.receipts) t.ok(allPassed(verifyReceipt(r)), `receipt of ${r.ticket.ticketId}`);
});

t.test('each field of the proof changed in turn fails exactly the checks that name it', async (t) => {
  const sig = 'signature';
  const cases: [string, (p: Json) => void, string[]][] = [
    ['drawId', (p) => (p.drawId = 'lotto649-2026-11-26'), ['operator commitment', 'auditor commitments', 'ticket draw ids', 'numbers', sig]],
    ['gameId', (p) => (p.gameId = 'lotto649x'), ['numbers', sig]],
    ['drums[0].name', (p) => (p.drums[0].name = 'mian'), ['numbers', sig]],
    ['drums[0].min', (p) => (p.drums[0].min = 2), ['numbers', sig]],
    ['drums[0].max', (p) => (p.drums[0].max = 50), ['numbers', sig]],
    ['drums[0].count', (p) => (p.drums[0].count = 5), ['numbers', sig]],
    ['drums[0].replacement', (p) => (p.drums[0].replacement = true), ['numbers', sig]],
    ['schedule.openAt', (p) => (p.schedule.openAt = '2026-11-24T15:00:00.001Z'), [sig]],
    ['schedule.cutoffAt', (p) => (p.schedule.cutoffAt = '2026-11-25T14:30:00.000Z'), [sig]],
    ['schedule.drawAt', (p) => (p.schedule.drawAt = '2026-11-25T15:00:01.000Z'), [sig]],
    ['schedule out of order', (p) => (p.schedule.drawAt = '2026-11-25T13:00:00.000Z'), ['schedule', sig]],
    ['commitments.operator', (p) => (p.commitments.operator = flipHex(p.commitments.operator)), ['operator commitment', sig]],
    ['commitments.auditors[0].commitment', (p) => (p.commitments.auditors[0].commitment = flipHex(p.commitments.auditors[0].commitment, 63)), ['auditor commitments', sig]],
    ['commitments.auditors[1].commitment', (p) => (p.commitments.auditors[1].commitment = flipHex(p.commitments.auditors[1].commitment)), ['auditor commitments', sig]],
    ['commitments.auditors[0].name', (p) => (p.commitments.auditors[0].name = 'state-regulatorr'), ['auditor commitments', sig]],
    ['commitments.auditors: one dropped', (p) => p.commitments.auditors.pop(), ['auditor commitments', sig]],
    ['commitments.beacon.source', (p) => (p.commitments.beacon.source = 'drand/default'), ['beacon', sig]],
    ['commitments.beacon.round', (p) => (p.commitments.beacon.round += 1), ['beacon', sig]],
    ['commitments.beacon removed', (p) => (p.commitments.beacon = null), ['beacon', sig]],
    ['reveals.operatorSeed', (p) => (p.reveals.operatorSeed = flipHex(p.reveals.operatorSeed, 10)), ['operator commitment', 'numbers', sig]],
    ['reveals.auditors[0].seed', (p) => (p.reveals.auditors[0].seed = flipHex(p.reveals.auditors[0].seed)), ['auditor commitments', 'numbers', sig]],
    ['reveals.auditors[1].seed', (p) => (p.reveals.auditors[1].seed = flipHex(p.reveals.auditors[1].seed, 5)), ['auditor commitments', 'numbers', sig]],
    ['reveals.auditors[1].name', (p) => (p.reveals.auditors[1].name = 'acme-audit2'), ['auditor commitments', 'numbers', sig]],
    ['reveals.auditors: one withheld', (p) => p.reveals.auditors.shift(), ['auditor commitments', 'numbers', sig]],
    ['reveals.beacon.source', (p) => (p.reveals.beacon.source = 'drand/default'), ['beacon', 'numbers', sig]],
    ['reveals.beacon.round', (p) => (p.reveals.beacon.round -= 1), ['beacon', 'numbers', sig]],
    ['reveals.beacon.value', (p) => (p.reveals.beacon.value = flipHex(p.reveals.beacon.value)), ['numbers', sig]],
    ['reveals.beacon withheld', (p) => (p.reveals.beacon = null), ['beacon', 'numbers', sig]],
    ['tickets.root', (p) => (p.tickets.root = flipHex(p.tickets.root)), ['ticket root', 'numbers', sig]],
    ['tickets.count', (p) => (p.tickets.count += 1), ['ticket count', 'numbers', sig]],
    ['tickets.stakeTotalMinor', (p) => (p.tickets.stakeTotalMinor -= 250), ['stake total', 'numbers', sig]],
    ...[0, 1, 2, 3, 4, 5].map((i): [string, (p: Json) => void, string[]] => [`numbers[0][${i}]`, (p) => (p.numbers[0][i] = p.numbers[0][i] === 49 ? 1 : p.numbers[0][i] + 1), ['numbers', sig]]),
    ['numbers reordered', (p) => p.numbers[0].reverse(), ['numbers', sig]],
    ['numbers: a ball added', (p) => p.numbers[0].push(48), ['numbers', sig]],
    ['numbers: a drum added', (p) => p.numbers.push([1]), ['numbers', sig]],
    ['auditors listed in another order (only the signed bytes change)', (p) => p.commitments.auditors.reverse(), [sig]],
    ['publicKey', (p) => (p.publicKey = OTHER_KEY), [sig, 'public key']],
    ['signature R', (p) => (p.signature = flipHex(p.signature, 3)), [sig]],
    ['signature S', (p) => (p.signature = flipHex(p.signature, 100)), [sig]],
  ];
  for (const [field, change, expected] of cases) {
    const checks = proofChecks(mutate(draw.proof, change));
    t.same(failing(checks).sort(), [...expected].sort(), `${field}: fails ${expected.join(', ')}`);
  }
  // The one thing the signature cannot cover is itself; the expected key is the reader's.
  const resigned = mutate(draw.proof, (p) => (p.publicKey = OTHER_KEY));
  t.same(failing(verifyDrawProof(resigned, { publicKey: EXAMPLE_PUBLIC_KEY })).sort(), ['public key', 'signature']);
});

t.test('a proof re-signed by another key after tampering still fails every content check, and the key check', async (t) => {
  const otherSecret = labelled('another key');
  // signProof refuses an inconsistent proof, so forge it by hand: a different seed, same commitment.
  const forged = mutate(draw.proof, (p) => {
    p.reveals.operatorSeed = flipHex(p.reveals.operatorSeed);
    p.publicKey = OTHER_KEY;
  });
  t.throws(() => signProof(forged as UnsignedDrawProof, otherSecret), /refusing to sign an inconsistent proof: operator commitment/);
  const consistent = mutate(draw.proof, (p) => (p.publicKey = OTHER_KEY));
  delete consistent.signature;
  const signed = signProof(consistent as UnsignedDrawProof, otherSecret);
  t.same(failing(verifyDrawProof(signed, { publicKey: EXAMPLE_PUBLIC_KEY })), ['public key'], 'only the pinned key tells a re-signed proof apart');
  t.same(failing(verifyDrawProof(signed)), [], 'without a pinned key it verifies: always pass --key');
});

t.test('signProof refuses what the verifier would reject', async (t) => {
  const { signature: _s, ...unsigned } = draw.proof;
  t.throws(() => signProof(unsigned, labelled('another key')), /not the public key of the signing key/);
  t.throws(() => signProof({ ...unsigned, numbers: [[1, 2, 3, 4, 5, 6]] }, EXAMPLE_SECRET_KEY), /inconsistent proof: numbers/);
  t.throws(() => signProof({ ...unsigned, drawId: 7 } as unknown as UnsignedDrawProof, EXAMPLE_SECRET_KEY), /drawId must be a string/);
  t.throws(() => signProof({ ...unsigned, extra: 1 } as unknown as UnsignedDrawProof, EXAMPLE_SECRET_KEY), /unexpected field "extra"/);
  t.throws(() => signProof(unsigned, new Uint8Array(31)), /secret key must be 32 bytes/);
  t.same(signProof(unsigned, EXAMPLE_SECRET_KEY), draw.proof, 'deterministic: re-signing gives the same proof');
});

t.test('the ticket list: each field of a ticket, order, a dropped or duplicated ticket', async (t) => {
  const cases: [string, (ts: Json[]) => void, string[]][] = [
    ['ticketId (order kept)', (ts) => (ts[5].ticketId = 'T1037'), ['ticket root']],
    ['ticketId (order broken)', (ts) => (ts[5].ticketId = 'T999'), ['ticket order', 'ticket root']],
    ['drawId', (ts) => (ts[5].drawId = 'lotto649-2026-11-26'), ['ticket draw ids', 'ticket root']],
    ['player', (ts) => (ts[5].player = flipHex(ts[5].player)), ['ticket root']],
    ['a number of a line', (ts) => (ts[5].lines[0][0] += 1), ['ticket root']],
    ['a line dropped', (ts) => ts[5].lines.pop(), ['ticket root']],
    ['costMinor', (ts) => (ts[5].costMinor += 1), ['stake total', 'ticket root']],
    ['receivedAtMs', (ts) => (ts[5].receivedAtMs += 1), ['ticket root']],
    ['two tickets swapped', (ts) => ([ts[3], ts[4]] = [ts[4], ts[3]]), ['ticket order', 'ticket root']],
    ['a ticket dropped', (ts) => ts.splice(7, 1), ['ticket count', 'stake total', 'ticket root']],
    ['the last ticket dropped', (ts) => ts.pop(), ['ticket count', 'stake total', 'ticket root']],
    ['a ticket duplicated', (ts) => ts.splice(7, 0, structuredClone(ts[7])), ['ticket order', 'ticket count', 'stake total', 'ticket root']],
    ['a ticket added', (ts) => ts.push({ ...structuredClone(ts[24]), ticketId: 'T9999' }), ['ticket count', 'stake total', 'ticket root']],
    ['a malformed ticket', (ts) => (ts[2].costMinor = '250'), ['tickets format', 'ticket draw ids', 'ticket order', 'ticket count', 'stake total', 'ticket root']],
  ];
  for (const [what, change, expected] of cases) {
    const tickets = mutate(draw.tickets, change);
    t.same(failing(proofChecks(draw.proof, tickets)).sort(), [...expected].sort(), `${what}: fails ${expected.join(', ')}`);
  }
  const malformed = proofChecks(draw.proof, mutate(draw.tickets, (ts) => (ts[2].costMinor = '250')));
  t.match(malformed.find((c) => c.name === 'tickets format')?.detail, /tickets\[2\]\.costMinor/);
  t.same(failing(verifyDrawProof(draw.proof, { tickets: 'x' as unknown as TicketRecord[] })).slice(0, 1), ['tickets format']);
});

t.test('a receipt: each field changed in turn', async (t) => {
  const check = (r: unknown) => failing(verifyReceipt(r, { publicKey: EXAMPLE_PUBLIC_KEY })).sort();
  const cases: [string, (r: Json) => void, string[]][] = [
    ['ticket.ticketId', (r) => (r.ticket.ticketId = 'T1086'), ['batch inclusion']],
    ['ticket.drawId', (r) => (r.ticket.drawId = 'x'), ['batch inclusion']],
    ['ticket.player', (r) => (r.ticket.player = flipHex(r.ticket.player)), ['batch inclusion']],
    ['ticket.lines', (r) => (r.ticket.lines[0][1] += 1), ['batch inclusion']],
    ['ticket.costMinor', (r) => (r.ticket.costMinor = 0), ['batch inclusion']],
    ['ticket.receivedAtMs', (r) => (r.ticket.receivedAtMs -= 1), ['batch inclusion']],
    ['batch.index', (r) => (r.batch.index = 3), ['batch inclusion']],
    ['batch.path element', (r) => (r.batch.path[1] = flipHex(r.batch.path[1])), ['batch inclusion']],
    ['batch.path truncated', (r) => r.batch.path.pop(), ['batch inclusion']],
    ['batch.root', (r) => (r.batch.root = flipHex(r.batch.root)), ['batch inclusion', 'signature']],
    ['publicKey', (r) => (r.publicKey = OTHER_KEY), ['signature', 'public key']],
    ['signature', (r) => (r.signature = flipHex(r.signature, 70)), ['signature']],
  ];
  for (const [field, change, expected] of cases) t.same(check(mutate(RECEIPT, change)), [...expected].sort(), `${field}: fails ${expected.join(', ')}`);
  // batch.size: the path may still fit another size (RFC 9162 paths do not bind it), but the size is signed.
  for (const size of [14, 16, 30, 1000]) {
    const failed = check(mutate(RECEIPT, (r) => (r.batch.size = size)));
    t.ok(failed.includes('signature'), `batch.size ${size}: the signature fails (${failed.join(', ')})`);
  }
  t.same(check(mutate(RECEIPT, (r) => (r.version = 'lottery-receipt/v2'))), ['batch inclusion', 'format', 'public key', 'signature', 'version']);
});

t.test('an inclusion proof: each field changed in turn, checked against the draw proof', async (t) => {
  const against = { root: draw.proof.tickets.root, treeSize: draw.proof.tickets.count, drawId: draw.proof.drawId };
  const check = (p: unknown) => failing(verifyInclusionProof(p, against)).sort();
  const cases: [string, (p: Json) => void, string[]][] = [
    ['ticket.ticketId', (p) => (p.ticket.ticketId = 'T1', p), ['inclusion']],
    ['ticket.drawId', (p) => (p.ticket.drawId = 'lotto649-2026-11-26'), ['inclusion', 'ticket draw id']],
    ['ticket.player', (p) => (p.ticket.player = flipHex(p.ticket.player, 31)), ['inclusion']],
    ['ticket.lines', (p) => (p.ticket.lines = [[1, 2, 3, 4, 5, 6]]), ['inclusion']],
    ['ticket.costMinor', (p) => (p.ticket.costMinor += 250), ['inclusion']],
    ['ticket.receivedAtMs', (p) => (p.ticket.receivedAtMs = 0), ['inclusion']],
    ['leafIndex', (p) => (p.leafIndex = 13), ['inclusion']],
    ['path element', (p) => (p.path[0] = flipHex(p.path[0])), ['inclusion']],
    ['path truncated', (p) => p.path.pop(), ['inclusion']],
    ['root', (p) => (p.root = flipHex(p.root)), ['inclusion', 'root']],
    ['drawId', (p) => (p.drawId = 'lotto649-2026-11-26'), ['draw id', 'ticket draw id']],
  ];
  for (const [field, change, expected] of cases) t.same(check(mutate(draw.inclusion, change)), [...expected].sort(), `${field}: fails ${expected.join(', ')}`);
  for (const size of [24, 26, 32]) t.ok(check(mutate(draw.inclusion, (p) => (p.treeSize = size))).includes('tree size'), `treeSize ${size} fails "tree size"`);
  // A self-consistent inclusion proof in some other tree: only the comparison with the draw catches it.
  const fake = mutate(draw.inclusion, (p) => {
    p.path = [];
    p.treeSize = 1;
    p.leafIndex = 0;
    p.root = bytesToHex(draw.tree.leaf(12));
  });
  t.same(check(fake), ['root', 'tree size'], 'a one-leaf tree of just this ticket verifies on its own, not against the draw');
});

t.test('malformed and hostile documents fail "format" or "version" cleanly, never throw', async (t) => {
  const p = draw.proof;
  const docs: [string, unknown][] = [
    ['null', null],
    ['a number', 42],
    ['a string', 'proof'],
    ['an array', [p]],
    ['undefined', undefined],
    ['an empty object', {}],
    ...Object.keys(p).map((k): [string, unknown] => [`missing ${k}`, mutate(p, (c) => delete c[k])]),
    ...Object.keys(p).map((k): [string, unknown] => [`${k} of the wrong type`, mutate(p, (c) => (c[k] = typeof c[k] === 'string' ? 1 : 'x'))]),
    ['an extra field', { ...p, note: 'unsigned' }],
    ['a __proto__ field', JSON.parse(JSON.stringify(p).replace('{', '{"__proto__":{"x":1},'))],
    ['numbers: a million balls', mutate(p, (c) => (c.numbers = [Array(1_000_000).fill(1)]))],
    ['numbers: a million drums', mutate(p, (c) => (c.numbers = Array(1_000_000).fill([1])))],
    ['drums: a hundred thousand', mutate(p, (c) => (c.drums = Array(100_000).fill(c.drums[0])))],
    ['auditors: a hundred thousand', mutate(p, (c) => (c.reveals.auditors = Array(100_000).fill(c.reveals.auditors[0])))],
    ['a float', mutate(p, (c) => (c.tickets.count = 25.5))],
    ['a huge number', mutate(p, (c) => (c.tickets.stakeTotalMinor = 2 ** 60))],
    ['a negative number', mutate(p, (c) => (c.drums[0].min = -1))],
    ['min above max', mutate(p, (c) => (c.drums[0].min = 50))],
    ['count above the balls', mutate(p, (c) => (c.drums[0].count = 50))],
    ['a number above u32', mutate(p, (c) => (c.drums[0].max = 2 ** 32))],
    ['uppercase hex', mutate(p, (c) => (c.reveals.operatorSeed = c.reveals.operatorSeed.toUpperCase()))],
    ['short hex', mutate(p, (c) => (c.signature = c.signature.slice(2)))],
    ['non-hex', mutate(p, (c) => (c.tickets.root = 'zz' + c.tickets.root.slice(2)))],
    ['a beacon value of 2000 bytes', mutate(p, (c) => (c.reveals.beacon.value = 'ab'.repeat(2000)))],
    ['an empty beacon value', mutate(p, (c) => (c.reveals.beacon.value = ''))],
    ['a local time', mutate(p, (c) => (c.schedule.openAt = '2026-11-24T16:00:00.000+01:00'))],
    ['an impossible date', mutate(p, (c) => (c.schedule.openAt = '2026-02-30T15:00:00.000Z'))],
    ['a lone surrogate', mutate(p, (c) => (c.gameId = 'lotto\ud800'))],
    ['an empty auditor name', mutate(p, (c) => (c.reveals.auditors[0].name = ''))],
    ['a string of 70,000 bytes', mutate(p, (c) => (c.drawId = 'x'.repeat(70_000)))],
    ['deep nesting', mutate(p, (c) => (c.numbers = JSON.parse('['.repeat(5000) + ']'.repeat(5000))))],
    ['wrong version', mutate(p, (c) => (c.version = 'lottery-draw-proof/v2'))],
    ['wrong algorithm', mutate(p, (c) => (c.algorithm = 'lottery-drbg/other/v1'))],
    ['an unknown leaf version', mutate(p, (c) => ((c.tickets as { leafVersion: number }).leafVersion = 3))],
    ['getters that throw', new Proxy({}, { get: () => { throw new Error('boom'); }, ownKeys: () => { throw new Error('boom'); } })],
  ];
  for (const [what, doc] of docs) {
    let checks: Check[] = [];
    const started = performance.now();
    t.doesNotThrow(() => (checks = verifyDrawProof(doc, { tickets: draw.tickets, publicKey: EXAMPLE_PUBLIC_KEY })), `${what}: no exception`);
    const failed = failing(checks);
    t.ok(failed.includes('format') || failed.includes('version'), `${what}: fails ${failed.includes('format') ? 'format' : 'version'}`);
    t.same(checks.map((c) => c.name), ALL_PROOF_CHECKS, `${what}: every check reported`);
    t.ok(checks.every((c) => !c.ok || c.name === 'version'), `${what}: nothing but the version passes on a malformed proof`);
    t.ok(performance.now() - started < 2000, `${what}: rejected quickly`);
  }
  const detail = (doc: unknown) => verifyDrawProof(doc).find((c) => c.name === 'format')?.detail ?? '';
  t.match(detail(mutate(p, (c) => (c.reveals.auditors[1].seed = 'ab'))), /^reveals\.auditors\[1\]\.seed must be 64 lowercase hex/, 'the detail names the field');
  t.match(detail(mutate(p, (c) => delete c.tickets.count)), /^tickets\.count is missing/);
  t.match(detail({ ...p, note: 1 }), /unexpected field "note"/);
  for (const doc of [null, 1, 'x', [], {}, { version: 'lottery-receipt/v1' }, mutate(RECEIPT, (r) => (r.batch.path = Array(1_000_000).fill('00')))]) {
    t.doesNotThrow(() => t.notOk(allPassed(verifyReceipt(doc)), 'receipt rejected'));
    t.doesNotThrow(() => t.notOk(allPassed(verifyInclusionProof(doc)), 'inclusion proof rejected'));
  }
  t.doesNotThrow(() => t.notOk(allPassed(verifyDrawProof(p, { publicKey: 'not hex' }))), 'a malformed expected key fails "public key"');
  t.doesNotThrow(() => verifyDrawProof(p, null as unknown as undefined), 'null options');
  t.same(parseDrawProof(JSON.parse(JSON.stringify(p))), p as DrawProof, 'a proof survives a JSON round trip');
});

// Leaf version 2 and raffles: the bet type and stake are sealed and receipted like every other
// field, records of the wrong version are refused, and a raffle's winners are held to the
// positions drawn (by the ticket list, and ticket by ticket by inclusion proofs).
const pick3 = examplePick3Draw();
const raffle = exampleRaffleDraw();

t.test('leaf version 2: the bet type and stake of a ticket are covered by the seal and the receipt', async (t) => {
  const checks = (tickets: Json[]) => failing(verifyDrawProof(pick3.proof, { tickets, publicKey: EXAMPLE_PUBLIC_KEY })).sort();
  t.same(checks(pick3.tickets), [], 'untouched');
  t.same(checks(mutate(pick3.tickets, (ts) => (ts[0].betType = 'box'))), ['ticket root'], 'a straight turned into a box');
  t.same(checks(mutate(pick3.tickets, (ts) => (ts[1].stakeMinor = 200))), ['ticket root'], 'a stake changed');
  const notChecked = ['tickets format', 'ticket draw ids', 'ticket order', 'ticket count', 'stake total', 'ticket root'].sort();
  t.same(checks(mutate(pick3.tickets, (ts) => (ts[1].betType = 'Box'))), notChecked, 'a bet type outside its pattern');
  const versionOne = (ts: Json[]) => {
    delete ts[4].leafVersion;
    delete ts[4].betType;
    delete ts[4].stakeMinor;
  };
  const mixed = verifyDrawProof(pick3.proof, { tickets: mutate(pick3.tickets, versionOne) });
  t.match(mixed.find((c) => c.name === 'tickets format'), { ok: false, detail: /tickets\[4\] is a leaf version 1 record, the proof seals leaf version 2/ });
  const explicitOne = verifyDrawProof(pick3.proof, { tickets: mutate(pick3.tickets, (ts) => (ts[4].leafVersion = 1)) });
  t.match(explicitOne.find((c) => c.name === 'tickets format'), { ok: false, detail: /tickets\[4\]\.leafVersion must be 2/ }, 'leafVersion 1 is not a spelling of version 1');
  const v1Draw = verifyDrawProof(draw.proof, { tickets: mutate(draw.tickets, (ts) => Object.assign(ts[0], { leafVersion: 2, betType: 'standard', stakeMinor: 250 })) });
  t.match(v1Draw.find((c) => c.name === 'tickets format'), { ok: false, detail: /tickets\[0\] is a leaf version 2 record, the proof seals leaf version 1/ });
  const receipt = pick3.receipts[1];
  const receiptChecks = (r: unknown) => failing(verifyReceipt(r, { publicKey: EXAMPLE_PUBLIC_KEY })).sort();
  t.same(receiptChecks(receipt), []);
  t.same(receiptChecks(mutate(receipt, (r) => (r.ticket.betType = 'straight'))), ['batch inclusion'], 'receipt: bet type');
  t.same(receiptChecks(mutate(receipt, (r) => (r.ticket.stakeMinor += 1))), ['batch inclusion'], 'receipt: stake');
  t.same(receiptChecks(mutate(receipt, (r) => delete r.ticket.stakeMinor)), ['batch inclusion', 'format', 'public key', 'signature'], 'receipt: a version 2 record missing a field');
  t.same(receiptChecks(mutate(receipt, (r) => (r.ticket.extra = 1))), ['batch inclusion', 'format', 'public key', 'signature'], 'receipt: an unknown field');
  const against = { root: pick3.proof.tickets.root, treeSize: 12, drawId: pick3.proof.drawId, leafVersion: 2 };
  t.same(failing(verifyInclusionProof(pick3.inclusion, against)), []);
  t.same(failing(verifyInclusionProof(pick3.inclusion, { ...against, leafVersion: 1 })), ['leaf version'], 'an inclusion proof against a draw of the other version');
  t.same(failing(verifyInclusionProof(draw.inclusion, { root: draw.proof.tickets.root, treeSize: 25, drawId: draw.proof.drawId, leafVersion: 1 })), [], 'version 1 as before');
});

t.test('a raffle: its section is required exactly where it belongs, its winners held to the positions drawn', async (t) => {
  const p = raffle.proof;
  const checks = (proof: unknown, tickets: unknown = raffle.tickets) => failing(verifyDrawProof(proof, { tickets: tickets as TicketRecord[], publicKey: EXAMPLE_PUBLIC_KEY })).sort();
  t.same(checks(p), []);
  const sig = 'signature';
  const cases: [string, (c: Json) => void, string[]][] = [
    ['winners swapped', (c) => c.raffle.winners.reverse(), ['raffle winners', sig]],
    ['a winner replaced by another ticket', (c) => (c.raffle.winners[1] = 'T3001'), ['raffle winners', sig]],
    ['prizeCount 4 for a drum of 3 balls', (c) => (c.raffle.prizeCount = 4), ['raffle drum', sig]],
    ['prizeCount 2 for a drum of 3 balls', (c) => (c.raffle.prizeCount = 2), ['raffle drum', sig]],
    // §10 reads positions outside 1..count as naming no one, whatever the numbers say.
    ['a position past the seal', (c) => (c.numbers[0][0] = 99), ['raffle winners', 'numbers', sig]],
    ['position 0', (c) => (c.numbers[0][0] = 0), ['raffle winners', 'numbers', sig]],
    ['no numbers at all', (c) => (c.numbers = []), ['raffle winners', 'numbers', sig]],
  ];
  for (const [what, change, expected] of cases) t.same(checks(mutate(p, change)), [...expected].sort(), `${what}: fails ${expected.join(', ')}`);
  const malformed: [string, (c: Json) => void, RegExp][] = [
    ['the raffle section missing', (c) => delete c.raffle, /raffle is missing/],
    ['a winner too many', (c) => c.raffle.winners.push('T3001'), /raffle\.winners must have 3 to 3 elements/],
    ['a winner named twice', (c) => (c.raffle.winners[2] = c.raffle.winners[0]), /names T3009 twice/],
    ['a winner that is not a ticket id', (c) => (c.raffle.winners[0] = 'T03009'), /raffle\.winners\[0\] must be a ticket id/],
    ['prizeCount 0', (c) => (c.raffle.prizeCount = 0), /raffle\.prizeCount must be an integer from 1 to 1000/],
    ['an extra field', (c) => (c.raffle.note = 'x'), /raffle has an unexpected field "note"/],
    ['a raffle section in a leaf version 1 proof', (c) => (c.tickets.leafVersion = 1), /unexpected field "raffle"/],
  ];
  for (const [what, change, message] of malformed) {
    const found = verifyDrawProof(mutate(p, change)).find((c) => c.name === 'format');
    t.match(found, { ok: false, detail: message }, `${what}: format`);
  }
  t.match(verifyDrawProof({ ...draw.proof, raffle: p.raffle }).find((c) => c.name === 'format'), { ok: false, detail: /unexpected field "raffle"/ }, 'a raffle section in a lotto proof');
  t.same(checks(p, mutate(raffle.tickets, (ts) => (ts[1].costMinor = 'x'))).filter((n) => n === 'raffle winners'), ['raffle winners'], 'a malformed ticket list: raffle winners not checked');
  // Ticket by ticket: the inclusion proof's position against the positions and winners of the proof.
  const against = { root: p.tickets.root, treeSize: 9, drawId: p.drawId, leafVersion: 2, raffle: { positions: p.numbers[0], winners: p.raffle!.winners } };
  const result = (inclusion: unknown, opts = against) => verifyInclusionProof(inclusion, opts).find((c) => c.name === 'raffle result');
  t.match(result(raffle.inclusion), { ok: true, detail: /T3009 \(position 5\) won prize 1/ });
  const loser = inclusionProof(raffle.tree, 0, raffle.tickets[0]);
  t.match(result(loser), { ok: true, detail: /T3001 \(position 1\) won no prize/ });
  t.match(result(raffle.inclusion, { ...against, raffle: { ...against.raffle, winners: ['T3003', 'T3009', 'T3007'] } }), { ok: false, detail: /drawn for prize 1, but the proof names it for prize 2/ });
  t.match(result(loser, { ...against, raffle: { ...against.raffle, winners: ['T3001', 'T3003', 'T3007'] } }), { ok: false, detail: /drawn never, but the proof names it for prize 1/ });
  t.match(result(raffle.inclusion, { ...against, raffle: { positions: 'x', winners: [] } as Json }), { ok: false });
});
