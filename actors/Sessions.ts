// actors/Sessions.ts — one per process: no connection outlives the session it joined with.
//
// Rooms register each connection's session as it joins (track). A session ends in three
// ways, and each reaches every process:
//  - announced: logout, and anything else that ends a player's sessions (end: suspension,
//    self-exclusion, a closed account, a password change), revokes them in the ledger and
//    then tells every process through presence (Redis in a cluster, in-process otherwise),
//    waiting until each has closed them or SESSION_END_PUBLISH_TIMEOUT_MS has passed. Only
//    then does logout answer, so a bet the player sends after the answer reaches a process
//    that already refuses it;
//  - expiry: each process closes a session's connections at its expiry, on a timer;
//  - the periodic check: every SESSION_CHECK_INTERVAL_MS each process asks the ledger which
//    of its sessions are no longer live (revoked, expired, player not active), which
//    catches a lost or late message, a revocation made elsewhere, a suspended account.
// Closing a connection is its room's (SessionHolder): the bets it has in flight are
// answered first, later ones are refused SESSION_ENDED, then the socket is closed.
import crypto from 'node:crypto';
import type { Presence } from '@colyseus/core';
import type pg from 'pg';
import type { Logger } from '../core/logger.ts';
import type { Clock } from '../core/clock.ts';
import {
  ENDED_SESSION_MEMORY_MS,
  ENDED_SESSIONS_REMEMBERED_MAX,
  SESSION_CHECK_BATCH_MAX,
  SESSION_CHECK_INTERVAL_MS,
  SESSION_END_PUBLISH_TIMEOUT_MS,
  SESSIONS_PER_END_MESSAGE_MAX,
  TIMER_DELAY_MS_MAX,
} from '../core/limits.ts';
import { endedSessions, isSessionId, revokePlayerSessions, revokeSession } from '../ledger/players.ts';
import type { PresenceLink } from './presenceLink.ts';

