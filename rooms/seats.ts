// rooms/seats.ts — the seats each player holds in this process's sales rooms.
//
// Colyseus reserves a seat at every matchmaking request and keeps it for its seat
// reservation time (15 s) whether or not anyone connects; a full shard makes others wait
// for a new one. So seats are bounded per player where the player is known and before a
// seat is taken: in the room's seat reservation (rooms/roomInternals.ts, `_reserveSeat`,
// which runs in the process that holds the room) and, to answer with a clear code, at
// matchmaking (SalesRoom.onAuth, in the process that got the request).
import { SEAT_RESERVATIONS_PER_PLAYER_MAX, SEATS_PER_PLAYER_PER_DRAW_MAX } from '../core/limits.ts';

/** A seat as its room sees it now. */
export type SeatState = 'pending' | 'taken' | 'gone';

/** A room holding seats (SalesRoom). */
export interface SeatHolder {
  readonly drawPublicId: string;
  seatState(sessionId: string): SeatState;
}

export interface SeatCounts {
  /** Seats reserved, connected or kept for reconnection in this draw's shards. */
  seatsInDraw: number;
  /** Reservations not yet connected, all draws. */
  pending: number;
}

/** Why one more seat is refused, or undefined if it may be taken. */
export function seatRefusal(counts: SeatCounts): string | undefined {
  if (counts.seatsInDraw >= SEATS_PER_PLAYER_PER_DRAW_MAX) return `at most ${SEATS_PER_PLAYER_PER_DRAW_MAX} seats per player in one draw`;
  if (counts.pending >= SEAT_RESERVATIONS_PER_PLAYER_MAX) return `at most ${SEAT_RESERVATIONS_PER_PLAYER_MAX} joins in flight per player`;
  return undefined;
}

/**
 * Every seat granted in this process, by player. A seat is recorded when it is reserved and
 * its state is asked of its room when counted, so a reservation that expired unused (which
 * Colyseus does without telling anyone) simply stops counting and is forgotten then.
 */
export class SeatBook {
  private readonly byPlayer = new Map<number, Map<string, SeatHolder>>();

  count(playerId: number, drawPublicId: string): SeatCounts {
    const seats = this.byPlayer.get(playerId);
    const counts: SeatCounts = { seatsInDraw: 0, pending: 0 };
    if (!seats) return counts;
    for (const [sessionId, holder] of seats) {
      const state = holder.seatState(sessionId);
      if (state === 'gone') {
        seats.delete(sessionId);
        continue;
      }
      if (holder.drawPublicId === drawPublicId) counts.seatsInDraw++;
      if (state === 'pending') counts.pending++;
    }
    if (seats.size === 0) this.byPlayer.delete(playerId);
    return counts;
  }

  add(playerId: number, sessionId: string, holder: SeatHolder): void {
    let seats = this.byPlayer.get(playerId);
    if (!seats) this.byPlayer.set(playerId, (seats = new Map()));
    seats.set(sessionId, holder);
  }

  remove(playerId: number, sessionId: string): void {
    const seats = this.byPlayer.get(playerId);
    if (!seats) return;
    seats.delete(sessionId);
    if (seats.size === 0) this.byPlayer.delete(playerId);
  }
}
