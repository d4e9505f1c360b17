// Known-answer vectors of every draw/ primitive (the same hex is in draw/README.md), each
// also recomputed by the independent node:crypto implementation in fixtures/draw/reference.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import t from 'tap';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { seedCommitment } from '../draw/commit.ts';
import { encodeTicket, leafHash, ticketLeaf, type TicketRecord } from '../draw/encoding.ts';
import { Drbg, drbgKey, type DrawInputs, type DrumSpec } from '../draw/drbg.ts';
import { merkleRoot, MerkleTree } from '../draw/merkle.ts';
import { canonicalJson, inputsFromProof, proofMessage } from '../draw/proof.ts';
import { receiptBatchMessage } from '../draw/receipt.ts';
import { numbersFor, streamKey } from '../draw/select.ts';
import { raffleDrum } from '../draw/raffle.ts';
import { allPassed, verifyDrawProof, verifyInclusionProof } from '../draw/verify.ts';
import { EXAMPLE_PUBLIC_KEY, exampleDraw, exampleFiles, examplePick3Draw, exampleRaffleDraw, FIXTURE_DIR } from './fixtures/draw/example.ts';
import * as ref from './fixtures/draw/reference.ts';

const seq = (start: number, n = 32) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
const buf = (b: Uint8Array) => Buffer.from(b);

const TICKET: TicketRecord = {
  ticketId: 'T1',
  drawId: 'lotto649-2026-11-25',
  player: '0123456789abcdef0123456789abcdef',
  lines: [
    [3, 11, 19, 27, 35, 43],
    [1, 2, 3, 4, 5, 6],
  ],
  costMinor: 500,
  receivedAtMs: 1764061200000,
};

/** The lotto 6/49 vector inputs (README "Known-answer vectors"). */
function lottoInputs(): DrawInputs {
  return {
    drawId: 'lotto649-2026-11-25',
    gameId: 'lotto649',
    drums: [{ name: 'main', min: 1, max: 49, count: 6, replacement: false }],
    operatorSeed: seq(0x00),
    auditors: [
      { name: 'state-regulator', seed: seq(0x40) },
      { name: 'acme-audit', seed: seq(0x20) },
    ],
    beacon: { source: 'drand/quicknet', round: 20_000_000, value: seq(0xa0) },
    ticketRoot: merkleRoot(leaves(5)),
    ticketCount: 5,
    stakeTotalMinor: 1250,
  };
}

/** Vector leaves: leaf i = SHA-256(0x00 || u8 i). */
function leaves(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => leafHash(Uint8Array.of(i)));
}

function refInputs(i: DrawInputs): ref.RefInputs {
  return {
    ...i,
    operatorSeed: buf(i.operatorSeed),
    auditors: i.auditors.map((a) => ({ name: a.name, seed: buf(a.seed) })),
    beacon: i.beacon && { ...i.beacon, value: buf(i.beacon.value) },
    ticketRoot: buf(i.ticketRoot),
  };
}

t.test('encodeTicket and the leaf hash of a fixed ticket', async (t) => {
  const encoded =
    '010002543100136c6f74746f3634392d323032362d31312d32350020303132333435363738396162636465663031323334353637383961626364656602060003000b0013001b0023002b0600010002000300040005000600000000000001f40000019aba3dbe80';
  t.equal(bytesToHex(encodeTicket(TICKET)), encoded);
  t.equal(ref.refEncodeTicket(TICKET).toString('hex'), encoded, 'the reference encoder agrees');
  const leaf = '87aa7ae9d881a2c83bb02b9a29d8a67b69bcea9eac5292ae275c0d0b7140aff6';
  t.equal(bytesToHex(ticketLeaf(TICKET)), leaf);
  t.equal(crypto.createHash('sha256').update(Buffer.from('00' + encoded, 'hex')).digest('hex'), leaf, 'SHA-256(0x00 || encoding) by node:crypto');
});

