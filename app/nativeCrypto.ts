// app/nativeCrypto.ts — OpenSSL (node:crypto) versions of the two primitives the bet writer
// runs on every batch. Both compute exactly the functions draw/ computes with @noble: an
// Ed25519 signature is deterministic (RFC 8032) and SHA-256 is SHA-256, so a receipt made
// here verifies with the pure-JavaScript verifier byte for byte (test/native-crypto.test.ts
// compares them). draw/ keeps @noble so the verifier runs anywhere; only the server swaps.
import crypto from 'node:crypto';
import type { Sha256 } from '../draw/sha256.ts';

/**
 * Ed25519 signing through OpenSSL: byte-identical to @noble/curves at ~30 µs instead of
 * ~500 µs. The bet writer signs every batch; verification everywhere stays with @noble.
 */
export function nativeSigner(secretKey: Uint8Array): (message: Uint8Array) => Uint8Array {
  // PKCS#8 wrapping of a raw Ed25519 private key (RFC 8410).
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(secretKey)]);
  const key = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return (message) => new Uint8Array(crypto.sign(null, message, key));
}

/**
 * SHA-256 through OpenSSL's one-shot digest. A receipt batch hashes two short messages per
 * ticket (its leaf, about 100 bytes, and one 65-byte tree node); for those this takes
 * ~0.8 µs against ~1.25 µs for @noble's (scratch measurement on this machine), and under
 * load the difference was ~10% of the server's CPU per bet (BENCHMARKS.md).
 * `crypto.hash` is Node >= 20.12; older 20.x fall back to a Hash object.
 */
export const nativeSha256: Sha256 =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();
