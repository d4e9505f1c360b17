// The pieces behind the login limits, on their own: the bounded password queue, the
// doubling wait, and the stores. Limits kept in PostgreSQL or Redis are shared by every
// process of a cluster (two AuthLimits on one store stand for two processes here), and a
// Redis outage leaves per-process limits in force instead of failing logins.
import crypto from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import t from 'tap';
import { PasswordQueue } from '../../app/auth.ts';
import { AuthLimits, DEFAULT_AUTH_LIMIT_POLICY, pairBackoffSeconds, type LimitStore } from '../../app/rateLimits.ts';
import { RetryLaterError } from '../../core/errors.ts';
import { migrate } from '../../ledger/migrate.ts';
import { freePort } from '../support/cluster.ts';
import { createScratchDatabase } from '../support/database.ts';

const silent = pino({ level: 'silent' });
const free = DEFAULT_AUTH_LIMIT_POLICY.pair.failuresFree;

/** A client address no other run has used, so counters left in a shared store do not matter. */
function randomAddress(): string {
  return `198.18.${crypto.randomInt(256)}.${crypto.randomInt(256)}`;
}

async function refusal(promise: Promise<unknown>): Promise<RetryLaterError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    if (err instanceof RetryLaterError) return err;
    throw err;
  }
}

t.test('the password queue runs at most its limit at once, holds at most its queue, and refuses the rest at once', async (t) => {
  let running = 0;
  let runningMax = 0;
  const releases: (() => void)[] = [];
  const work = {
    hash: async () => 'hash',
    verify: () =>
      new Promise<boolean>((resolve) => {
        running++;
        runningMax = Math.max(runningMax, running);
        releases.push(() => {
          running--;
          resolve(true);
        });
      }),
  };
  const queue = new PasswordQueue({ runningMax: 2, queuedMax: 3, perAddressMax: 2, waitMsMax: 60_000 }, work);
  const accepted = Array.from({ length: 5 }, (_, i) => queue.verify(`10.0.0.${i}`, 'pw', 'stored'));
  t.same(queue.load, { running: 2, waiting: 3 });
  const full = await refusal(queue.verify('10.0.0.99', 'pw', 'stored'));
  t.equal(full?.code, 'RATE_LIMITED', 'over the queue: refused');
  t.equal(full?.httpStatus, 429);
  t.ok(full!.retryAfterSeconds >= 1, 'with a Retry-After');
  t.same(queue.load, { running: 2, waiting: 3 }, 'and no work queued for it');
  while (releases.length > 0 || running > 0) {
    releases.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  t.same(await Promise.all(accepted), [true, true, true, true, true], 'every accepted check ran');
  t.equal(runningMax, 2, 'never more than two at once');
  t.same(queue.load, { running: 0, waiting: 0 });
});

t.test('one address holds at most its share of the password queue', async (t) => {
  const releases: (() => void)[] = [];
  const work = { hash: async () => 'hash', verify: () => new Promise<boolean>((resolve) => releases.push(() => resolve(false))) };
  const queue = new PasswordQueue({ runningMax: 2, queuedMax: 32, perAddressMax: 2, waitMsMax: 60_000 }, work);
  const mine = [queue.verify('10.1.1.1', 'a', 's'), queue.verify('10.1.1.1', 'b', 's')];
  const third = await refusal(queue.verify('10.1.1.1', 'c', 's'));
  t.equal(third?.code, 'RATE_LIMITED', 'a third check from the same address is refused');
  const ipv6 = [queue.verify('2001:db8:1:2::1', 'a', 's'), queue.verify('2001:db8:1:2::ffff', 'b', 's')];
  t.ok(await refusal(queue.verify('2001:db8:1:2:aaaa::3', 'c', 's')), 'an IPv6 subscriber (/64) counts as one address');
  const other = queue.verify('10.1.1.2', 'd', 's');
  t.same(queue.load, { running: 2, waiting: 3 }, 'another address still gets in line');
  while (releases.length > 0) {
    releases.shift()!();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all([...mine, ...ipv6, other]);
});

t.test('waiting checks are served round-robin by address: a player does not wait behind a whole flood', async (t) => {
  const order: string[] = [];
  const releases: (() => void)[] = [];
  const work = {
    hash: async () => 'hash',
    verify: (password: string) => new Promise<boolean>((resolve) => releases.push(() => (order.push(password), resolve(true)))),
  };
  const queue = new PasswordQueue({ runningMax: 1, queuedMax: 32, perAddressMax: 8, waitMsMax: 60_000 }, work);
  const flood = Array.from({ length: 6 }, (_, i) => queue.verify('10.3.3.3', `flood ${i}`, 's'));
  const player = queue.verify('10.4.4.4', 'player', 's');
  while (order.length < 7) {
    releases.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all([...flood, player]);
  // Behind the check that was running and at most one of each address ahead in the round.
  t.ok(order.indexOf('player') <= 2, `the player's check ran in the first round, not seventh (${order.join(', ')})`);
});

t.test('the password queue admits only as many checks as it expects to finish within its wait limit', async (t) => {
  const checkMs = 40;
  const work = { hash: async () => 'hash', verify: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), checkMs)) };
  const queue = new PasswordQueue({ runningMax: 1, queuedMax: 1_000, perAddressMax: 1_000, waitMsMax: 10 * checkMs }, work);
  // Teach it the check time first.
  for (let i = 0; i < 20; i++) await queue.verify('10.5.5.5', 'pw', 's');
  const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => queue.verify(`10.6.6.${i}`, 'pw', 's')));
  const admitted = outcomes.filter((o) => o.status === 'fulfilled').length;
  t.ok(admitted >= 5 && admitted <= 16, `${admitted} of 40 admitted: about ten checks' worth of waiting, not the queue's 1000`);
  const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')?.reason;
  t.equal(refused?.code, 'RATE_LIMITED');
  t.ok(refused?.retryAfterSeconds >= 1, 'with a Retry-After');
});