/** §11's leaf version 2 tickets: a pick-3 straight and box on 1-2-3, and a raffle entry. */
const PICK3_BASE = { ticketId: 'T7', drawId: 'pick3-2026-11-25', player: '0123456789abcdef0123456789abcdef', lines: [[1, 2, 3]], costMinor: 100, receivedAtMs: 1764061200000 };
const STRAIGHT: TicketRecord = { leafVersion: 2, ...PICK3_BASE, betType: 'straight', stakeMinor: 100 };
const BOX: TicketRecord = { leafVersion: 2, ...PICK3_BASE, betType: 'box', stakeMinor: 100 };
const RAFFLE_ENTRY: TicketRecord = {
  leafVersion: 2,
  ticketId: 'T9',
  drawId: 'raffle-2026-11-25',
  player: '0123456789abcdef0123456789abcdef',
  betType: 'standard',
  stakeMinor: 1000,
  lines: [[]],
  costMinor: 1000,
  receivedAtMs: 1764061200000,
};

t.test('leaf version 2: the bet type and stake are in the leaf, spelled out byte by byte', async (t) => {
  // §11's field-by-field breakdown, written out by hand: no encoder involved.
  const byHand = [
    '02', // leaf version 2
    '0002' + Buffer.from('T7').toString('hex'),
    '0010' + Buffer.from('pick3-2026-11-25').toString('hex'),
    '0020' + Buffer.from('0123456789abcdef0123456789abcdef').toString('hex'),
    '0008' + Buffer.from('straight').toString('hex'),
    '0000000000000064', // stakeMinor 100
    '01' + '03' + '0001' + '0002' + '0003', // one line: 1, 2, 3
    '0000000000000064', // costMinor 100
    (1764061200000).toString(16).padStart(16, '0'), // receivedAtMs
  ].join('');
  const straight =
    '020002543700107069636b332d323032362d31312d323500203031323334353637383961626364656630313233343536373839616263646566000873747261696768740000000000000064010300010002000300000000000000640000019aba3dbe80';
  t.equal(byHand, straight, 'the README hex is the field list');
  t.equal(bytesToHex(encodeTicket(STRAIGHT)), straight);
  t.equal(ref.refEncodeTicket(STRAIGHT).toString('hex'), straight, 'the reference encoder agrees');
  t.equal(bytesToHex(ticketLeaf(STRAIGHT)), '1b20c727f8b94f5b61fa9152202b7e2a552726266214eb76ee982f61a3b167bc');
  t.equal(ref.refLeaf(STRAIGHT).toString('hex'), '1b20c727f8b94f5b61fa9152202b7e2a552726266214eb76ee982f61a3b167bc');
  const box = '020002543700107069636b332d323032362d31312d3235002030313233343536373839616263646566303132333435363738396162636465660003626f780000000000000064010300010002000300000000000000640000019aba3dbe80';
  t.equal(bytesToHex(encodeTicket(BOX)), box);
  t.equal(ref.refEncodeTicket(BOX).toString('hex'), box);
  t.equal(bytesToHex(ticketLeaf(BOX)), '6944ae606ad50d56ebf8f352f37e691779aa7f53ce91f0d25a64002f3e4767e8');
  // Version 1 of the same ticket cannot tell the two bets apart: that is what version 2 is for.
  const { leafVersion: _v, betType: _b, stakeMinor: _s, ...v1 } = STRAIGHT;
  const v1Hex = '010002543700107069636b332d323032362d31312d323500203031323334353637383961626364656630313233343536373839616263646566010300010002000300000000000000640000019aba3dbe80';
  t.equal(bytesToHex(encodeTicket(v1)), v1Hex);
  t.equal(bytesToHex(ticketLeaf(v1)), '3e18482396c4f8379c5c52d4bea57ed037da29ca1f04fd86c77ce9bcb5c3f528');
  t.equal(v1Hex, '01' + straight.slice(2).replace('000873747261696768740000000000000064', ''), 'version 1 = version 2 without the version byte, bet type and stake');
  const raffle =
    '02000254390011726166666c652d323032362d31312d32350020303132333435363738396162636465663031323334353637383961626364656600087374616e6461726400000000000003e8010000000000000003e80000019aba3dbe80';
  t.equal(bytesToHex(encodeTicket(RAFFLE_ENTRY)), raffle, 'a raffle entry: one line of no numbers');
  t.equal(ref.refEncodeTicket(RAFFLE_ENTRY).toString('hex'), raffle);
  t.equal(bytesToHex(ticketLeaf(RAFFLE_ENTRY)), '0e73ccbdaed49017e48829abd3d5f1c40c74edae2f1010338e099f02f4c6a1df');
});

