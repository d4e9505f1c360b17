// actors/ResultNotifier.ts — winners hear of their prizes at once, wherever they are connected.
//
// When a draw is settled (whichever process settled it), the settling process publishes its
// id on presence (Redis in a cluster). Every process then asks the ledger what the draw paid
// the players connected to it, and sends each winner a `result` message in every room they
// have open: { drawId, gameId, numbers, totalMinor, tickets: [{ ticketId, prizeMinor }] }.
// A process that cannot publish (Redis away) still tells its own players; the others' players
// find their prizes in their balance and history. Display only: the prizes are paid already.
//
// Money news goes the same way (issue 14): when a deposit completes or a withdrawal is paid,
// fails or is rejected, the process that applied it publishes a `wallet` message
// { payment, id, status, amountMinor, balanceMinor } for the player, and every process sends it
// to that player's open rooms. Display only, too: the ledger has already moved the money.
import type { Presence } from '@colyseus/core';
import type pg from 'pg';
import { RESULT_TICKETS_LISTED_MAX } from '../core/limits.ts';
import type { Logger } from '../core/logger.ts';
import { drawById } from '../ledger/draws.ts';
import { winningsOf } from '../ledger/results.ts';
import { ticketPublicId } from '../ledger/tickets.ts';
import type { PresenceLink } from './presenceLink.ts';

const TOPIC = 'lottery:settled';
const WALLET_TOPIC = 'lottery:wallet';
/** Draws told recently, so a draw heard twice (own publish, retry) is told once. */
const TOLD_REMEMBERED = 1_000;

export interface ResultMessage {
  drawId: string;
  gameId: string;
  numbers: number[][];
  totalMinor: number;
  /** The winning tickets, at most RESULT_TICKETS_LISTED_MAX (totalMinor counts them all); `held: true` for a prize held for review, not yet in the wallet. */
  tickets: { ticketId: string; prizeMinor: number; held?: true }[];
}

export interface WalletMessage {
  payment: 'deposit' | 'withdrawal' | 'prize';
  id: string;
  status: string;
  amountMinor: number;
  balanceMinor: number;
}

type Send = (type: 'result' | 'wallet', message: ResultMessage | WalletMessage) => void;

export class ResultNotifier {
  private readonly listeners = new Map<number, Set<Send>>();
  private readonly told = new Set<number>();
  private readonly onMessage = (message: unknown) => void this.tell(message);
  private readonly onWallet = (message: unknown) => this.tellWallet(message);

  constructor(
    private readonly o: { pool: pg.Pool; presence: Presence; link?: PresenceLink; logger: Logger },
  ) {}

  async start(): Promise<void> {
    await this.o.presence.subscribe(TOPIC, this.onMessage);
    await this.o.presence.subscribe(WALLET_TOPIC, this.onWallet);
  }

  async stop(): Promise<void> {
    await Promise.resolve(this.o.presence.unsubscribe(TOPIC, this.onMessage)).catch(() => {});
    await Promise.resolve(this.o.presence.unsubscribe(WALLET_TOPIC, this.onWallet)).catch(() => {});
    this.listeners.clear();
  }

  /** A connection of this player in some room; returns how to forget it when it leaves. */
  register(playerId: number, send: Send): () => void {
    let set = this.listeners.get(playerId);
    if (!set) this.listeners.set(playerId, (set = new Set()));
    set.add(send);
    return () => {
      set.delete(send);
      if (set.size === 0 && this.listeners.get(playerId) === set) this.listeners.delete(playerId);
    };
  }

  /** The DrawRunner settled a draw here: every process is told (this one directly if presence is away). */
  settled(drawId: number): void {
    if (this.o.link && !this.o.link.publishing) {
      void this.tell(drawId);
      return;
    }
    Promise.resolve(this.o.presence.publish(TOPIC, drawId)).catch((err: Error) => {
      this.o.logger.warn({ err, drawId }, 'publishing a settled draw failed; telling this process only');
      void this.tell(drawId);
    });
  }

  /** A payment of the player's changed their balance: every process tells their open rooms (this one directly if presence is away). */
  walletChanged(playerId: number, message: WalletMessage): void {
    const envelope = { playerId, message };
    if (this.o.link && !this.o.link.publishing) {
      this.tellWallet(envelope);
      return;
    }
    Promise.resolve(this.o.presence.publish(WALLET_TOPIC, envelope)).catch((err: Error) => {
      this.o.logger.warn({ err, playerId }, 'publishing a wallet change failed; telling this process only');
      this.tellWallet(envelope);
    });
  }

  private tellWallet(envelope: unknown): void {
    const e = envelope as { playerId?: unknown; message?: WalletMessage } | null;
    if (!e || !Number.isSafeInteger(e.playerId) || typeof e.message !== 'object' || e.message === null) return;
    for (const send of this.listeners.get(e.playerId as number) ?? []) send('wallet', e.message);
  }

  private async tell(message: unknown): Promise<void> {
    if (!Number.isSafeInteger(message) || (message as number) <= 0) return;
    const drawId = message as number;
    if (this.told.has(drawId) || this.listeners.size === 0) return;
    this.remember(drawId);
    try {
      const draw = await drawById(this.o.pool, drawId);
      if (!draw || draw.status !== 'settled' || !draw.numbers) return;
      for (const w of await winningsOf(this.o.pool, drawId, [...this.listeners.keys()])) {
        const result: ResultMessage = {
          drawId: draw.publicId,
          gameId: draw.gameId,
          numbers: draw.numbers,
          totalMinor: w.totalMinor,
          tickets: w.tickets.slice(0, RESULT_TICKETS_LISTED_MAX).map((t) => ({ ticketId: ticketPublicId(t.rowId), prizeMinor: t.amountMinor, ...(t.held ? { held: true as const } : {}) })),
        };
        for (const send of this.listeners.get(w.playerId) ?? []) send('result', result);
      }
    } catch (err) {
      this.o.logger.warn({ err, drawId }, 'telling winners their results failed; their prizes are paid');
    }
  }

  private remember(drawId: number): void {
    this.told.add(drawId);
    if (this.told.size > TOLD_REMEMBERED) this.told.delete(this.told.values().next().value as number);
  }
}
