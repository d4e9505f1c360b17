// actors/presenceLink.ts — what actors need of a shared presence (Redis) beyond Colyseus'
// Presence interface: whether its connection is up, how many processes heard a message, and
// when its subscriptions came back after a loss. In-process presence has no link: it is
// always up, and delivers a message to this process before publish returns.
// app/redis.ts implements it on RedisPresence (its protected pub/sub connections).

export interface PresenceLink {
  /**
   * True while the publishing connection is ready. A publish while it is not would queue
   * without bound inside ioredis: callers skip it and let their periodic checks catch up.
   */
  readonly publishing: boolean;
  /** Publishes `data` (JSON, as Presence.publish does) and answers how many subscribers got it. */
  publishCounted(topic: string, data: unknown): Promise<number>;
  /** Calls `listener` each time the subscribing connection is back after it was lost (messages may be missing). */
  onResubscribed(listener: () => void): void;
}
