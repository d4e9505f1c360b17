// The Ed25519 verification rule of draw/README.md §7 on the cases where verifiers differ:
// small-order components in R or the key, small-order and non-canonical keys, S >= L,
// non-canonical R. Each vector's verdict is the spec's; OpenSSL (node:crypto) must agree
// with it wherever the key is acceptable, and the key rule alone accounts for the rest.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { proofMessage } from '../draw/proof.ts';
import { verifyDrawProof } from '../draw/verify.ts';
import { publicKeyAcceptable, sign, publicKeyOf, signatureValid, verifySignature } from '../draw/signature.ts';
import { ed25519Vectors, type Ed25519Vector } from './fixtures/draw/ed25519-vectors.ts';
import { EXAMPLE_PUBLIC_KEY, EXAMPLE_SECRET_KEY, exampleDraw, FIXTURE_DIR } from './fixtures/draw/example.ts';

const vectors: Ed25519Vector[] = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'ed25519-vectors.json'), 'utf8'));
const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const spki = (pub: Uint8Array) => crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' });
const openssl = (sig: Uint8Array, msg: Uint8Array, pub: Uint8Array) => crypto.verify(null, msg, spki(pub), sig);

t.test('the committed vectors are the ones the fixture builds', async (t) => {
  t.same(vectors.map(({ openssl: _, ...v }) => v), ed25519Vectors());
  t.same(
    vectors.map((v) => v.name),
    [
      'valid signature',
      'R with a small-order component (R + T8)',
      'mixed-order public key (A + T8)',
      'small-order public key (order 8)',
      'small-order public key (the identity)',
      'non-canonical S (S + L)',
      'non-canonical R (identity as y = p + 1)',
      'non-canonical R (identity with sign bit 1)',
      'non-canonical public key (identity as y = p + 1)',
      'non-canonical public key (identity with sign bit 1)',
      'non-canonical public key (y = p + 3, not small order)',
      'small-order R (the identity)',
    ],
    'every case the spec lists',
  );
});

t.test('our verdict is the spec\'s; node:crypto agrees on every acceptable key', async (t) => {
  for (const v of vectors) {
    const [sig, msg, pub] = [bytes(v.signature), bytes(v.message), bytes(v.publicKey)];
    t.equal(verifySignature(sig, msg, pub), v.valid, `${v.name}: ours`);
    t.equal(signatureValid(v.signature, msg, v.publicKey), v.valid, `${v.name}: ours, from hex`);
    t.equal(publicKeyAcceptable(pub), v.keyAcceptable, `${v.name}: key rule`);
    t.equal(openssl(sig, msg, pub), v.openssl, `${v.name}: node:crypto as recorded`);
    t.equal(openssl(sig, msg, pub) && publicKeyAcceptable(pub), v.valid, `${v.name}: OpenSSL plus the key rule is the spec's rule`);
    if (v.keyAcceptable) t.equal(openssl(sig, msg, pub), v.valid, `${v.name}: node:crypto alone agrees`);
  }
  // Why not @noble's verify: its cofactored equation accepts the two crafted signatures.
  for (const name of ['R with a small-order component (R + T8)', 'mixed-order public key (A + T8)']) {
    const v = vectors.find((x) => x.name === name)!;
    t.ok(ed25519.verify(bytes(v.signature), bytes(v.message), bytes(v.publicKey), { zip215: false }), `${name}: the cofactored equation accepts it`);
  }
});

t.test('ordinary signatures and their corruptions: ours, @noble and node:crypto agree', async (t) => {
  let agreed = 0;
  for (let i = 0; i < 40; i++) {
    const key = crypto.randomBytes(32);
    const pub = publicKeyOf(key);
    const msg = crypto.randomBytes(i * 5);
    const sig = sign(msg, key);
    const flipped = sig.slice();
    flipped[i % 64] ^= 1 << (i % 8);
    for (const s of [sig, flipped]) {
      const ours = verifySignature(s, msg, pub);
      if (ours === openssl(s, msg, pub) && ours === ed25519.verify(s, msg, pub, { zip215: false }) && ours === (s === sig)) agreed++;
    }
  }
  t.equal(agreed, 80);
});

t.test('a proof an operator crafts with a small-order component in R fails "signature" everywhere, as OpenSSL says', async (t) => {
  const { proof } = exampleDraw();
  const { scalar } = ed25519.utils.getExtendedPublicKey(EXAMPLE_SECRET_KEY);
  const Point = ed25519.Point;
  const L = Point.Fn.ORDER;
  const torsion = Point.fromBytes(bytes(vectors.find((v) => v.name === 'small-order public key (order 8)')!.publicKey), false);
  const message = proofMessage(proof);
  const r = 0x5eedn;
  const R = Point.BASE.multiply(r).add(torsion).toBytes();
  const A = bytes(proof.publicKey);
  const le = (b: Uint8Array) => b.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);
  const k = le(sha512(concatBytes(R, A, message))) % L;
  const S = (r + k * scalar) % L;
  const signature = concatBytes(R, Uint8Array.from({ length: 32 }, (_, i) => Number((S >> BigInt(8 * i)) & 0xffn)));
  const crafted = { ...proof, signature: bytesToHex(signature) };
  t.ok(ed25519.verify(signature, message, A, { zip215: false }), 'the cofactored equation would accept it');
  t.notOk(openssl(signature, message, A), 'OpenSSL rejects it');
  const failed = verifyDrawProof(crafted, { publicKey: EXAMPLE_PUBLIC_KEY }).filter((c) => !c.ok).map((c) => c.name);
  t.same(failed, ['signature'], 'the verifier rejects it, naming the check');
  // The command-line tools (npm run verify and bin/lottery-verify.mjs) share verify.ts.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crafted-')), 'proof.json');
  fs.writeFileSync(file, JSON.stringify(crafted));
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(NODE_V8_COVERAGE|NODE_OPTIONS|_?TAP)/.test(key)));
  const result = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(process.execPath, ['bin/lottery-verify.mjs', file, '--key', EXAMPLE_PUBLIC_KEY], { env }, (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout })),
  );
  t.equal(result.code, 1, 'npx lottery-verify: exit 1');
  t.match(result.stdout, /^FAIL {2}signature /m);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});
