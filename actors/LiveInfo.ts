// actors/LiveInfo.ts — what a draw's live display needs beyond its tally (actors/DrawTallies.ts):
// the game's rollover (for the jackpot as it stands) and, for fixed-odds games, the number
// combinations sold out. Read from the ledger every LIVE_INFO_POLL_MS by each process for
// each draw it has rooms for, so every shard of every process shows the same within about
// half a second. A failed read keeps the last values (logged, throttled): display only,
// money never depends on it (the cap itself is enforced in the bet transaction).
import type pg from 'pg';
import { LIVE_INFO_LOG_EVERY_MS, LIVE_INFO_POLL_MS, LIVE_SOLD_OUT_MAX } from '../core/limits.ts';
import { ThrottledLog, type Logger } from '../core/logger.ts';
import type { CatalogueGame } from '../games/types.ts';
import { rolloverBalance, soldOutCombinations } from '../ledger/liveInfo.ts';

export interface LiveDraw {
  rolloverInMinor: number;
  /** Sorted combinations sold out (fixed-odds games; empty otherwise). */
  soldOut: string[];
  /** Bumped on every change, so rooms copy only what changed. */
  version: number;
}

interface Entry {
  live: LiveDraw;
  game: CatalogueGame;
  rooms: number;
  timer: NodeJS.Timeout;
  reading: boolean;
}

export class LiveInfo {
  private readonly entries = new Map<number, Entry>();
  private readonly log: ThrottledLog;

  constructor(
    private readonly pool: pg.Pool,
    logger: Logger,
  ) {
    this.log = new ThrottledLog(logger, LIVE_INFO_LOG_EVERY_MS);
  }

  /** A room of this draw shows live information: polled from now on until the last room releases it. */
  acquire(drawId: number, game: CatalogueGame): LiveDraw {
    let entry = this.entries.get(drawId);
    if (!entry) {
      const created: Entry = { live: { rolloverInMinor: 0, soldOut: [], version: 0 }, game, rooms: 0, reading: false, timer: setInterval(() => void this.read(drawId, created), LIVE_INFO_POLL_MS) };
      created.timer.unref();
      this.entries.set(drawId, created);
      void this.read(drawId, created);
      entry = created;
    }
    entry.rooms++;
    return entry.live;
  }

  release(drawId: number): void {
    const entry = this.entries.get(drawId);
    if (!entry || --entry.rooms > 0) return;
    clearInterval(entry.timer);
    this.entries.delete(drawId);
  }

  stop(): void {
    for (const entry of this.entries.values()) clearInterval(entry.timer);
    this.entries.clear();
  }

  private async read(drawId: number, entry: Entry): Promise<void> {
    if (entry.reading) return;
    entry.reading = true;
    try {
      const { game } = entry;
      const rolls = game.prizeModel === 'pari-mutuel' || game.prizeModel === 'mixed';
      const [rollover, soldOut] = await Promise.all([
        rolls ? rolloverBalance(this.pool, game.id) : Promise.resolve(0),
        game.liability ? soldOutCombinations(this.pool, drawId, game.liability, LIVE_SOLD_OUT_MAX) : Promise.resolve([]),
      ]);
      const live = entry.live;
      if (rollover !== live.rolloverInMinor || soldOut.join(',') !== live.soldOut.join(',')) {
        live.rolloverInMinor = rollover;
        live.soldOut = soldOut;
        live.version++;
      }
    } catch (err) {
      this.log.warn('live information read failed; showing the last values', { err, drawId });
    } finally {
      entry.reading = false;
    }
  }
}
