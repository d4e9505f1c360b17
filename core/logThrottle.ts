// core/logThrottle.ts — one log line per interval for a fault that repeats while it lasts.
//
// A database fail-over or a Redis outage makes the same thing fail many times a second in
// every part of a process; a line each time would bury the one that matters and is itself
// a load. A throttle lets the first through, counts the rest, and reports the count with
// the next one it lets through.

export class LogThrottle {
  private lastMs = -Infinity;
  private suppressed = 0;

  constructor(private readonly everyMs: number) {}

  /**
   * Whether to log now. Returns how many were held back since the last line (0 or more),
   * or undefined when this one is to be held back too.
   */
  take(nowMs: number = Date.now()): number | undefined {
    if (nowMs - this.lastMs < this.everyMs) {
      this.suppressed++;
      return undefined;
    }
    this.lastMs = nowMs;
    const held = this.suppressed;
    this.suppressed = 0;
    return held;
  }
}

/** What a log line needs of an error that is an operating condition: never its stack. */
export function faultSummary(err: unknown): { message: string; code?: string } {
  const e = err as { message?: unknown; code?: unknown };
  return { message: String(e?.message ?? err).slice(0, 200), code: typeof e?.code === 'string' ? e.code : undefined };
}