t.test('RFC 9162 roots of 0, 1, 2, 3, 5 and 8 leaves', async (t) => {
  const roots: Record<number, string> = {
    0: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    1: '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    2: 'a20bf9a7cc2dc8a08f5f415a71b19f6ac427bab54d24eec868b5d3103449953a',
    3: '3b6cccd7e3e023ff393006f030315ee7ad9eb111b022b41fba7e5b7a3973f688',
    5: 'b855b42d6c30f5b087e05266783fbd6e394f7b926013ccaa67700a8b0c5a596f',
    8: 'ef7f49b620f6c7ea9b963a214da34b5021c6ded8ed57734380a311ab726aa907',
  };
  for (const [n, root] of Object.entries(roots).map(([n, r]) => [Number(n), r] as const)) {
    t.equal(bytesToHex(merkleRoot(leaves(n))), root, `merkleRoot of ${n}`);
    t.equal(bytesToHex(new MerkleTree(leaves(n)).root), root, `MerkleTree of ${n}`);
    const refLeaves = Array.from({ length: n }, (_, i) => ref.sha256(Buffer.from([0, i])));
    t.equal(ref.refMth(refLeaves).toString('hex'), root, `recursive node:crypto MTH of ${n}`);
  }
});

t.test('seed commitments', async (t) => {
  const operator = '5c66b6139696c2e2d9158ef190e16a6708672660708f207ec3c4a97a90f3fb14';
  const auditor = 'f33b2b81fe3f1edbb65f2e0913ffea455501bc4d1af0834e358e4966966328ea';
  t.equal(bytesToHex(seedCommitment('lotto649-2026-11-25', 'operator', seq(0x00))), operator);
  t.equal(bytesToHex(seedCommitment('lotto649-2026-11-25', 'auditor:acme-audit', seq(0x20))), auditor);
  t.equal(ref.refCommitment('lotto649-2026-11-25', 'operator', buf(seq(0x00))).toString('hex'), operator);
  t.equal(ref.refCommitment('lotto649-2026-11-25', 'auditor:acme-audit', buf(seq(0x20))).toString('hex'), auditor);
});

