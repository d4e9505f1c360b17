// draw/signature.ts — the operator's ed25519 signatures (RFC 8032, pure Ed25519, no context).
//
// Verification follows one named rule (draw/README.md §7, "Signature verification"): the
// public key must be a canonical encoding of a point that is not of small order; S < L; and
// the cofactorless equation is checked by encoding [S]B − [k]A and comparing it with R byte
// for byte. That is OpenSSL's Ed25519 verification plus a check of the key alone. Why not
// @noble's own verify: it checks the cofactored equation, which accepts a signature whose R
// has a small-order component, or one under a mixed-order key, that OpenSSL (and so most
// verifiers in other languages) reject; an operator could craft a proof on which two honest
// verifiers disagree. test/draw-ed25519.test.ts holds a vector for each such case.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
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

const Point = ed25519.Point;
/** L, the order of the base point: S must be below it (no second encoding of one signature). */
const GROUP_ORDER = Point.Fn.ORDER;

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/**
 * Whether 32 bytes are an acceptable public key: the canonical encoding of a curve point
 * (y < p; not x = 0 with the sign bit set) that is not one of the 8 points of small order.
 * A small-order key "signs" every message with a signature anyone can make.
 */
export function publicKeyAcceptable(publicKey: Uint8Array): boolean {
  assertBytes(publicKey, 'publicKey', PUBLIC_KEY_BYTES);
  try {
    return !Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false; // not a canonical encoding of a curve point
  }
}

/**
 * The rule of draw/README.md §7: the key acceptable, S < L, k = SHA-512(R ‖ A ‖ M) mod L
 * over the bytes as given, and encode([S]B − [k]A) = R byte for byte (so a non-canonical R
 * never matches, and neither does an R that differs from it by a small-order point).
 */
export function verifySignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  assertBytes(signature, 'signature', SIGNATURE_BYTES);
  assertBytes(message, 'message');
  if (!publicKeyAcceptable(publicKey)) return false;
  const r = signature.subarray(0, 32);
  const s = littleEndian(signature.subarray(32));
  if (s >= GROUP_ORDER) return false;
  const A = Point.fromBytes(publicKey, false);
  const k = littleEndian(sha512(concatBytes(r, publicKey, message))) % GROUP_ORDER;
  const expectedR = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
  return equalBytes(expectedR.toBytes(), r);
}

/** Whether a hex signature over message verifies under a hex public key; false for malformed hex. */
export function signatureValid(signatureHex: string, message: Uint8Array, publicKeyHex: string): boolean {
  try {
    const signature = parseHex(signatureHex, 'signature', SIGNATURE_BYTES);
    const publicKey = parseHex(publicKeyHex, 'publicKey', PUBLIC_KEY_BYTES);
    return verifySignature(signature, message, publicKey);
  } catch {
    return false;
  }
}
