// actors/DrawActor.ts — drives one draw through its day, in the process that leads it.
//
//   scheduled --open_at--> open --cutoff + grace--> closed --> sealed --draw_at--> drawn --> settled
//   closed or sealed --input missing--> halted --two operators--> sealed (resumed) or voided --> refunded
//
// The actor keeps no state of its own: every wake-up reads the draw's persisted status and
// does the one step that status calls for, if its time has come by the database's clock.
// So a new leader in another process resumes exactly where the last one stopped, and a
// step repeated by two processes in a leadership hand-over happens once (each step moves
// the status forward under a row lock; see ledger/draws.ts and actors/DrawRunner.ts).
import type pg from 'pg';
import type { Metrics } from '../core/metrics.ts';
import { CUTOFF_GRACE_MS, DRAW_ACTOR_SLEEP_MS_MAX, DRAW_STEP_RETRY_MS } from '../core/limits.ts';
import { faultSummary, type Logger } from '../core/logger.ts';
import { isDatabaseUnavailable } from '../ledger/faults.ts';
import { closeDueDraws, drawById, openDueDraws, type DrawRow } from '../ledger/draws.ts';
import type { DrawRunner } from './DrawRunner.ts';

const ERROR_BACKOFF_MS = [500, 1_000, 2_000, 5_000];

export type DrawActorEnd = 'settled' | 'halted' | 'voided' | 'gone';

export interface DrawActorDeps {
  pool: pg.Pool;
  runner: DrawRunner;
  logger: Logger;
  metrics?: Metrics;
  /** The database's time as this process best knows it (actors/ClockHealth.ts). */
  dbNowMs(): number;
}

export class DrawActor {
  private timer: NodeJS.Timeout | undefined;
  private stepping: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  private lastStatus: string | undefined;
  readonly done: Promise<DrawActorEnd>;
  private finish!: (end: DrawActorEnd) => void;

  constructor(
    readonly drawId: number,
    private readonly deps: DrawActorDeps,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  start(): void {
    this.wake(0);
  }

  /** Stops driving the draw; resolves once a step in flight has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.stepping;
  }

  private wake(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.stepping = this.step().finally(() => (this.stepping = undefined));
    }, Math.max(0, Math.min(DRAW_ACTOR_SLEEP_MS_MAX, delayMs)));
  }

  /** One wake-up: read the persisted status, do its step if due, and plan the next wake-up. */
  private async step(): Promise<void> {
    const { pool, runner, logger } = this.deps;
    try {
      const draw = await drawById(pool, this.drawId);
      if (this.stopped) return;
      if (!draw) return this.end('gone');
      const nowMs = this.deps.dbNowMs();
      let next: number;
      switch (draw.status) {
        case 'scheduled':
          if (nowMs < draw.openAtMs) {
            next = draw.openAtMs - nowMs;
            break;
          }
          if (nowMs < draw.cutoffAtMs) {
            const opened = await openDueDraws(pool, draw.id);
            if (opened.length) logger.info({ drawId: draw.publicId }, 'draw opened');
            next = opened.length ? 0 : DRAW_STEP_RETRY_MS;
            break;
          }
          // Nobody opened it before its cutoff (every process was down): it closes unsold.
          next = await this.closeWhenDue(draw, nowMs);
          break;
        case 'open':
          next = await this.closeWhenDue(draw, nowMs);
          break;
        case 'closed':
          next = (await runner.seal(draw.id)) ? 0 : DRAW_STEP_RETRY_MS;
          break;
        case 'sealed':
          if (nowMs < draw.drawAtMs) {
            next = draw.drawAtMs - nowMs;
          } else {
            const outcome = await runner.draw(draw.id);
            next = outcome === 'drawn' || outcome === 'halted' ? 0 : DRAW_STEP_RETRY_MS;
          }
          break;
        case 'drawn':
          next = (await runner.settle(draw.id)) === 'settled' ? 0 : DRAW_STEP_RETRY_MS;
          break;
        case 'voided':
          if (draw.voidRefundedAtMs === null && (await runner.refundVoided(draw.id)) === 'more') {
            next = 0;
            break;
          }
          return this.end('voided');
        case 'settled':
        case 'halted':
          return this.end(draw.status);
        default:
          throw new Error(`draw ${draw.publicId} has unknown status ${draw.status}`);
      }
      this.failures = 0;
      // Straight on only when the status moved since the last look: a step that "succeeds"
      // without moving it must not spin against the database.
      if (next === 0 && draw.status === this.lastStatus) next = DRAW_STEP_RETRY_MS;
      this.lastStatus = draw.status;
      this.wake(next);
    } catch (err) {
      const delay = ERROR_BACKOFF_MS[Math.min(this.failures, ERROR_BACKOFF_MS.length - 1)];
      this.failures++;
      // Retried with backoff either way; a database that is away is not a bug, so no stack.
      if (isDatabaseUnavailable(err)) logger.warn({ err: faultSummary(err), drawId: this.drawId, retryInMs: delay }, 'draw step failed: database unavailable; retrying');
      else logger.error({ err, drawId: this.drawId, retryInMs: delay }, 'draw step failed; retrying');
      this.wake(delay);
    }
  }

  /** Closes the draw once cutoff plus grace has passed; returns when to wake up next. */
  private async closeWhenDue(draw: DrawRow, nowMs: number): Promise<number> {
    const closeAtMs = draw.cutoffAtMs + CUTOFF_GRACE_MS;
    if (nowMs < closeAtMs) return closeAtMs - nowMs;
    const closed = await closeDueDraws(this.deps.pool, CUTOFF_GRACE_MS, draw.id);
    if (closed.length) this.deps.logger.info({ drawId: draw.publicId }, 'draw closed');
    return closed.length ? 0 : DRAW_STEP_RETRY_MS;
  }

  private end(end: DrawActorEnd): void {
    this.stopped = true;
    this.finish(end);
  }
}
