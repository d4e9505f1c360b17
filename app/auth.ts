// app/auth.ts — password hashing (scrypt, OWASP parameters), its bounded queue, and session tokens.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { ErrorCode, invariant, RetryLaterError } from '../core/errors.ts';
import {
  PASSWORD_CHECK_MS_EXPECTED,
  PASSWORD_CHECKS_PER_ADDRESS_MAX,
  PASSWORD_CHECKS_QUEUED_MAX,
  PASSWORD_CHECKS_RUNNING_MAX,
  PASSWORD_QUEUE_RETRY_AFTER_SECONDS,
  PASSWORD_QUEUE_WAIT_MS_MAX,
} from '../core/limits.ts';
import { addressKey } from './clientAddress.ts';

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

export interface PasswordQueueLimits {
  runningMax: number;
  queuedMax: number;
  perAddressMax: number;
  waitMsMax: number;
}

/**
 * Every password hash and check of the process goes through here. Each is 128 MiB and about
 * 0.3 s of a core, so a flood of registrations and logins would otherwise take all memory
 * and make every real player's login wait behind it. At most `runningMax` run and
 * `queuedMax` wait, and none expecting to wait over `waitMsMax`; one client address has at
 * most `perAddressMax` of them. Past any: 429 RATE_LIMITED at once, with Retry-After, and no
 * work done. Waiting checks are served round-robin by address: a player waits for the
 * addresses ahead of it, not for every check a flooding address queued.
 */
export class PasswordQueue {
  private running = 0;
  private waitingCount = 0;
  /** Waiting checks by address; a Map keeps insertion order, which is the round-robin's. */
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly byAddress = new Map<string, number>();
  /** Mean time of a check lately (exponentially weighted), for the expected wait. */
  private checkMsMean = PASSWORD_CHECK_MS_EXPECTED;
  /** A hash to check against when the email is unknown, so both answers cost the same. */
  private decoy: Promise<string> | undefined;

  constructor(
    readonly limits: PasswordQueueLimits = {
      runningMax: PASSWORD_CHECKS_RUNNING_MAX,
      queuedMax: PASSWORD_CHECKS_QUEUED_MAX,
      perAddressMax: PASSWORD_CHECKS_PER_ADDRESS_MAX,
      waitMsMax: PASSWORD_QUEUE_WAIT_MS_MAX,
    },
    private readonly work = { hash: hashPassword, verify: verifyPassword },
  ) {}

  /** Checks running and waiting now (for tests and metrics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waitingCount };
  }

  hash(address: string, password: string): Promise<string> {
    return this.enqueue(address, () => this.work.hash(password));
  }

  /** Checks `password` against `stored`, or against a decoy of equal cost when there is no account. */
  verify(address: string, password: string, stored: string | undefined): Promise<boolean> {
    return this.enqueue(address, async () => {
      if (stored !== undefined) return this.work.verify(password, stored);
      this.decoy ??= this.work.hash('decoy password, never valid');
      await this.work.verify(password, await this.decoy);
      return false;
    });
  }

  private async enqueue<T>(address: string, job: () => Promise<T>): Promise<T> {
    const key = addressKey(address);
    const mine = this.byAddress.get(key) ?? 0;
    if (mine >= this.limits.perAddressMax) {
      throw new RetryLaterError(ErrorCode.RATE_LIMITED, 'too many password checks from your address at once; try again shortly', 429, PASSWORD_QUEUE_RETRY_AFTER_SECONDS);
    }
    if (this.running >= this.limits.runningMax) {
      // Each round of `runningMax` checks ahead takes about one mean check time.
      const waitMs = Math.ceil((this.checksAhead(key) + 1) / this.limits.runningMax) * this.checkMsMean;
      if (this.waitingCount >= this.limits.queuedMax || waitMs > this.limits.waitMsMax) {
        const retryAfterSeconds = Math.max(PASSWORD_QUEUE_RETRY_AFTER_SECONDS, Math.ceil(waitMs / 1000));
        throw new RetryLaterError(ErrorCode.RATE_LIMITED, 'too many logins and registrations right now; try again in a few seconds', 429, retryAfterSeconds);
      }
    }
    this.byAddress.set(key, mine + 1);
    try {
      if (this.running < this.limits.runningMax) this.running++;
      else await this.slot(key);
      invariant(this.running <= this.limits.runningMax, 'password checks over their limit');
      const startMs = performance.now();
      try {
        return await job();
      } finally {
        // Weighted to the last few checks: follows a machine getting busier within seconds.
        this.checkMsMean = 0.8 * this.checkMsMean + 0.2 * (performance.now() - startMs);
        this.release();
      }
    } finally {
      const left = (this.byAddress.get(key) ?? 1) - 1;
      if (left === 0) this.byAddress.delete(key);
      else this.byAddress.set(key, left);
    }
  }

  /**
   * Waiting checks a new one from `key` would wait behind, served round-robin by address: its
   * own address's line, and from every other address at most one per turn it must wait for.
   * Counting every waiting check instead would refuse a player because one address flooded.
   */
  private checksAhead(key: string): number {
    const own = this.waiting.get(key)?.length ?? 0;
    let ahead = own;
    for (const [other, line] of this.waiting) if (other !== key) ahead += Math.min(line.length, own + 1);
    return ahead;
  }

  /** Waits in `key`'s line until release() hands this check a running slot. */
  private slot(key: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const line = this.waiting.get(key);
      if (line) line.push(resolve);
      else this.waiting.set(key, [resolve]);
      this.waitingCount++;
    });
  }

  /** Hands the slot straight to the next address in turn, or frees it. */
  private release() {
    const next = this.waiting.entries().next();
    if (next.done) {
      this.running--;
      return;
    }
    const [key, line] = next.value;
    const resolve = line.shift()!;
    // To the back of the round: re-inserting moves the address after every other waiting one.
    this.waiting.delete(key);
    if (line.length > 0) this.waiting.set(key, line);
    this.waitingCount--;
    resolve();
  }
}
