// web/stage/connection.ts — the stage page's one connection: joins the draw's stage room
// (rooms/StageRoom.ts) without an account, mirrors its state into a signal, and comes back
// after a network loss: the SDK reconnects to the same seat first; if that fails (the seat
// expired, the process behind it died) the page joins the draw again, with a growing pause.
import { Client, type Room } from '@colyseus/sdk';
import { signal } from '@preact/signals';
import { observeServerTime } from '../lib/clock.ts';

/** The stage state as plain data (rooms/StageState.ts). */
export interface StageView {
  drawId: string;
  gameId: string;
  gameName: string;
  currency: string;
  status: string;
  openAtMs: number;
  cutoffAtMs: number;
  drawAtMs: number;
  ticketsSold: number;
  poolTotalMinor: number;
  sealTicketCount: number;
  sealRoot: string;
  balls: number[];
  ballsTotal: number;
  drumSizes: number[];
  nextBallAtMs: number;
  proofPath: string;
  tiers: { name: string; winners: number; prizeMinor: number }[];
  prizeTotalMinor: number;
  haltedReason: string;
}

export type Link =
  | { kind: 'joining' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; attempt: number }
  /** The draw does not exist (or its id cannot be one): nothing to retry. */
  | { kind: 'unknown' };

export const view = signal<StageView | null>(null);
export const link = signal<Link>({ kind: 'joining' });

/** Pauses between rejoins: quick at first, then every 10 s at most. */
const REJOIN_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000];
/** A server time in a patch is sent just before the frame leaves: its staleness is the trip. */
const STATE_TIME_UNCERTAINTY_MS = 250;

function snapshot(s: any): StageView {
  const names: string[] = [...s.tierNames];
  return {
    drawId: s.drawId,
    gameId: s.gameId,
    gameName: s.gameName,
    currency: s.currency || 'EUR',
    status: s.status,
    openAtMs: s.openAtMs,
    cutoffAtMs: s.cutoffAtMs,
    drawAtMs: s.drawAtMs,
    ticketsSold: s.ticketsSold,
    poolTotalMinor: s.poolTotalMinor,
    sealTicketCount: s.sealTicketCount,
    sealRoot: s.sealRoot,
    balls: [...s.balls],
    ballsTotal: s.ballsTotal,
    drumSizes: [...s.drumSizes],
    nextBallAtMs: s.nextBallAtMs,
    proofPath: s.proofPath,
    tiers: names.map((name, i) => ({ name, winners: s.tierWinners[i] ?? 0, prizeMinor: s.tierPrizeMinor[i] ?? 0 })),
    prizeTotalMinor: s.prizeTotalMinor,
    haltedReason: s.haltedReason,
  };
}

/** Watches the draw until the page closes. */
export function watch(drawId: string): void {
  const client = new Client(location.origin);
  let attempt = 0;
  let lastServerTimeMs = 0;

  const onState = (state: any) => {
    if (state.serverTimeMs !== lastServerTimeMs) {
      lastServerTimeMs = state.serverTimeMs;
      observeServerTime(state.serverTimeMs, STATE_TIME_UNCERTAINTY_MS);
    }
    view.value = snapshot(state);
  };

  const join = async (): Promise<void> => {
    try {
      const room: Room = await client.joinOrCreate('stage', { drawId });
      attempt = 0;
      link.value = { kind: 'live' };
      // The seat is kept 20 s (STAGE_RECONNECT_WINDOW_SECONDS): past that, joining again is quicker
      // than the SDK's default minute of retries against a seat that is gone.
      room.reconnection.maxRetries = 8;
      room.reconnection.maxDelay = 4_000;
      room.onStateChange(onState);
      room.onDrop(() => (link.value = { kind: 'reconnecting', attempt: 0 }));
      room.onReconnect(() => (link.value = { kind: 'live' }));
      // Left for good: the SDK's reconnection gave up, or the server closed the seat. Join again.
      room.onLeave(() => rejoin());
    } catch (err) {
      const code = (err as { code?: unknown })?.code;
      // 400 (an id that cannot be a draw's) and 404 (no such draw) will not change by retrying.
      if (code === 400 || code === 404) {
        link.value = { kind: 'unknown' };
        return;
      }
      rejoin();
    }
  };

  const rejoin = () => {
    link.value = { kind: 'reconnecting', attempt: attempt + 1 };
    const delayMs = REJOIN_DELAYS_MS[Math.min(attempt, REJOIN_DELAYS_MS.length - 1)];
    attempt++;
    setTimeout(() => void join(), delayMs);
  };

  void join();
}
