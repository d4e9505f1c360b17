// rooms/connection.ts — what a sales room decides about one connection, apart from bets:
// how fast it may send, and how it is closed when the room no longer wants it.
import { SOCKET_FRAMES_PER_ALLOWED_BET, SOCKET_FRAMES_PER_SECOND_MIN } from '../core/limits.ts';
import type { ErrorCode } from '../core/errors.ts';
import type { SalesCloseCode } from './closeCodes.ts';

/** Most frames a connection may send in one second, given the bet rate it is allowed. */
export function framesPerSecondMax(betRatePerSecond: number, betRateBurst: number): number {
  return Math.max(SOCKET_FRAMES_PER_SECOND_MIN, (betRatePerSecond + betRateBurst) * SOCKET_FRAMES_PER_ALLOWED_BET);
}

/** Frames in the current one-second window (fixed windows, as Colyseus counts them). */
export interface FrameWindow {
  endsAtMs: number;
  frames: number;
}

/** Counts one frame at `nowMs` (a monotonic clock); true once the window holds more than `max`. */
export function overFrameLimit(window: FrameWindow, nowMs: number, max: number): boolean {
  if (nowMs >= window.endsAtMs) {
    window.endsAtMs = nowMs + 1_000;
    window.frames = 0;
  }
  window.frames++;
  return window.frames > max;
}

/**
 * The room has decided to close a connection. Until it is closed its frames are not read
 * at all (`refuseWith` absent: a flood, unreadable frames), or its bets are refused with
 * `refuseWith` (an ended session); the replies to the bets it had in flight go out first.
 */
export interface Closing {
  code: SalesCloseCode;
  /** Close reason: a stable code, then a few words (at most 123 bytes on the wire). */
  reason: string;
  refuseWith?: ErrorCode;
}
