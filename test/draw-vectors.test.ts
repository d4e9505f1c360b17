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
import { canonicalJson, proofMessage } from '../draw/proof.ts';
import { receiptBatchMessage } from '../draw/receipt.ts';
import { numbersFor, streamKey } from '../draw/select.ts';
import { exampleDraw, exampleFiles, FIXTURE_DIR } from './fixtures/draw/example.ts';
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

t.test('drawn numbers: lotto 6/49, two-drum jackpot games, pick-3 two ways, pick-4, keno, a raffle, a 2^32-ball drum', async (t) => {
  const base = lottoInputs();
  const games: [string, DrumSpec[], number[][]][] = [
    ['lotto649', base.drums, [[10, 46, 17, 27, 15, 16]]],
    [
      'jackpot',
      [
        { name: 'main', min: 1, max: 50, count: 5, replacement: false },
        { name: 'euro', min: 1, max: 12, count: 2, replacement: false },
      ],
      [[40, 34, 35, 16, 36], [11, 3]],
    ],
    ['pick3', [0, 1, 2].map((i) => ({ name: `digit${i + 1}`, min: 0, max: 9, count: 1, replacement: true })), [[8], [4], [1]]],
    ['pick3', [{ name: 'digits', min: 0, max: 9, count: 3, replacement: true }], [[6, 1, 4]]],
    // The catalogue's own games (games/catalogue.ts), and a raffle of the five sealed tickets.
    [
      'jackpot569',
      [
        { name: 'main', min: 1, max: 69, count: 5, replacement: false },
        { name: 'bonus', min: 1, max: 26, count: 1, replacement: false },
      ],
      [[5, 43, 66, 11, 50], [13]],
    ],
    ['pick4', [1, 2, 3, 4].map((i) => ({ name: `d${i}`, min: 0, max: 9, count: 1, replacement: false })), [[4], [4], [7], [2]]],
    ['keno', [{ name: 'main', min: 1, max: 80, count: 20, replacement: false }], [[24, 15, 29, 52, 73, 11, 44, 67, 18, 31, 6, 60, 66, 4, 62, 79, 30, 49, 41, 26]]],
    ['raffle', [{ name: 'tickets', min: 1, max: 5, count: 3, replacement: false }], [[3, 5, 4]]],
  ];
  for (const [gameId, drums, numbers] of games) {
    const inputs = { ...base, gameId, drums };
    t.same(numbersFor(inputs), numbers, `${gameId} ${JSON.stringify(drums.map((d) => [d.min, d.max, d.count, d.replacement]))}`);
    t.same(ref.refDrawNumbers(new ref.RefDrbg(ref.refDrbgKey(refInputs(inputs))), drums), numbers, `${gameId}: reference selection`);
  }
  // Too many balls to list: selection must work without materialising the drum.
  const wide = { ...base, gameId: 'wide', drums: [{ name: 'wide', min: 0, max: 2 ** 32 - 1, count: 3, replacement: false }] };
  t.same(numbersFor(wide), [[1875332658, 1683266050, 567283121]]);
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
