// app/auth.ts — password hashing (scrypt, OWASP parameters) and session tokens.
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

// OWASP Password Storage Cheat Sheet: scrypt N=2^17, r=8, p=1.
const SCRYPT_LOG2_N = 17;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SCRYPT_KEY_BYTES = 32;
const SCRYPT_SALT_BYTES = 16;
// scrypt needs 128 * N * r bytes (128 MiB here); Node's default cap is 32 MiB.
const SCRYPT_MAXMEM_BYTES = 256 * 1024 * 1024;
const TOKEN_BYTES = 32; // 256 random bits

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SCRYPT_SALT_BYTES);
  const key = await scrypt(password, salt, SCRYPT_KEY_BYTES, {
    N: 2 ** SCRYPT_LOG2_N,
    r: SCRYPT_R,
    p: SCRYPT_P,
    maxmem: SCRYPT_MAXMEM_BYTES,
  });
  return `scrypt$${SCRYPT_LOG2_N}$${SCRYPT_R}$${SCRYPT_P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time comparison; parameters come from the stored hash so they can be raised later. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, logN, r, p, saltB64, keyB64] = parts;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: 2 ** Number(logN),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT_MAXMEM_BYTES,
  });
  return crypto.timingSafeEqual(key, expected);
}

/** A fresh session token: 256 random bits, URL-safe. Only its hash is stored. */
export function newSessionToken(): string {
  return crypto.randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashSessionToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}

/** Tokens we issue are exactly 43 base64url characters; anything else is not ours. */
export function isWellFormedToken(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}