t.test('the DRBG key, its first three blocks and a uniform() sequence with rejections', async (t) => {
  const inputs = lottoInputs();
  const key = '777c3546f4084bffd3d1d4f08dd3974ff48ebd2a3e0507e0d4e923e82b58aa8e';
  t.equal(bytesToHex(drbgKey(inputs)), key);
  t.equal(ref.refDrbgKey(refInputs(inputs)).toString('hex'), key, 'reference key');
  t.equal(bytesToHex(drbgKey({ ...inputs, auditors: [...inputs.auditors].reverse() })), key, 'auditors are sorted by name, any order given');
  t.equal(bytesToHex(drbgKey({ ...inputs, auditors: [], beacon: null })), '4a526127ef39b5bbf5c5bdba7e89aa700d18d6851950f6be3927bb6e917f8d29', 'no auditors, no beacon');

  const blocks = [
    '17033847561c7fac04de1b322022abcc12b4eb879dcb6e5525120bc2f16aa35e',
    'af2c24f0d8241a336f92156c7ba462ea509e3031abd103f70e815a8716ed484e',
    'cb45e1d9ee5eda477df35c28a7175fcb36b2a8c169e8cfa9dfd5cec401f5d240',
  ];
  const drbg = new Drbg(hexToBytes(key));
  // Read in odd-sized pieces: the stream must not depend on how it is consumed.
  const stream = Buffer.concat([drbg.nextBytes(5), drbg.nextBytes(0), drbg.nextBytes(40), drbg.nextBytes(51)].map(buf));
  t.equal(stream.toString('hex'), blocks.join(''));
  blocks.forEach((block, i) => t.equal(ref.refBlock(Buffer.from(key, 'hex'), i).toString('hex'), block, `block ${i} = node:crypto HMAC-SHA256`));
  const long = Buffer.from(new Drbg(hexToBytes(key)).nextBytes(32 * 5000));
  const refLong = Buffer.concat(Array.from({ length: 5000 }, (_, i) => ref.refBlock(Buffer.from(key, 'hex'), i)));
  t.ok(long.equals(refLong), 'the first 5,000 blocks equal node:crypto HMAC-SHA256 (the reused HMAC state never leaks between blocks)');

  const calls = [49, 48, 3, 2 ** 32, 1, 10, ...Array<number>(8).fill(2 ** 31 + 1)];
  const expected = [9, 44, 0, 539143116, 0, 5, 621939650, 1871844716, 2074370794, 1352544305, 243358343, 384649294, 2113100840, 917678273];
  const u = new Drbg(hexToBytes(key));
  t.same(calls.map((n) => u.uniform(n)), expected);
  t.equal(u.bytesRead, 84, '14 calls read 21 words: 7 values rejected for n = 2^31 + 1');
  const r = new ref.RefDrbg(Buffer.from(key, 'hex'));
  t.same(calls.map((n) => r.uniform(n)), expected, 'reference uniform');
});

t.test('drawn numbers: every catalogue game, a raffle, drums with replacement, a 2^32-ball drum', async (t) => {
  const base = lottoInputs();
  const digits = (n: number, replacement: boolean, name = (i: number) => `d${i}`) =>
    Array.from({ length: n }, (_, i) => ({ name: name(i + 1), min: 0, max: 9, count: 1, replacement }));
  const games: [string, DrumSpec[], number[][]][] = [
    // The catalogue's own games (games/*.ts), in §11's order.
    ['lotto649', base.drums, [[10, 46, 17, 27, 15, 16]]],
    [
      'jackpot569',
      [
        { name: 'main', min: 1, max: 69, count: 5, replacement: false },
        { name: 'bonus', min: 1, max: 26, count: 1, replacement: false },
      ],
      [[5, 43, 66, 11, 50], [13]],
    ],
    ['pick3', digits(3, false), [[6], [6], [1]]],
    ['pick4', digits(4, false), [[4], [4], [7], [2]]],
    ['keno', [{ name: 'main', min: 1, max: 80, count: 20, replacement: false }], [[24, 15, 29, 52, 73, 11, 44, 67, 18, 31, 6, 60, 66, 4, 62, 79, 30, 49, 41, 26]]],
    ['raffle', [raffleDrum(5, 3)], [[3, 5, 4]]],
    ['raffle', [raffleDrum(5, 113)], [[3, 2, 5, 1, 4]]],
    // Shapes the format allows that no catalogue game uses: two balls from a second drum, and drums with replacement.
    [
      'jackpot',
      [
        { name: 'main', min: 1, max: 50, count: 5, replacement: false },
        { name: 'euro', min: 1, max: 12, count: 2, replacement: false },
      ],
      [[40, 34, 35, 16, 36], [11, 3]],
    ],
    ['pick3', digits(3, true, (i) => `digit${i}`), [[8], [4], [1]]],
    ['pick3', [{ name: 'digits', min: 0, max: 9, count: 3, replacement: true }], [[6, 1, 4]]],
  ];
  t.same(raffleDrum(5, 3), { name: 'tickets', min: 1, max: 5, count: 3, replacement: false }, 'the raffle drum of §6');
  for (const [gameId, drums, numbers] of games) {
    const inputs = { ...base, gameId, drums };
    t.same(numbersFor(inputs), numbers, `${gameId} ${JSON.stringify(drums.map((d) => [d.min, d.max, d.count, d.replacement]))}`);
    t.same(ref.refDrawNumbers(new ref.RefDrbg(ref.refDrbgKey(refInputs(inputs))), drums), numbers, `${gameId}: reference selection`);
  }
  // Too many balls to list: selection must work without materialising the drum.
  const wide = { ...base, gameId: 'wide', drums: [{ name: 'wide', min: 0, max: 2 ** 32 - 1, count: 3, replacement: false }] };
  t.same(numbersFor(wide), [[1875332658, 1683266050, 567283121]]);
});