export const SESSION_END_REASONS = ['logout', 'expired', 'ended', 'suspended', 'self_excluded', 'on_break', 'closed', 'password_changed', 'identity_refused', 'identity_withdrawn'] as const;
/** Why a session ended; `ended`: found ended in the ledger by the periodic check. */
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** A connection that depends on a session (a room's client). */
export interface SessionHolder {
  sessionEnded(reason: SessionEndReason): void;
}

/** Which sessions end() ends: one (by its token's hash), or a player's, perhaps all but one. */
export type SessionsToEnd = { tokenHash: Buffer } | { playerId: number; exceptSessionId?: string };

const ENDED_TOPIC = 'lottery:sessions:ended';
const ackTopic = (processId: string) => `lottery:sessions:ack:${processId}`;

/** Session ids, why, and (through Redis) who asks for acknowledgements under which nonce. */
interface EndedMessage {
  s: string[];
  r: SessionEndReason;
  a?: string;
  n?: string;
}

const TOKEN_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

function isEndedMessage(m: any): m is EndedMessage {
  return (
    m !== null && typeof m === 'object' && Array.isArray(m.s) && m.s.length <= SESSIONS_PER_END_MESSAGE_MAX && m.s.every(isSessionId) &&
    SESSION_END_REASONS.includes(m.r) && (m.a === undefined || TOKEN_PATTERN.test(m.a)) && (m.n === undefined || TOKEN_PATTERN.test(m.n))
  );
}

interface Tracked {
  expiresAtMs: number;
  holders: Set<SessionHolder>;
  expiry?: NodeJS.Timeout;
}

export interface SessionsOptions {
  pool: pg.Pool;
  presence: Presence;
  /** Redis presence's connection state (absent in-process: delivered before publish returns). */
  link?: PresenceLink;
  clock: Clock;
  logger: Logger;
  checkIntervalMs?: number;
}

export class Sessions {
  private readonly tracked = new Map<string, Tracked>();
  /** Sessions heard to have ended, oldest first, with when (ms): a late join is refused. */
  private readonly ended = new Map<string, number>();
  /** Announcements waiting for acknowledgements, by nonce. */
  private readonly waiting = new Map<string, { acks: number; needed: number; done: () => void }>();
  private readonly processId = crypto.randomUUID();
  private readonly onEnded = (message: unknown) => this.received(message);
  private readonly onAck = (message: unknown) => this.acknowledged(message);
  private checkTimer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly o: SessionsOptions) {}

  /** Subscribes, then checks the ledger every SESSION_CHECK_INTERVAL_MS. */
  async start(): Promise<void> {
    try {
      await this.o.presence.subscribe(ENDED_TOPIC, this.onEnded);
      await this.o.presence.subscribe(ackTopic(this.processId), this.onAck);
    } catch (err) {
      // Without presence, only the periodic check and expiry close ended sessions here.
      this.o.logger.warn({ err: { message: (err as Error).message } }, 'could not subscribe to ended sessions; relying on the periodic check');
    }
    this.checkTimer = setInterval(() => void this.check(), this.o.checkIntervalMs ?? SESSION_CHECK_INTERVAL_MS);
    this.checkTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.checkTimer);
    for (const entry of this.tracked.values()) clearTimeout(entry.expiry);
    this.tracked.clear();
    for (const w of this.waiting.values()) w.done();
    await Promise.resolve(this.o.presence.unsubscribe(ENDED_TOPIC, this.onEnded)).catch(() => {});
    await Promise.resolve(this.o.presence.unsubscribe(ackTopic(this.processId), this.onAck)).catch(() => {});
  }

  /** A connection of this process depends on `sessionId`; returns the function that forgets it. */
  track(sessionId: string, expiresAtMs: number, holder: SessionHolder): () => void {
    let entry = this.tracked.get(sessionId);
    if (!entry) {
      entry = { expiresAtMs, holders: new Set() };
      this.tracked.set(sessionId, entry);
      this.armExpiry(sessionId, entry);
    }
    const tracked = entry;
    tracked.holders.add(holder);
    return () => {
      tracked.holders.delete(holder);
      if (tracked.holders.size > 0 || this.tracked.get(sessionId) !== tracked) return;
      clearTimeout(tracked.expiry);
      this.tracked.delete(sessionId);
    };
  }

  /** Whether a connection may still join with this session, as far as this process knows. */
  hasEnded(sessionId: string, expiresAtMs: number): boolean {
    return this.ended.has(sessionId) || expiresAtMs <= this.o.clock.nowMs();
  }

  /**
   * Ends sessions in the ledger and everywhere: their connections in every process close.
   * The one call for logout and for whatever else ends sessions: a suspension, a
   * self-exclusion or a closed account (all of a player's), a password change (all but the
   * one that changed it). Resolves with the ids ended, once every process has closed them,
   * or after SESSION_END_PUBLISH_TIMEOUT_MS (the periodic check then closes what is left).
   */
  async end(which: SessionsToEnd, reason: SessionEndReason): Promise<string[]> {
    const ids =
      'tokenHash' in which
        ? [await revokeSession(this.o.pool, which.tokenHash)].filter((id): id is string => id !== null)
        : await revokePlayerSessions(this.o.pool, which.playerId, which.exceptSessionId);
    if (ids.length > 0) await this.announce(ids, reason);
    return ids;
  }

  /** Closes these (already ended) sessions here at once, then in every other process. */
  async announce(sessionIds: string[], reason: SessionEndReason): Promise<void> {
    for (const id of sessionIds) this.close(id, reason);
    for (let i = 0; i < sessionIds.length; i += SESSIONS_PER_END_MESSAGE_MAX) {
      await this.tell({ s: sessionIds.slice(i, i + SESSIONS_PER_END_MESSAGE_MAX), r: reason });
    }
  }

  /** The periodic check: closes every session here the ledger no longer holds live. */
  async check(): Promise<number> {
    if (this.checking) return 0;
    this.checking = true;
    let closed = 0;
    try {
      const ids = [...this.tracked.keys()];
      for (let i = 0; i < ids.length; i += SESSION_CHECK_BATCH_MAX) {
        for (const id of await endedSessions(this.o.pool, ids.slice(i, i + SESSION_CHECK_BATCH_MAX), this.o.clock.nowMs())) {
          this.close(id, 'ended');
          closed++;
        }
      }
    } catch (err) {
      this.o.logger.warn({ err: { message: (err as Error).message } }, 'session check failed; retrying at the next interval');
    } finally {
      this.checking = false;
    }
    return closed;
  }

  /**
   * Publishes an announcement. In-process presence delivers it before publish returns.
   * Through Redis, PUBLISH answers how many subscribers got it; each acknowledges once it
   * has closed the sessions, and this waits for all of them (bounded).
   */
  private async tell(message: EndedMessage): Promise<void> {
    const link = this.o.link;
    if (!link) {
      this.o.presence.publish(ENDED_TOPIC, message);
      return;
    }
    const nonce = crypto.randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const acknowledged = new Promise<void>((resolve) => {
      this.waiting.set(nonce, { acks: 0, needed: Infinity, done: resolve });
      timer = setTimeout(resolve, SESSION_END_PUBLISH_TIMEOUT_MS);
    });
    try {
      // Never queue behind a Redis that is away (ioredis would buffer): the check catches up.
      if (!link.publishing) throw new Error('presence is not connected');
      const receivers = await link.publishCounted(ENDED_TOPIC, { ...message, a: this.processId, n: nonce });
      const waiting = this.waiting.get(nonce);
      if (waiting) {
        waiting.needed = receivers;
        if (waiting.acks >= receivers) waiting.done();
      }
      await acknowledged;
      if ((this.waiting.get(nonce)?.acks ?? 0) < receivers) this.o.logger.warn({ receivers }, 'not every process acknowledged ended sessions in time');
    } catch (err) {
      this.o.logger.warn({ err: { message: (err as Error).message } }, 'announcing ended sessions failed; the periodic check will close them');
    } finally {
      clearTimeout(timer);
      this.waiting.delete(nonce);
    }
  }

  private received(message: unknown): void {
    if (!isEndedMessage(message)) {
      this.o.logger.warn('ignored a malformed ended-sessions message');
      return;
    }
    for (const id of message.s) this.close(id, message.r);
    if (message.a !== undefined && message.n !== undefined) {
      Promise.resolve(this.o.presence.publish(ackTopic(message.a), { n: message.n })).catch(() => {});
    }
  }

  private acknowledged(message: unknown): void {
    const nonce = (message as { n?: unknown } | null)?.n;
    const waiting = typeof nonce === 'string' ? this.waiting.get(nonce) : undefined;
    if (!waiting) return;
    waiting.acks++;
    if (waiting.acks >= waiting.needed) waiting.done();
  }

  private close(sessionId: string, reason: SessionEndReason): void {
    this.remember(sessionId);
    const entry = this.tracked.get(sessionId);
    if (!entry) return;
    this.tracked.delete(sessionId);
    clearTimeout(entry.expiry);
    for (const holder of entry.holders) {
      try {
        holder.sessionEnded(reason);
      } catch (err) {
        this.o.logger.error({ err }, 'closing a connection of an ended session failed');
      }
    }
  }

  /** Remembers an ended session for ENDED_SESSION_MEMORY_MS, at most ENDED_SESSIONS_REMEMBERED_MAX of them. */
  private remember(sessionId: string): void {
    const nowMs = this.o.clock.nowMs();
    this.ended.delete(sessionId);
    this.ended.set(sessionId, nowMs);
    for (const [id, atMs] of this.ended) {
      if (this.ended.size <= ENDED_SESSIONS_REMEMBERED_MAX && atMs > nowMs - ENDED_SESSION_MEMORY_MS) break;
      this.ended.delete(id);
    }
  }

  private armExpiry(sessionId: string, entry: Tracked): void {
    const delayMs = Math.min(TIMER_DELAY_MS_MAX, Math.max(0, entry.expiresAtMs - this.o.clock.nowMs()));
    entry.expiry = setTimeout(() => {
      if (this.tracked.get(sessionId) !== entry) return;
      if (this.o.clock.nowMs() < entry.expiresAtMs) return this.armExpiry(sessionId, entry);
      this.close(sessionId, 'expired');
    }, delayMs);
    entry.expiry.unref();
  }
}
