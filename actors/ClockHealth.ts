// actors/ClockHealth.ts — how far this process's clock is from the database's.
//
// The database clock is the cluster's one time reference: the cutoff fence (layer 2 in
// ledger/bets.ts) and every draw step compare against it. Each process measures its own
// offset from it regularly, exports it as a metric and warns past 100 ms, and the draw
// leader uses the estimate to wake up on the database's time rather than its own.
import type pg from 'pg';
import type { Metrics } from '../core/metrics.ts';
import type { Clock } from '../core/clock.ts';
import { faultSummary, type Logger } from '../core/logger.ts';
import { databaseNowMs } from '../ledger/databaseSession.ts';
import { CLOCK_CHECK_EVERY_MS, CLOCK_ROUND_TRIP_MS_MAX, CLOCK_SKEW_WARN_MS } from '../core/limits.ts';

export interface ClockSample {
  /** Database time minus this process's time, ms (positive: this clock is behind). */
  offsetMs: number;
  roundTripMs: number;
}

/** One measurement: the database's clock against the midpoint of the round trip. */
export async function sampleClockOffset(pool: pg.Pool, clock: Clock): Promise<ClockSample> {
  const sentMs = clock.nowMs();
  const startedAt = performance.now();
  const dbNowMs = await databaseNowMs(pool);
  const roundTripMs = performance.now() - startedAt;
  return { offsetMs: dbNowMs - (sentMs + roundTripMs / 2), roundTripMs };
}

export class ClockHealth {
  private timer: NodeJS.Timeout | undefined;
  private estimateMs = 0;
  private warned = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {}

  /** Database time minus local time, from the best recent sample (0 until measured). */
  get offsetMs(): number {
    return this.estimateMs;
  }

  /** The database's time now, as this process best knows it. */
  dbNowMs(): number {
    return this.clock.nowMs() + this.estimateMs;
  }

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), CLOCK_CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes three samples and keeps the one with the shortest round trip (least uncertainty). */
  async check(): Promise<ClockSample | undefined> {
    let best: ClockSample | undefined;
    try {
      for (let i = 0; i < 3; i++) {
        const s = await sampleClockOffset(this.pool, this.clock);
        if (!best || s.roundTripMs < best.roundTripMs) best = s;
      }
    } catch (err) {
      this.logger.warn({ err: faultSummary(err) }, 'clock check against the database failed');
      return undefined;
    }
    if (!best || best.roundTripMs > CLOCK_ROUND_TRIP_MS_MAX) return best;
    this.estimateMs = best.offsetMs;
    this.metrics?.clockSkew.set(best.offsetMs / 1000);
    const skewed = Math.abs(best.offsetMs) > CLOCK_SKEW_WARN_MS;
    this.metrics?.clockSkewed.set(skewed ? 1 : 0);
    if (skewed) {
      // Every check while skewed: an operator must see it persist, not once at start-up.
      this.logger.warn(
        { offsetMs: Math.round(best.offsetMs), roundTripMs: Math.round(best.roundTripMs * 10) / 10, limitMs: CLOCK_SKEW_WARN_MS },
        'clock skew: this process and the database disagree on the time',
      );
    } else if (this.warned) {
      this.logger.info({ offsetMs: Math.round(best.offsetMs) }, 'clock skew back within limits');
    }
    this.warned = skewed;
    return best;
  }
}
