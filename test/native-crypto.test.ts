// The server's OpenSSL primitives compute exactly what draw/ computes with @noble: the same
// signatures, digests, leaves, trees and paths. Receipts signed with them verify with the
// pure-JavaScript verifier (test/receipt-wire.test.ts); here every building block is equal.
import crypto from 'node:crypto';
import t from 'tap';
import { sha256 } from '@noble/hashes/sha2.js';
import { nativeSha256, nativeSigner } from '../app/nativeCrypto.ts';
import { ticketLeaf, ticketLeaves, type TicketRecord } from '../draw/encoding.ts';
import { merkleRoot, MerkleTree } from '../draw/merkle.ts';
import { nobleSha256 } from '../draw/sha256.ts';
import { sign } from '../draw/signature.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

t.test('native signing gives exactly the signatures of @noble/curves', async (t) => {
  for (let i = 0; i < 20; i++) {
    const key = crypto.randomBytes(32);
    const message = crypto.randomBytes(i * 7);
    t.same(Buffer.from(nativeSigner(key)(message)), Buffer.from(sign(message, key)), `key ${i}`);
  }
});

t.test('native SHA-256 gives the FIPS 180-4 digests and the same as @noble at every length', async (t) => {
  const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'ascii'));
  // FIPS 180-4 examples (NIST CSRC "SHA256.pdf") and the empty string.
  const digest = (data: Uint8Array) => {
    const out = new Uint8Array(32);
    nativeSha256(data, out, 0);
    return hex(out);
  };
  t.equal(digest(ascii('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  t.equal(digest(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  t.equal(digest(new Uint8Array(0)), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  // Every length across the one-, two- and three-block boundaries, and views into a larger
  // buffer (the tree hashes subarrays).
  const big = new Uint8Array(crypto.randomBytes(400));
  let same = 0;
  for (let n = 0; n <= 200; n++) {
    for (const data of [big.subarray(0, n), big.subarray(7, 7 + n)]) {
      const expected = hex(sha256(data));
      // Written at an offset inside a larger buffer, as the tree writes its nodes.
      const a = new Uint8Array(100).fill(0xee);
      const b = new Uint8Array(100).fill(0xee);
      nativeSha256(data, a, 40);
      nobleSha256(data, b, 40);
      const untouched = (x: Uint8Array) => x.subarray(0, 40).every((v) => v === 0xee) && x.subarray(72).every((v) => v === 0xee);
      if (hex(a.subarray(40, 72)) === expected && hex(b.subarray(40, 72)) === expected && untouched(a) && untouched(b)) same++;
    }
  }
  t.equal(same, 402, 'all 402 digests agree, and nothing outside their 32 bytes is written');
  // The native hash keeps a view of the last output buffer: switching buffers must not mix them up.
  const one = new Uint8Array(32);
  const two = new Uint8Array(64);
  nativeSha256(ascii('abc'), one, 0);
  nativeSha256(ascii('abc'), two, 32);
  nativeSha256(new Uint8Array(0), one, 0);
  t.equal(hex(one), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.equal(hex(two.subarray(32)), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

t.test('leaves, roots and every inclusion path are the same with either SHA-256', async (t) => {
  const tickets: TicketRecord[] = Array.from({ length: 70 }, (_, i) => ({
    ticketId: `T${1000 + i}`,
    drawId: 'lotto649-2026-11-25',
    player: crypto.randomBytes(16).toString('hex'),
    lines: Array.from({ length: 1 + (i % 3) }, (_, j) => [1 + j, 7, 13, 21, 34, 40 + (i % 9)]),
    costMinor: 200 * (1 + (i % 3)),
    receivedAtMs: 1_795_000_000_000 + i * 13,
  }));
  const nobleLeaves = tickets.map((x) => ticketLeaf(x));
  t.equal(hex(ticketLeaves(tickets, nativeSha256)), nobleLeaves.map(hex).join(''), 'leaves, end to end');
  t.equal(hex(ticketLeaves(tickets)), nobleLeaves.map(hex).join(''), 'leaves, end to end, with @noble');
  for (let n = 0; n <= tickets.length; n++) {
    const noble = new MerkleTree(nobleLeaves.slice(0, n));
    const native = new MerkleTree(ticketLeaves(tickets.slice(0, n), nativeSha256), nativeSha256);
    const root = hex(noble.root);
    const roots = [native.root, merkleRoot(nobleLeaves.slice(0, n), nativeSha256), merkleRoot(ticketLeaves(tickets.slice(0, n))), merkleRoot(nobleLeaves.slice(0, n))];
    if (roots.some((r) => hex(r) !== root)) {
      t.fail(`roots differ at ${n} leaves`);
      continue;
    }
    for (let i = 0; i < n; i++) {
      if (noble.proof(i).map(hex).join() !== native.proof(i).map(hex).join()) t.fail(`path ${i} of ${n} differs`);
    }
  }
  t.pass('roots and paths of trees of 0 to 70 leaves agree');
});
