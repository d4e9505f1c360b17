// actors/DrawScheduler.ts — keeps the next draws of every game created (with their
// commitments), opens them when their sales open, closes them at cutoff + grace (fence
// layer 3), then has the DrawRunner seal and draw them. Every step is idempotent, so any
// number of processes can run it at once.
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { CUTOFF_GRACE_MS } from '../core/limits.ts';
import { allGames } from '../games/index.ts';
import { upcomingDraws } from '../games/schedule.ts';
import { closeDueDraws, openDueDraws } from '../ledger/draws.ts';
import { drawsDue } from '../ledger/drawSteps.ts';
import type { Logger } from '../app/logger.ts';
import type { DrawRunner } from './DrawRunner.ts';

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
    private readonly runner: DrawRunner,
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
        const { created, draw } = await this.runner.createDraw({
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
      await this.runDue();
    } catch (err) {
      this.logger.error({ err }, 'draw scheduler tick failed');
    }
  }

  /** One pass over every step that is due now: open, close, seal, draw. */
  async runDue(): Promise<void> {
    for (const drawId of await openDueDraws(this.pool)) this.logger.info({ drawId }, 'draw opened');
    for (const drawId of await closeDueDraws(this.pool, CUTOFF_GRACE_MS)) this.logger.info({ drawId }, 'draw closed');
    const due = await drawsDue(this.pool);
    // One draw's failure (logged, retried next tick) must not hold up the others.
    for (const id of due.toSeal) await this.runner.seal(id).catch((err) => this.logger.error({ err, drawId: id }, 'sealing failed'));
    for (const id of due.toDraw) await this.runner.draw(id).catch((err) => this.logger.error({ err, drawId: id }, 'drawing failed'));
  }
}
