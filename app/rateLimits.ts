// app/rateLimits.ts — limits on registering and logging in, per client address, shared by
// every process of a cluster (a per-process counter lets N processes allow N times the
// guesses).
//
// Login throttling follows OWASP's Authentication and Credential Stuffing cheat sheets:
//  - one address guessing one account: a few failures free, then each further failure makes
//    that (address, account) pair wait twice as long as the last, up to a cap; a success
//    forgets them. Never a lock-out of the account: its owner, from any other address, is
//    not slowed at all.
//  - one address trying one password on many accounts (spraying): a bound on its failures
//    over all accounts;
//  - one address's share of the password CPU: a bound on its attempts, right or wrong.
// The pair is keyed by the email as typed, whether or not an account has it, so the answers
// (and their timing) say nothing about which accounts exist.
//
// Stores: Redis when REDIS_URL is set (with per-process limits in memory as insurance, so a
// Redis outage degrades the limits instead of failing logins); else PostgreSQL when it is a
// real server (table rate_limits, migration 006); else memory (the embedded database
// serves one process by construction).
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ErrorCode, RetryLaterError } from '../core/errors.ts';
import { LIMIT_STORE_ERROR_LOG_EVERY_MS, LOGIN_ATTEMPTS_PER_ADDRESS_MAX, LOGIN_ATTEMPTS_PER_ADDRESS_WINDOW_SECONDS, LOGIN_FAILURES_PER_ADDRESS_MAX, LOGIN_FAILURES_PER_ADDRESS_WINDOW_SECONDS, LOGIN_PAIR_BACKOFF_SECONDS_BASE, LOGIN_PAIR_BACKOFF_SECONDS_MAX, LOGIN_PAIR_FAILURES_FREE, LOGIN_PAIR_FAILURES_WINDOW_SECONDS, RATE_LIMIT_STORE_TIMEOUT_MS, RATE_LIMIT_SWEEP_EVERY_MS, REGISTRATIONS_PER_ADDRESS_MAX, REGISTRATIONS_PER_ADDRESS_WINDOW_SECONDS } from '../core/limits.ts';
import { deleteExpiredRateLimits, RATE_LIMITS_TABLE } from '../ledger/rateLimits.ts';
import { addressKey } from './clientAddress.ts';
import { ThrottledLog, type Logger } from '../core/logger.ts';

interface Budget {
  points: number;
  durationSeconds: number;
}

export interface AuthLimitPolicy {
  registrationsPerAddress: Budget;
  loginAttemptsPerAddress: Budget;
  loginFailuresPerAddress: Budget;
  pair: { failuresFree: number; backoffSecondsBase: number; backoffSecondsMax: number; windowSeconds: number };
}

/** The policy with the per-address budgets an operator configured (AUTH_* in app/config.ts). */
export function authLimitPolicy(perAddress: { registrationsPerHour: number; loginsPerMinute: number; loginFailuresPerHour: number }): AuthLimitPolicy {
  return {
    ...DEFAULT_AUTH_LIMIT_POLICY,
    registrationsPerAddress: { points: perAddress.registrationsPerHour, durationSeconds: REGISTRATIONS_PER_ADDRESS_WINDOW_SECONDS },
    loginAttemptsPerAddress: { points: perAddress.loginsPerMinute, durationSeconds: LOGIN_ATTEMPTS_PER_ADDRESS_WINDOW_SECONDS },
    loginFailuresPerAddress: { points: perAddress.loginFailuresPerHour, durationSeconds: LOGIN_FAILURES_PER_ADDRESS_WINDOW_SECONDS },
  };
}

export const DEFAULT_AUTH_LIMIT_POLICY: AuthLimitPolicy = {
  registrationsPerAddress: { points: REGISTRATIONS_PER_ADDRESS_MAX, durationSeconds: REGISTRATIONS_PER_ADDRESS_WINDOW_SECONDS },
  loginAttemptsPerAddress: { points: LOGIN_ATTEMPTS_PER_ADDRESS_MAX, durationSeconds: LOGIN_ATTEMPTS_PER_ADDRESS_WINDOW_SECONDS },
  loginFailuresPerAddress: { points: LOGIN_FAILURES_PER_ADDRESS_MAX, durationSeconds: LOGIN_FAILURES_PER_ADDRESS_WINDOW_SECONDS },
  pair: {
    failuresFree: LOGIN_PAIR_FAILURES_FREE,
    backoffSecondsBase: LOGIN_PAIR_BACKOFF_SECONDS_BASE,
    backoffSecondsMax: LOGIN_PAIR_BACKOFF_SECONDS_MAX,
    windowSeconds: LOGIN_PAIR_FAILURES_WINDOW_SECONDS,
  },
};

export type LimitStore = { kind: 'redis'; url: string } | { kind: 'postgres'; pool: pg.Pool } | { kind: 'memory' };

/** How long the pair waits after its `failures`-th consecutive failure (0: not yet). */
export function pairBackoffSeconds(failures: number, pair: AuthLimitPolicy['pair']): number {
  const past = failures - pair.failuresFree;
  if (past <= 0) return 0;
  return Math.min(pair.backoffSecondsMax, pair.backoffSecondsBase * 2 ** Math.min(past - 1, 30));
}

export class AuthLimits {
  private readonly registrations: RateLimiterAbstract;
  private readonly attempts: RateLimiterAbstract;
  private readonly failures: RateLimiterAbstract;
  private readonly pairFailures: RateLimiterAbstract;
  private readonly pairWait: RateLimiterAbstract;

