// core/clock.ts — the one place code reads the time, so tests can shift it.

/** Wall-clock time source. Production uses the system clock; tests inject an offset. */
export interface Clock {
  /** Epoch milliseconds, UTC. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that runs at real speed but is shifted by `offsetMs` (a skewed node). */
export function offsetClock(offsetMs: number, base: Clock = systemClock): Clock {
  return { nowMs: () => base.nowMs() + offsetMs };
}