t.test('a raffle of ten million tickets: §11 vector, the reference over a materialised list, no such list in draw/', async (t) => {
  const inputs = { ...lottoInputs(), gameId: 'raffle', drums: [raffleDrum(10_000_000, 113)], ticketCount: 10_000_000 };
  t.same(inputs.drums[0], { name: 'tickets', min: 1, max: 10_000_000, count: 113, replacement: false });
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const numbers = numbersFor(inputs);
  const ms = performance.now() - started;
  t.comment(`113 winners among 10,000,000 in ${ms.toFixed(1)} ms`);
  t.ok(ms < 500, 'fast: the list of positions is never built');
  t.ok(process.memoryUsage().heapUsed - heapBefore < 8 * 1024 * 1024, 'and nothing of its size is allocated');
  t.same(numbers[0].slice(0, 8), [9231894, 1277781, 6137661, 646054, 2353624, 8513139, 1102605, 3980483]);
  t.same(numbers[0].slice(-3), [8144030, 3844969, 1875255]);
  t.equal(canonicalJson(numbers).length, 892);
  t.equal(crypto.createHash('sha256').update(canonicalJson(numbers)).digest('hex'), '38ae886a7e470b4b1c44537e05c9fe6d21130308a6aa9bff35b8272c4936580a');
  t.equal(new Set(numbers[0]).size, 113, 'distinct positions');
  // The reference splices a real list of ten million positions, as §6 states the rule.
  t.same(ref.refDrawNumbers(new ref.RefDrbg(ref.refDrbgKey(refInputs(inputs))), inputs.drums), numbers, 'the reference agrees');
  const empty = { ...lottoInputs(), gameId: 'raffle', drums: [raffleDrum(0, 113)], ticketCount: 0 };
  t.same(empty.drums[0], { name: 'tickets', min: 1, max: 1, count: 1, replacement: false });
  t.same(numbersFor(empty), [[1]], 'no ticket sold: one position, drawn, naming no one');
});

t.test('the stream tool key and its first 64 bytes for the default seed', async (t) => {
  const key = '53eb702bab7e649fb4dfc52397ec3afc7c7c5d66e867e3bda2981510f879e5a9';
  t.equal(bytesToHex(streamKey(new Uint8Array(32))), key);
  t.equal(ref.refStreamKey(Buffer.alloc(32)).toString('hex'), key);
  t.equal(
    bytesToHex(streamBytes(key)),
    'da680aa5a9b054badba305e4fea83684fe61ae88a1424dfe324cd0ec7220017b745bfce93ec1569bbeb211501bba4c35035c3a4794198527eaf1228942fc6b78',
  );
});

function streamBytes(keyHex: string): Uint8Array {
  return new Drbg(hexToBytes(keyHex)).nextBytes(64);
}

/** Key-sorted JSON.stringify: an independent canonical JSON for the values proofs hold. */
function refCanonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(v));
}

function nodeVerify(publicKeyHex: string, message: Uint8Array, signatureHex: string): boolean {
  const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyHex, 'hex').toString('base64url') }, format: 'jwk' });
  return crypto.verify(null, message, key, Buffer.from(signatureHex, 'hex'));
}

