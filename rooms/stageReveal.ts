// rooms/stageReveal.ts — when each drawn ball is shown on the live stage: a pure function
// of the draw's recorded drawn time, so every room in every process shows the same ball at
// the same moment, and a viewer arriving late sees at once every ball already due.
import { STAGE_BALLS_MAX, STAGE_BALL_EVERY_MS, STAGE_REVEAL_DELAY_MS } from '../core/limits.ts';

export interface RevealPlan {
  /** The balls due by now, drums in order, flattened (at most STAGE_BALLS_MAX). */
  due: number[];
  /** Balls in the draw (all drums; at most STAGE_BALLS_MAX). */
  total: number;
  /** How many balls each drum holds, in order (their sum is `total`). */
  drumSizes: number[];
  /** When the next ball is due, or null once all are. */
  nextAtMs: number | null;
}

/** Ball k (0-based) is due at drawnAtMs + STAGE_REVEAL_DELAY_MS + k * STAGE_BALL_EVERY_MS. */
export function ballDueAtMs(drawnAtMs: number, k: number): number {
  return drawnAtMs + STAGE_REVEAL_DELAY_MS + k * STAGE_BALL_EVERY_MS;
}

/** What is revealed at `nowMs` of a draw drawn at `drawnAtMs` with `numbers` (one list per drum). */
export function revealPlan(numbers: readonly (readonly number[])[], drawnAtMs: number, nowMs: number): RevealPlan {
  const all = numbers.flat().slice(0, STAGE_BALLS_MAX);
  const drumSizes: number[] = [];
  let left = all.length;
  for (const drum of numbers) {
    if (left <= 0) break;
    drumSizes.push(Math.min(drum.length, left));
    left -= drum.length;
  }
  const elapsedMs = nowMs - ballDueAtMs(drawnAtMs, 0);
  const dueCount = elapsedMs < 0 ? 0 : Math.min(all.length, Math.floor(elapsedMs / STAGE_BALL_EVERY_MS) + 1);
  return {
    due: all.slice(0, dueCount),
    total: all.length,
    drumSizes,
    nextAtMs: dueCount < all.length ? ballDueAtMs(drawnAtMs, dueCount) : null,
  };
}