t.test('the expected wait counts the round-robin: one flooding address does not get a player elsewhere refused', async (t) => {
  const checkMs = 20;
  const work = { hash: async () => 'hash', verify: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), checkMs)) };
  const queue = new PasswordQueue({ runningMax: 1, queuedMax: 32, perAddressMax: 8, waitMsMax: 3 * checkMs }, work);
  for (let i = 0; i < 20; i++) await queue.verify('10.7.7.7', 'pw', 's');
  // The flooder's own checks expect to wait behind each other: past three checks' time, refused.
  const flood = Array.from({ length: 8 }, () => queue.verify('10.8.8.8', 'pw', 's'));
  // A player elsewhere waits behind one of them, not all: admitted.
  const player = queue.verify('10.9.9.9', 'pw', 's');
  const floodOutcomes = await Promise.allSettled(flood);
  t.equal(await player, true, 'the player was checked');
  t.ok(floodOutcomes.some((o) => o.status === 'rejected'), 'the flooder met the wait limit');
});

t.test('an unknown email is checked against a decoy, at the cost of a real check', async (t) => {
  const calls: string[] = [];
  const work = {
    hash: async (p: string) => (calls.push(`hash ${p}`), 'decoy-hash'),
    verify: async (p: string, stored: string) => (calls.push(`verify ${p} ${stored}`), true),
  };
  const queue = new PasswordQueue({ runningMax: 1, queuedMax: 1, perAddressMax: 1, waitMsMax: 60_000 }, work);
  t.equal(await queue.verify('10.2.2.2', 'guess', undefined), false, 'never valid, whatever the decoy check says');
  t.same(calls, ['hash decoy password, never valid', 'verify guess decoy-hash']);
});

