// actors/StageDraws.ts — what the live draw stages of one process know about their draws.
//
// Each draw with a stage room in this process is read from the ledger once per
// STAGE_DRAW_POLL_MS (one query per draw per process, whatever the number of rooms or
// viewers), and every room of it is told when the row changed. A draw's status moves in the
// process that leads it (actors/DrawActor.ts), possibly another one; the row is how every
// process learns of it, with no work added to the bet path or the draw steps. A failed read
// keeps the last row (logged, throttled) and is tried again next time: viewers keep what they
// saw while the database is away. A settled or voided draw changes no more: its reads stop.
import type pg from 'pg';
import { STAGE_DRAW_POLL_MS, STAGE_DRAWS_FOLLOWED_MAX, STAGE_LOG_EVERY_MS } from '../core/limits.ts';
import { ThrottledLog, type Logger } from '../core/logger.ts';
import { stageDraw, type StageDrawRow } from '../ledger/stage.ts';

/** A room's hold on a followed draw: the row as last read, until it lets go. */
export interface StageHandle {
  readonly row: StageDrawRow;
  unfollow(): void;
}

export type FollowResult = { kind: 'followed'; handle: StageHandle } | { kind: 'unknown' } | { kind: 'busy' };

interface Entry {
  row: StageDrawRow | null;
  /** The row as JSON: a change is any difference (a row is a few hundred bytes). */
  key: string;
  loading: Promise<void>;
  listeners: Set<() => void>;
  timer: NodeJS.Timeout | undefined;
  reading: boolean;
}

/** Statuses after which a draw row never changes again. */
const FINAL = new Set(['settled', 'voided']);

export class StageDraws {
  private readonly entries = new Map<string, Entry>();
  private readonly log: ThrottledLog;

  constructor(
    private readonly o: { pool: pg.Pool; logger: Logger; pollMs?: number },
  ) {
    this.log = new ThrottledLog(o.logger, STAGE_LOG_EVERY_MS);
  }

  /**
   * Follows the draw `publicId` for a room: `changed` is called each time its row changes.
   * 'unknown' when no such draw exists, 'busy' past STAGE_DRAWS_FOLLOWED_MAX draws. Throws
   * what the first read threw (the database away): the room cannot be created without it.
   */
  async follow(publicId: string, changed: () => void): Promise<FollowResult> {
    let entry = this.entries.get(publicId);
    if (!entry) {
      if (this.entries.size >= STAGE_DRAWS_FOLLOWED_MAX) return { kind: 'busy' };
      const created: Entry = { row: null, key: '', loading: Promise.resolve(), listeners: new Set(), timer: undefined, reading: false };
      created.loading = stageDraw(this.o.pool, publicId).then((row) => void this.store(created, row));
      this.entries.set(publicId, created);
      entry = created;
    }
    const e = entry;
    // Counted before the wait, so a concurrent room's unfollow does not drop the entry under us.
    e.listeners.add(changed);
    try {
      await e.loading;
    } catch (err) {
      this.forget(publicId, e, changed);
      throw err;
    }
    if (!e.row) {
      this.forget(publicId, e, changed);
      return { kind: 'unknown' };
    }
    if (!e.timer && !FINAL.has(e.row.status)) {
      e.timer = setInterval(() => void this.read(publicId, e), this.o.pollMs ?? STAGE_DRAW_POLL_MS);
      e.timer.unref();
    }
    let followed = true;
    return {
      kind: 'followed',
      handle: {
        get row() {
          return e.row as StageDrawRow;
        },
        unfollow: () => {
          if (!followed) return;
          followed = false;
          this.forget(publicId, e, changed);
        },
      },
    };
  }

  /** Draws followed now (for tests and metrics). */
  get followed(): number {
    return this.entries.size;
  }

  stop(): void {
    for (const e of this.entries.values()) clearInterval(e.timer);
    this.entries.clear();
  }

  private forget(publicId: string, e: Entry, changed: () => void): void {
    e.listeners.delete(changed);
    if (e.listeners.size > 0 || this.entries.get(publicId) !== e) return;
    clearInterval(e.timer);
    this.entries.delete(publicId);
  }

  /** Keeps `row` if it differs from the last; true when it did. */
  private store(e: Entry, row: StageDrawRow | null): boolean {
    if (!row) return false;
    const key = JSON.stringify(row);
    if (key === e.key) return false;
    e.row = row;
    e.key = key;
    return true;
  }

  private async read(publicId: string, e: Entry): Promise<void> {
    if (e.reading) return;
    e.reading = true;
    try {
      const changed = this.store(e, await stageDraw(this.o.pool, publicId));
      if (e.row && FINAL.has(e.row.status)) {
        clearInterval(e.timer);
        e.timer = undefined;
      }
      if (!changed) return;
      for (const listener of e.listeners) {
        try {
          listener();
        } catch (err) {
          this.o.logger.error({ err, drawId: publicId }, 'a stage room failed to take a draw change');
        }
      }
    } catch (err) {
      this.log.warn('reading a staged draw failed; its stages keep the last state', { err, drawId: publicId });
    } finally {
      e.reading = false;
    }
  }
}
