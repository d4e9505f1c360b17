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
import type { Logger } from './logger.ts';

const ERROR_LOG_EVERY_MS = 10_000;
/**
 * A request made while Redis is away fails after this many reconnect attempts (~0.3 s)
 * rather than ioredis' 20 (~7 s): a player asking to join gets a clean error quickly.
 */
const RETRIES_PER_REQUEST = 3;

function client(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: RETRIES_PER_REQUEST });
}

export class RecoveringRedisDriver extends RedisDriver {
  constructor(url: string, logger: Logger) {
    super(client(url));
    const self = this as any;
    const getRooms = self.getRooms.bind(this);
    self.getRooms = (roomName: string | undefined) => {
      const request: Promise<unknown> = getRooms(roomName);
      request.catch(() => {
        // Only if still cached: a later, fresh request must not be dropped.
        if (self._roomCacheRequestByName[roomName as string] === request) delete self._roomCacheRequestByName[roomName as string];
        self._concurrentRoomCacheRequest = undefined;
      });
      return request;
    };
    // Without a listener ioredis prints every failed reconnect to stderr; log now and then.
    let lastLoggedMs = 0;
    self._client.on('error', (err: Error) => {
      const now = Date.now();
      if (now - lastLoggedMs < ERROR_LOG_EVERY_MS) return;
      lastLoggedMs = now;
      logger.warn({ err: { message: err.message } }, 'matchmaking Redis unavailable');
    });
  }
}

export function redisMatchmaking(url: string, logger: Logger): { presence: RedisPresence; driver: RecoveringRedisDriver } {
  return { presence: new RedisPresence(client(url)), driver: new RecoveringRedisDriver(url, logger) };
}

const OUTAGE_MESSAGES = [/max retries per request/i, /Connection is closed/i, /ECONNREFUSED/, /ECONNRESET/, /Stream isn't writeable/i, /ETIMEDOUT/];

/** An error that only says Redis could not be reached (ioredis), not a bug of ours. */
export function isRedisOutageError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return OUTAGE_MESSAGES.some((re) => re.test(err.message)) && /ioredis/.test(err.stack ?? '');
}