t.test('the wait of a pair doubles after the free failures, up to its cap', async (t) => {
  const pair = DEFAULT_AUTH_LIMIT_POLICY.pair;
  const waits = Array.from({ length: free + 14 }, (_, i) => pairBackoffSeconds(i + 1, pair));
  t.same(waits.slice(0, free), Array(free).fill(0), 'the first failures are free');
  t.same(waits.slice(free, free + 5), [1, 2, 4, 8, 16]);
  t.equal(Math.max(...waits), pair.backoffSecondsMax, 'capped');
  t.equal(pairBackoffSeconds(10_000, pair), pair.backoffSecondsMax, 'no overflow however many');
});

/** Fails `free + 1` logins of one pair through `a`; then `b` must refuse the pair, and only it. */
async function sharedThrottle(t: Tap, a: AuthLimits, b: AuthLimits) {
  const address = randomAddress();
  const email = `shared-${crypto.randomBytes(4).toString('hex')}@example.test`;
  for (let i = 0; i <= free; i++) {
    await a.beforeLogin(address, email);
    await a.loginFailed(address, email);
  }
  const refused = await refusal(b.beforeLogin(address, email));
  t.equal(refused?.code, 'RATE_LIMITED', 'the other process refuses the pair');
  t.equal(await refusal(b.beforeLogin(randomAddress(), email)), undefined, 'the owner elsewhere is let through');
  await b.loginSucceeded(address, email);
  t.equal(await refusal(a.beforeLogin(address, email)), undefined, 'a success through one process clears the pair for all');
}
type Tap = { equal(found: unknown, wanted: unknown, message: string): unknown };

t.test('limits kept in PostgreSQL are shared by every process', { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL: the embedded database serves one process, whose limits live in memory' }, async (t) => {
  const database = await createScratchDatabase(process.env.DATABASE_URL!, 'lottery_test');
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // A connection still closing when the scratch database is dropped (with force) is told it
  // was terminated: at teardown that is expected, not a failure of the limits.
  pool.on('error', () => {});
  const limiters: AuthLimits[] = [];
  // One teardown, in order: the limiters (their store queries the pool), then the pool, then
  // the database. Dropping it first cut a connection still open (FATAL 57P01 in one CI run).
  t.teardown(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    await pool.end();
    await database.drop();
  });
  await migrate(pool);
  const store: LimitStore = { kind: 'postgres', pool };
  const [a, b] = [AuthLimits.create(store, silent), AuthLimits.create(store, silent)];
  limiters.push(a, b);
  await sharedThrottle(t, a, b);
  const { rows } = await pool.query<{ n: number }>("select count(*)::int as n from rate_limits where key like 'lottery:login%'");
  t.ok(rows[0].n > 0, `the counters are rows of rate_limits (${rows[0].n})`);
});

t.test('limits kept in Redis are shared by every process', { skip: process.env.REDIS_URL ? false : 'needs REDIS_URL: a Redis server to share counters through' }, async (t) => {
  const store: LimitStore = { kind: 'redis', url: process.env.REDIS_URL! };
  const [a, b] = [AuthLimits.create(store, silent), AuthLimits.create(store, silent)];
  t.teardown(() => Promise.all([a.close(), b.close()]));
  // Until its connection is ready a limiter decides in memory; let both connect first.
  await new Promise((r) => setTimeout(r, 300));
  await sharedThrottle(t, a, b);
});

t.test('while Redis is away, logins are limited per process instead of failing', async (t) => {
  const deadPort = await freePort(); // nothing listens there
  const limits = AuthLimits.create({ kind: 'redis', url: `redis://127.0.0.1:${deadPort}/10` }, silent);
  t.teardown(() => limits.close());
  const address = randomAddress();
  const email = 'outage@example.test';
  const startMs = Date.now();
  for (let i = 0; i <= free; i++) {
    await limits.beforeLogin(address, email);
    await limits.loginFailed(address, email);
  }
  const refused = await refusal(limits.beforeLogin(address, email));
  t.equal(refused?.code, 'RATE_LIMITED', 'the in-memory insurance still throttles the pair');
  t.equal(await refusal(limits.beforeRegister(address)), undefined, 'registration still works');
  t.ok(Date.now() - startMs < 2_000, `decided without waiting for Redis (${Date.now() - startMs} ms)`);
});