t.test('the leaf version 2 examples: pick-3 and a raffle, recomputed by the reference, every check passing', async (t) => {
  for (const [name, d] of [['pick3', examplePick3Draw()], ['raffle', exampleRaffleDraw()]] as const) {
    t.equal(d.proof.tickets.leafVersion, 2, `${name}: leaf version 2`);
    t.equal(ref.refMth(d.tickets.map((x) => ref.refLeaf(x))).toString('hex'), d.proof.tickets.root, `${name}: reference root of the ticket list`);
    const refNumbers = ref.refDrawNumbers(new ref.RefDrbg(ref.refDrbgKey(refInputs(inputsFromProof(d.proof)))), d.proof.drums);
    t.same(refNumbers, d.proof.numbers, `${name}: reference numbers`);
    t.ok(nodeVerify(d.proof.publicKey, proofMessage(d.proof), d.proof.signature), `${name}: node:crypto verifies the proof signature`);
    t.ok(allPassed(verifyDrawProof(d.proof, { tickets: d.tickets, publicKey: EXAMPLE_PUBLIC_KEY })), `${name}: the proof and its ticket list verify`);
  }
  const pick3 = examplePick3Draw();
  t.same(pick3.tickets.slice(0, 3).map((x) => (x.leafVersion === 2 ? x.betType : '')), ['straight', 'box', 'straight_box'], 'three bets on 1-2-3');
  t.equal(new Set(pick3.tickets.slice(0, 3).map((x) => bytesToHex(ticketLeaf(x)))).size, 3, '… with three different leaves');
  const raffle = exampleRaffleDraw();
  t.same(raffle.proof.numbers, [[5, 2, 4]]);
  t.same(raffle.proof.raffle, { prizeCount: 3, winners: ['T3009', 'T3003', 'T3007'] }, '§11: the winners are the tickets at the positions drawn');
  t.same(ref.refRaffleWinners(raffle.proof.numbers[0], raffle.tickets.map((x) => x.ticketId)), raffle.proof.raffle!.winners, 'reference winners');
  t.equal(raffle.inclusion.leafIndex, 4);
  const against = { root: raffle.proof.tickets.root, treeSize: 9, drawId: raffle.proof.drawId, leafVersion: 2, raffle: { positions: raffle.proof.numbers[0], winners: raffle.proof.raffle!.winners } };
  t.match(verifyInclusionProof(raffle.inclusion, against).find((c) => c.name === 'raffle result'), { ok: true, detail: /won prize 1/ });
});

t.test('the example proof, receipts and inclusion proof: committed fixtures, signatures checked by node:crypto', async (t) => {
  for (const [name, text] of Object.entries(exampleFiles())) {
    t.equal(fs.readFileSync(`${FIXTURE_DIR}${name}`, 'utf8'), text, `${name} is what fixtures/draw/example.ts produces`);
  }
  const { proof, receipts, tickets, tree } = exampleDraw();
  const { signature, ...unsigned } = proof;
  const message = proofMessage(proof);
  t.equal(Buffer.from(message).toString('utf8'), 'lottery/draw-proof/v1\n' + refCanonical(unsigned), 'message = label + key-sorted compact JSON');
  t.equal(canonicalJson(unsigned), refCanonical(unsigned));
  t.ok(nodeVerify(proof.publicKey, message, signature), 'node:crypto verifies the proof signature');
  t.equal(ref.refMth(tickets.map((x) => ref.refLeaf(x))).toString('hex'), proof.tickets.root, 'reference root of the ticket list');
  t.equal(bytesToHex(tree.root), proof.tickets.root);
  for (const [size, r] of [[10, receipts[0]], [15, receipts[10]]] as const) {
    const batchMessage = Buffer.concat([Buffer.from('lottery/receipt-batch/v1\n'), ref.u64(size), Buffer.from(r.batch.root, 'hex')]);
    t.same(buf(receiptBatchMessage(size, hexToBytes(r.batch.root))), batchMessage, 'receipt batch message bytes');
    t.ok(nodeVerify(r.publicKey, batchMessage, r.signature), `node:crypto verifies the batch signature (size ${size})`);
  }
});
