// actors/DrawScheduler.ts — keeps the next draws of every game created, opens them when
// their sales open and closes them at cutoff + grace (fence layer 3). Every step is an
// idempotent statement, so any number of processes can run it at once.
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { CUTOFF_GRACE_MS } from '../core/limits.ts';
import { allGames } from '../games/index.ts';
import { upcomingDraws } from '../games/schedule.ts';
import { closeDueDraws, ensureDraw, openDueDraws } from '../ledger/draws.ts';
import type { Logger } from '../app/logger.ts';

/** How many upcoming draws per game exist at any time. */
export const DRAWS_AHEAD = 3;
const TICK_MS = 500;
const ENSURE_EVERY_MS = 60_000;

export function drawPublicId(gameId: string, businessDate: string): string {
  return `${gameId}-${businessDate}`;
}

export class DrawScheduler {
  private timer: NodeJS.Timeout | undefined;
  private lastEnsureMs = -Infinity;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      // Never overlap ticks: a slow database must not pile up statements.
      if (!this.running) this.running = this.tick().finally(() => (this.running = undefined));
    }, TICK_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async ensureUpcoming(): Promise<void> {
    const nowMs = this.clock.nowMs();
    for (const game of allGames()) {
      for (const times of upcomingDraws(game.schedule, nowMs, DRAWS_AHEAD)) {
        const { created, draw } = await ensureDraw(this.pool, {
          publicId: drawPublicId(game.id, times.businessDate),
          gameId: game.id,
          businessDate: times.businessDate,
          openAtMs: times.openAtMs,
          cutoffAtMs: times.cutoffAtMs,
          drawAtMs: times.drawAtMs,
        });
        if (created) this.logger.info({ drawId: draw.publicId, cutoffAt: new Date(draw.cutoffAtMs).toISOString() }, 'draw created');
      }
    }
  }

  private async tick(): Promise<void> {
    try {
      const nowMs = this.clock.nowMs();
      if (nowMs - this.lastEnsureMs >= ENSURE_EVERY_MS) {
        await this.ensureUpcoming();
        this.lastEnsureMs = nowMs;
      }
      for (const drawId of await openDueDraws(this.pool)) this.logger.info({ drawId }, 'draw opened');
      for (const drawId of await closeDueDraws(this.pool, CUTOFF_GRACE_MS)) this.logger.info({ drawId }, 'draw closed');
    } catch (err) {
      this.logger.error({ err }, 'draw scheduler tick failed');
    }
  }
}
