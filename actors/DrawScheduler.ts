// actors/DrawScheduler.ts — the daily cycle, run by every process of the cluster at once.
//
// Two loops:
//  - keep the next draws of every game created with their commitments (games/calendar.ts
//    says which; creation is idempotent on the draw's public id, so all processes may do it);
//  - lead: every second, try to take the leadership (actors/Leadership.ts) of each draw
//    that needs a driver soon, and run a DrawActor for each draw led. When a leader's
//    process dies, its lock is freed and another process's next try takes it over: the
//    new actor resumes from the draw's persisted status within about a second.
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { CUTOFF_GRACE_MS, DRAWS_AHEAD, DRAWS_AHEAD_WINDOW_MS, LEAD_DRAWS_PER_POLL_MAX, LEAD_HORIZON_MS, LEAD_POLL_MS, SCHEDULER_UNAVAILABLE_LOG_EVERY_MS } from '../core/limits.ts';
import { allGames } from '../games/index.ts';
import { plannedDraws, plannedDrawsBetween, type PlannedDrawTimes, type ScheduleMode } from '../games/calendar.ts';
import { closeDueDraws, drawsToLead, openDueDraws } from '../ledger/draws.ts';
import { drawsDue } from '../ledger/drawSteps.ts';
import { faultSummary, ThrottledLog, type Logger } from '../core/logger.ts';
import { isDatabaseUnavailable } from '../ledger/faults.ts';
import type { Metrics } from '../core/metrics.ts';
import { DrawActor } from './DrawActor.ts';
import type { DrawRunner } from './DrawRunner.ts';
import type { Leadership } from './Leadership.ts';

export interface DrawSchedulerOptions {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  runner: DrawRunner;
  leadership: Leadership;
  schedule: ScheduleMode;
  metrics?: Metrics;
  /** The database's time as this process best knows it; the clock's own time by default. */
  dbNowMs?: () => number;
}

export class DrawScheduler {
  private ensureTimer: NodeJS.Timeout | undefined;
  private leadTimer: NodeJS.Timeout | undefined;
  private ensuring: Promise<void> | undefined;
  private leading: Promise<void> | undefined;
  private readonly actors = new Map<number, DrawActor>();
  private stopped = false;
  private readonly unavailableLog: ThrottledLog;

  constructor(private readonly o: DrawSchedulerOptions) {
    this.unavailableLog = new ThrottledLog(o.logger, SCHEDULER_UNAVAILABLE_LOG_EVERY_MS);
    o.leadership.onLost((drawIds) => {
      for (const id of drawIds) this.dropActor(id);
    });
  }

  /** Draws this process drives now. */
  get led(): number[] {
    return [...this.actors.keys()];
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.ensureOnce();
    await this.leadOnce();
    // A demo cycle is minutes long: keep its draws created more often than a daily one's.
    const ensureEveryMs = this.o.schedule.schedule === 'demo' ? 10_000 : 60_000;
    // Never overlap passes: a slow database must not pile up statements.
    this.ensureTimer = setInterval(() => {
      if (!this.ensuring) this.ensuring = this.ensureOnce().finally(() => (this.ensuring = undefined));
    }, ensureEveryMs);
    this.leadTimer = setInterval(() => {
      if (!this.leading) this.leading = this.leadOnce().finally(() => (this.leading = undefined));
    }, LEAD_POLL_MS);
  }

