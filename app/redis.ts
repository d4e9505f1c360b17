// app/redis.ts — Redis presence and matchmaking for a cluster, made to survive an outage.
//
// Redis carries no money: it finds players a shard and carries live totals. So while it
// is away, bets in existing rooms go on (they only need PostgreSQL), new joins fail
// cleanly, and when it is back everything must work again without a restart. Two things
// in the stock parts get in the way of that, and are handled here:
//  - RedisDriver (0.18.3) caches its in-flight room-list request and clears the cache only
//    on success, so one failed read during an outage fails every later join of that
//    process forever. RecoveringRedisDriver forgets a failed request.
//  - Requests queued during an outage fail with ioredis errors, some in promises nobody
//    awaits (inside Colyseus). `isRedisOutageError` lets the process tell those apart from
//    bugs, so it logs them rather than shutting down (server.ts).
import { RedisDriver } from '@colyseus/redis-driver';
import { RedisPresence } from '@colyseus/redis-presence';
import { Redis } from 'ioredis';
import type { PresenceLink } from '../actors/presenceLink.ts';
import { invariant } from '../core/errors.ts';
import { LIVENESS_SWEEP_MS, REDIS_ERROR_LOG_EVERY_MS, REDIS_RETRIES_PER_REQUEST, SWEPT_RECEIPT_TTL_SECONDS } from '../core/limits.ts';
import type { Logger } from '../core/logger.ts';

function client(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: REDIS_RETRIES_PER_REQUEST });
}

/**
 * RedisDriver's private room-list cache (@colyseus/redis-driver 0.18.x, build/RedisDriver.mjs):
 * `getRooms(roomName)` caches its in-flight request in `_roomCacheRequestByName[roomName]`
 * and `_concurrentRoomCacheRequest`, cleared only on success. There is no public way to
 * forget a failed request, so RecoveringRedisDriver clears them itself; this checks, at
 * start-up, that they are still there and shaped so, or an upgrade would silently bring
 * back "every join fails after one Redis blip".
 */
interface DriverInternals {
  getRooms(roomName: string | undefined): Promise<unknown>;
  _roomCacheRequestByName: Record<string, Promise<unknown> | undefined>;
  _concurrentRoomCacheRequest?: Promise<unknown>;
}

/** Throws unless `driver` has the RedisDriver internals RecoveringRedisDriver clears. */
export function assertRedisDriverInternals(driver: object): void {
  const d = driver as Partial<DriverInternals>;
  invariant(typeof d.getRooms === 'function', 'RedisDriver.getRooms is gone: re-check RecoveringRedisDriver (app/redis.ts)');
  invariant(
    typeof d._roomCacheRequestByName === 'object' && d._roomCacheRequestByName !== null,
    'RedisDriver._roomCacheRequestByName is gone: re-check RecoveringRedisDriver (app/redis.ts)',
  );
  // Assigned only inside getRooms, so its source is the one place it shows.
  invariant(String(d.getRooms).includes('_concurrentRoomCacheRequest'), 'RedisDriver.getRooms no longer uses _concurrentRoomCacheRequest: re-check RecoveringRedisDriver');
}

export class RecoveringRedisDriver extends RedisDriver {
  constructor(redis: Redis, logger: Logger) {
    super(redis);
    const self = this as unknown as DriverInternals;
    const getRooms = self.getRooms.bind(this);
    self.getRooms = (roomName) => {
      const request = getRooms(roomName);
      request.catch(() => {
        // Only if still cached: a later, fresh request must not be dropped.
        if (self._roomCacheRequestByName[roomName as string] === request) delete self._roomCacheRequestByName[roomName as string];
        self._concurrentRoomCacheRequest = undefined;
      });
      return request;
    };
    // Without a listener ioredis prints every failed reconnect to stderr; log now and then.
    let lastLoggedMs = 0;
    redis.on('error', (err: Error) => {
      const now = Date.now();
      if (now - lastLoggedMs < REDIS_ERROR_LOG_EVERY_MS) return;
      lastLoggedMs = now;
      logger.warn({ err: { message: err.message } }, 'matchmaking Redis unavailable');
    });
  }
}

/** Throws unless `presence` has the pub/sub connections LinkedRedisPresence reads (protected in 0.18.x). */
export function assertRedisPresenceInternals(presence: object): void {
  for (const name of ['pub', 'sub'] as const) {
    const connection = (presence as Record<string, { status?: unknown; on?: unknown } | undefined>)[name];
    invariant(
      typeof connection?.status === 'string' && typeof connection.on === 'function',
      `RedisPresence.${name} is gone or not an ioredis connection: re-check LinkedRedisPresence (app/redis.ts)`,
    );
  }
}

/**
 * RedisPresence with the connection state actors need (actors/presenceLink.ts), through its
 * protected `pub` and `sub` connections (ioredis' public status and events).
 */
export class LinkedRedisPresence extends RedisPresence implements PresenceLink {
  get publishing(): boolean {
    return this.pub.status === 'ready';
  }

  async publishCounted(topic: string, data: unknown): Promise<number> {
    // The same encoding as RedisPresence.publish, which its subscribers parse.
    return this.pub.publish(topic, JSON.stringify(data));
  }

