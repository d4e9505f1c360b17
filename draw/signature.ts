// draw/signature.ts — the operator's ed25519 signatures (RFC 8032, pure Ed25519, no context).
//
// Verification is strict (zip215: false): canonical encodings of R and A only, s < L, and no
// small-order public keys, so a signature verifies here exactly when a strict RFC 8032 /
// FIPS 186-5 verifier in another language accepts it, and cannot be mauled into a second
// valid encoding.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes, equalBytes, parseHex } from './bytes.ts';

export const SECRET_KEY_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/**
 * Public keys of the secret keys we sign with. Deriving one is a scalar multiplication
 * (~0.25 ms), half the cost of a signature, and the bet writer signs with the same key
 * object every batch. The entry is checked against a hash of the key's current bytes, so
 * a key mutated in place is never paired with a stale public key.
 */
const publicKeys = new WeakMap<Uint8Array, { fingerprint: Uint8Array; publicKey: Uint8Array }>();

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  assertBytes(secretKey, 'secret key', SECRET_KEY_BYTES);
  const fingerprint = sha256(secretKey);
  const cached = publicKeys.get(secretKey);
  if (cached && equalBytes(cached.fingerprint, fingerprint)) return cached.publicKey.slice();
  const publicKey = ed25519.getPublicKey(secretKey);
  publicKeys.set(secretKey, { fingerprint, publicKey });
  return publicKey.slice();
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertBytes(secretKey, 'secret key', SECRET_KEY_BYTES);
  return ed25519.sign(message, secretKey);
}

/** Whether a hex signature over message verifies under a hex public key; false for malformed hex. */
export function signatureValid(signatureHex: string, message: Uint8Array, publicKeyHex: string): boolean {
  try {
    const signature = parseHex(signatureHex, 'signature', SIGNATURE_BYTES);
    const publicKey = parseHex(publicKeyHex, 'publicKey', PUBLIC_KEY_BYTES);
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