  /** Stops both loops and every actor (a step in flight finishes), then gives up leadership. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ensureTimer);
    clearInterval(this.leadTimer);
    await Promise.all([this.ensuring, this.leading]);
    const actors = [...this.actors.values()];
    this.actors.clear();
    await Promise.all(actors.map((a) => a.stop()));
    await this.o.leadership.close();
    this.o.metrics?.drawsLed.set(0);
  }

  async ensureUpcoming(): Promise<void> {
    const nowMs = this.o.clock.nowMs();
    for (const game of allGames()) {
      const planned = new Map<string, PlannedDrawTimes>();
      // The next DRAWS_AHEAD still selling: between a cutoff and its draw, the draw being
      // drawn is planned but no longer worth creating, so plan one more.
      const ahead = plannedDraws(game, this.o.schedule, nowMs, DRAWS_AHEAD + 1).filter((d) => d.cutoffAtMs > nowMs);
      for (const d of ahead.slice(0, DRAWS_AHEAD)) planned.set(d.publicId, d);
      if (this.o.schedule.schedule === 'daily') {
        for (const d of plannedDrawsBetween(game, this.o.schedule, nowMs, nowMs + DRAWS_AHEAD_WINDOW_MS)) planned.set(d.publicId, d);
      }
      // A draw whose sales would already be over is not worth creating: it could sell nothing.
      const worthCreating = [...planned.values()].filter((d) => d.cutoffAtMs > nowMs);
      for (const draw of worthCreating.sort((a, b) => a.drawAtMs - b.drawAtMs)) {
        const { created } = await this.o.runner.createDraw(draw);
        if (created) this.o.logger.info({ drawId: draw.publicId, cutoffAt: new Date(draw.cutoffAtMs).toISOString() }, 'draw created');
      }
    }
  }

  private async ensureOnce(): Promise<void> {
    try {
      await this.ensureUpcoming();
    } catch (err) {
      this.logFailure(err, 'creating upcoming draws failed');
    }
  }

  /** One leadership pass: try to lead every draw that needs a driver and has none here. */
  private async leadOnce(): Promise<void> {
    try {
      const wanted = await drawsToLead(this.o.pool, LEAD_HORIZON_MS, LEAD_DRAWS_PER_POLL_MAX);
      const won = await this.o.leadership.tryAcquire(wanted.filter((id) => !this.actors.has(id)));
      for (const id of won) {
        if (this.stopped) {
          await this.o.leadership.release(id);
          continue;
        }
        this.startActor(id);
      }
    } catch (err) {
      this.logFailure(err, 'draw leadership pass failed');
    }
  }

  /** A database that is away is an operating condition (a warning now and then); anything else is a bug. */
  private logFailure(err: unknown, message: string): void {
    if (!isDatabaseUnavailable(err)) {
      this.o.logger.error({ err }, message);
      return;
    }
    this.unavailableLog.warn(`${message}: database unavailable`, { err: faultSummary(err) });
  }

  private startActor(drawId: number): void {
    const actor = new DrawActor(drawId, {
      pool: this.o.pool,
      runner: this.o.runner,
      logger: this.o.logger,
      metrics: this.o.metrics,
      dbNowMs: this.o.dbNowMs ?? (() => this.o.clock.nowMs()),
    });
    this.actors.set(drawId, actor);
    this.o.metrics?.leadershipTakeovers.inc();
    this.o.metrics?.drawsLed.set(this.actors.size);
    this.o.logger.info({ drawId }, 'leading draw');
    actor.done.then(async (end) => {
      if (this.actors.get(drawId) !== actor) return;
      this.actors.delete(drawId);
      this.o.metrics?.drawsLed.set(this.actors.size);
      await this.o.leadership.release(drawId);
      this.o.logger.info({ drawId, end }, 'draw finished; leadership released');
    });
    actor.start();
  }

  private dropActor(drawId: number): void {
    const actor = this.actors.get(drawId);
    if (!actor) return;
    this.actors.delete(drawId);
    this.o.metrics?.drawsLed.set(this.actors.size);
    void actor.stop();
  }

  /**
   * One pass over every step that is due now, for every draw, leader or not: open, close,
   * seal, draw, settle. Tests drive draws with it; each step is safe to repeat.
   */
  async runDue(): Promise<void> {
    const { pool, runner, logger } = this.o;
    for (const drawId of await openDueDraws(pool)) logger.info({ drawId }, 'draw opened');
    for (const drawId of await closeDueDraws(pool, CUTOFF_GRACE_MS)) logger.info({ drawId }, 'draw closed');
    const due = await drawsDue(pool);
    // One draw's failure (logged, retried next pass) must not hold up the others.
    for (const id of due.toSeal) await runner.seal(id).catch((err) => logger.error({ err, drawId: id }, 'sealing failed'));
    for (const id of due.toDraw) await runner.draw(id).catch((err) => logger.error({ err, drawId: id }, 'drawing failed'));
    for (const id of due.toSettle) await runner.settle(id).catch((err) => logger.error({ err, drawId: id }, 'settling failed'));
  }
}