  private constructor(
    private readonly policy: AuthLimitPolicy,
    make: (keyPrefix: string, budget: Budget) => RateLimiterAbstract,
    private readonly closeStore: () => Promise<void>,
  ) {
    this.registrations = make('register:address', policy.registrationsPerAddress);
    this.attempts = make('login:address', policy.loginAttemptsPerAddress);
    this.failures = make('login-failures:address', policy.loginFailuresPerAddress);
    // Counts only; the wait is set explicitly (block) from the count.
    this.pairFailures = make('login-failures:pair', { points: Number.MAX_SAFE_INTEGER, durationSeconds: policy.pair.windowSeconds });
    this.pairWait = make('login-wait:pair', { points: 1, durationSeconds: policy.pair.backoffSecondsMax });
  }

  static create(store: LimitStore, logger: Logger, policy: AuthLimitPolicy = DEFAULT_AUTH_LIMIT_POLICY): AuthLimits {
    if (store.kind === 'memory') return new AuthLimits(policy, memoryLimiter, async () => {});
    if (store.kind === 'postgres') {
      const make = (keyPrefix: string, budget: Budget) =>
        new RateLimiterPostgres({
          ...options(keyPrefix, budget),
          storeClient: store.pool,
          storeType: 'pool',
          tableName: RATE_LIMITS_TABLE,
          // Migration 006 made it; the library's own sweep is replaced by ours, which stops at close().
          tableCreated: true,
          clearExpiredByTimeout: false,
        });
      const sweep = setInterval(() => deleteExpiredRateLimits(store.pool, Date.now()).catch(() => {}), RATE_LIMIT_SWEEP_EVERY_MS);
      sweep.unref();
      return new AuthLimits(policy, make, async () => clearInterval(sweep));
    }
    const redis = rateLimitRedis(store.url, logger);
    const make = (keyPrefix: string, budget: Budget) =>
      new RateLimiterRedis({
        ...options(keyPrefix, budget),
        storeClient: redis,
        // Redis away: decide at once, per process, rather than wait for a reconnection.
        rejectIfRedisNotReady: true,
        insuranceLimiter: memoryLimiter(keyPrefix, budget),
      });
    return new AuthLimits(policy, make, async () => void (await redis.quit().catch(() => redis.disconnect())));
  }

  /** Counts a registration from `address`; throws RATE_LIMITED past the address's budget. */
  async beforeRegister(address: string): Promise<void> {
    await consumeOrRefuse(this.registrations, addressKey(address), 'too many registrations from your address; try again later');
  }

  /** Refuses a login the pair must still wait for, or past the address's budgets; counts the attempt. */
  async beforeLogin(address: string, email: string): Promise<void> {
    const wait = await this.pairWait.get(pairKey(address, email));
    if (wait && wait.consumedPoints > this.pairWait.points) {
      throw rateLimited('too many failed logins for this account from your address; wait before trying again', wait.msBeforeNext);
    }
    const failed = await this.failures.get(addressKey(address));
    if (failed && failed.consumedPoints >= this.policy.loginFailuresPerAddress.points) {
      throw rateLimited('too many failed logins from your address; try again later', failed.msBeforeNext);
    }
    await consumeOrRefuse(this.attempts, addressKey(address), 'too many login attempts from your address; try again shortly');
  }

  /** A wrong password (or an unknown email): counts it for the address and the pair, and sets the pair's wait. */
  async loginFailed(address: string, email: string): Promise<void> {
    // Over the budget is no error here: the next attempt is refused by beforeLogin.
    await this.failures.consume(addressKey(address)).catch(rethrowUnlessRefusal);
    const key = pairKey(address, email);
    const count = await this.pairFailures.consume(key);
    const waitSeconds = pairBackoffSeconds(count.consumedPoints, this.policy.pair);
    if (waitSeconds > 0) await this.pairWait.block(key, waitSeconds);
  }

  /** The right password: the pair starts afresh. */
  async loginSucceeded(address: string, email: string): Promise<void> {
    const key = pairKey(address, email);
    await Promise.all([this.pairFailures.delete(key), this.pairWait.delete(key)]);
  }

  async close(): Promise<void> {
    await this.closeStore();
  }
}

function options(keyPrefix: string, budget: Budget) {
  return { keyPrefix: `lottery:${keyPrefix}`, points: budget.points, duration: budget.durationSeconds };
}

function memoryLimiter(keyPrefix: string, budget: Budget): RateLimiterMemory {
  return new RateLimiterMemory(options(keyPrefix, budget));
}

/** The limits' own Redis connection: quick to give up, so the in-memory insurance decides instead. */
function rateLimitRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: RATE_LIMIT_STORE_TIMEOUT_MS, enableOfflineQueue: false });
  const log = new ThrottledLog(logger, LIMIT_STORE_ERROR_LOG_EVERY_MS);
  // Without a listener ioredis prints every failed reconnect; one line now and then says it.
  redis.on('error', (err: Error) => log.warn('rate-limit Redis unavailable: limits are per process until it is back', { err: { message: err.message } }));
  return redis;
}

/** The pair's key: the address's, and a digest of the email (keys stay short, and no email is stored). */
function pairKey(address: string, email: string): string {
  return `${addressKey(address)}|${crypto.createHash('sha256').update(email).digest('base64url').slice(0, 22)}`;
}

async function consumeOrRefuse(limiter: RateLimiterAbstract, key: string, message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw rateLimited(message, err.msBeforeNext);
    throw err; // the store failed (and had no insurance): the database is away, a 503
  }
}

function rethrowUnlessRefusal(err: unknown): void {
  if (!(err instanceof RateLimiterRes)) throw err;
}

function rateLimited(message: string, msBeforeNext: number): RetryLaterError {
  return new RetryLaterError(ErrorCode.RATE_LIMITED, message, 429, Math.max(1, Math.ceil(msBeforeNext / 1000)));
}