  onResubscribed(listener: () => void): void {
    let interrupted = false;
    this.sub.on('close', () => (interrupted = true));
    this.sub.on('ready', () => {
      if (!interrupted) return;
      interrupted = false;
      listener();
    });
  }
}

export function redisMatchmaking(url: string, logger: Logger): { presence: LinkedRedisPresence; driver: RecoveringRedisDriver } {
  return { presence: new LinkedRedisPresence(client(url)), driver: new RecoveringRedisDriver(client(url), logger) };
}

const OUTAGE_MESSAGES = [/max retries per request/i, /Connection is closed/i, /ECONNREFUSED/, /ECONNRESET/, /Stream isn't writeable/i, /ETIMEDOUT/];

/** An error that only says Redis could not be reached (ioredis), not a bug of ours. */
export function isRedisOutageError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return OUTAGE_MESSAGES.some((re) => re.test(err.message)) && /ioredis/.test(err.stack ?? '');
}

/**
 * How a cluster forgets a process that died without a goodbye (kill -9, a crash), fast.
 *
 * Every process keeps a Redis subscription to its own channel `p:<processId>` (Colyseus'
 * IPC), and Redis drops a subscription the moment its connection closes, which the kernel
 * does when the process dies. So a process listed in the room counts without a channel is
 * gone. Colyseus notices too, but only after asking it and waiting 2 s for no answer
 * (`healthCheckProcessId`), while new shards keep going to it (it has the fewest rooms)
 * and players keep being offered its rooms: rejoins took 2-3.5 s. Here:
 *  - a new shard goes only to a process whose channel is there;
 *  - every LIVENESS_SWEEP_MS, a process missing its channel on two sweeps in a row is
 *    removed as Colyseus' failed health check would remove it: out of the room counts,
 *    its rooms out of the listing, and marked swept (`swept:<processId>`, the key
 *    MatchMaker's `restoreIfSwept` reads), so that a process that was only re-subscribing
 *    puts its rooms back within 5 s.
 * A host that vanishes without closing its sockets keeps its subscription until Redis'
 * own tcp-keepalive ends it (README, "Running a cluster").
 */
export { LIVENESS_SWEEP_MS };
/** Same key as @colyseus/core MatchMaker's getProcessSweptKey (pinned by test/serial/redis.test.ts). */
export const processSweptKey = (processId: string) => `swept:${processId}`;

export class ProcessLiveness {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;
  /** Processes missing their channel at the last sweep. */
  private missing = new Set<string>();

  constructor(
    private readonly matchMaker: typeof import('@colyseus/core').matchMaker,
    private readonly logger: Logger,
  ) {}

  /** Processes whose IPC channel is subscribed now (this one included). */
  async liveProcessIds(): Promise<Set<string>> {
    const channels = await this.matchMaker.presence.channels('p:*');
    const live = new Set(channels.map((c) => c.slice(2)));
    live.add(this.matchMaker.processId);
    return live;
  }

  /** For `new Server({ selectProcessIdToCreateRoom })`: the live process with the fewest rooms. */
  readonly selectProcessIdToCreateRoom = async (): Promise<string> => {
    const [stats, live] = await Promise.all([this.matchMaker.stats.fetchAll(), this.liveProcessIds()]);
    const candidates = stats.filter((s) => live.has(s.processId)).sort((a, b) => a.roomCount - b.roomCount);
    return candidates[0]?.processId ?? this.matchMaker.processId;
  };

  start(): void {
    // Public methods this relies on; an upgrade that drops one must fail here, at boot.
    for (const [name, fn] of Object.entries({ cleanup: this.matchMaker.driver.cleanup, channels: this.matchMaker.presence.channels, fetchAll: this.matchMaker.stats.fetchAll })) {
      if (typeof fn !== 'function') throw new Error(`Colyseus matchmaking has no ${name}(): ProcessLiveness needs it`);
    }
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = true;
      this.sweep()
        // An outage is logged by the driver (RecoveringRedisDriver); anything else is news.
        .catch((err: Error) => isRedisOutageError(err) || this.logger.warn({ err }, 'process sweep failed'))
        .finally(() => (this.sweeping = false));
    }, LIVENESS_SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One sweep: remove every process that missed its channel now and at the sweep before. */
  async sweep(): Promise<string[]> {
    const [stats, live] = await Promise.all([this.matchMaker.stats.fetchAll(), this.liveProcessIds()]);
    const missing = new Set(stats.map((s) => s.processId).filter((id) => !live.has(id)));
    const gone = [...missing].filter((id) => this.missing.has(id));
    this.missing = missing;
    for (const processId of gone) {
      await this.matchMaker.stats.excludeProcess(processId);
      await this.matchMaker.driver.cleanup!(processId);
      await this.matchMaker.presence.setex(processSweptKey(processId), '1', SWEPT_RECEIPT_TTL_SECONDS);
      this.missing.delete(processId);
      this.logger.warn({ processId }, 'process gone from the cluster (no IPC subscription); its rooms removed from matchmaking');
    }
    return gone;
  }
}
