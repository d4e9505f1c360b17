// actors/DrawTallies.ts — live per-draw totals (tickets, pool, lines per number), the same
// in every shard of every process.
//
// A tally starts from the ledger, read with the snapshot it was read in (so a new or
// restarted process shows the right totals at once). After that it adds every committed
// bet batch of the draw: this process's own as they commit, other processes' as they
// publish them through presence (Redis in a cluster). Each batch is one transaction and
// carries its id; a batch is counted exactly when the ledger snapshot did not already
// include it (`visibleInSnapshot`), so a commit racing the snapshot is counted once.
//
// Messages lost while Redis was away would leave a tally short, so every tally is re-read
// from the ledger when the presence connection comes back, and every ten minutes as a
// safety net (same rule, so nothing is counted twice meanwhile). Re-reading is not cheap
// (~0.5 s of database time for 150,000 tickets: it counts every line's numbers), hence
// not more often. Totals are for display: the ledger is the truth and money never
// depends on them.
import type { Presence } from '@colyseus/core';
import type pg from 'pg';
import type { Logger } from '../core/logger.ts';
import { drawTotals, parseSnapshot, visibleInSnapshot, type Snapshot } from '../ledger/draws.ts';
import { TALLY_NUMBER_MAX, TALLY_RESYNC_MS } from '../core/limits.ts';
import type { CommittedBatchListener, CommittedBet } from './BetWriter.ts';
import type { PresenceLink } from './presenceLink.ts';

export interface Tally {
  ticketCount: number;
  stakeMinor: number;
  /** Lines that picked each number, indexed by the number. */
  numberCounts: number[];
  /** Bumped on every change, so rooms copy the counts only when they changed. */
  version: number;
}

/** One committed batch's effect on one draw, as published. */
interface TallyDelta {
  /** Publishing process. */
  p: string;
  /** Transaction id (decimal xid8). */
  x: string;
  /** Tickets, stake (minor units), [number, lines] pairs. */
  n: number;
  s: number;
  c: [number, number][];
}

interface Entry {
  tally: Tally;
  snapshot: Snapshot | null;
  /** Deltas seen while a snapshot was loading, applied once it is known. */
  early: TallyDelta[] | null;
  loaded: Promise<void>;
  rooms: number;
  listener: (delta: unknown) => void;
}

function topic(drawId: number): string {
  return `lottery:tally:${drawId}`;
}

function isDelta(d: any): d is TallyDelta {
  return (
    d !== null && typeof d === 'object' && typeof d.p === 'string' && typeof d.x === 'string' && /^\d{1,20}$/.test(d.x) &&
    Number.isSafeInteger(d.n) && Number.isSafeInteger(d.s) && Array.isArray(d.c) && d.c.length <= TALLY_NUMBER_MAX &&
    d.c.every((e: unknown) => Array.isArray(e) && Number.isInteger(e[0]) && e[0] >= 0 && e[0] <= TALLY_NUMBER_MAX && Number.isSafeInteger(e[1]))
  );
}

export interface DrawTalliesOptions {
  pool: pg.Pool;
  presence: Presence;
  /** Redis presence's connection state (absent in-process: always up, nothing lost). */
  link?: PresenceLink;
  /** This process, to skip its own published batches (counted when they committed). */
  processId: string;
  logger: Logger;
}

export class DrawTallies implements CommittedBatchListener {
  private readonly entries = new Map<number, Entry>();
  private readonly resyncTimer: NodeJS.Timeout;
  private readonly pool: pg.Pool;
  private readonly presence: Presence;
  private readonly link: PresenceLink | undefined;
  private readonly processId: string;
  private readonly logger: Logger;

  constructor(options: DrawTalliesOptions) {
    ({ pool: this.pool, presence: this.presence, link: this.link, processId: this.processId, logger: this.logger } = options);
    this.resyncTimer = setInterval(() => void this.resyncAll(), TALLY_RESYNC_MS);
    this.resyncTimer.unref();
    // After the subscriber connection was lost, messages may be missing.
    this.link?.onResubscribed(() => {
      this.logger.info('presence reconnected; re-reading live totals from the ledger');
      void this.resyncAll();
    });
  }

  /** A room of this draw needs the tally; resolves once it reflects the ledger. */
  async acquire(drawId: number): Promise<Tally> {
    let entry = this.entries.get(drawId);
    if (!entry) {
      const created: Entry = {
        tally: { ticketCount: 0, stakeMinor: 0, numberCounts: [], version: 0 },
        snapshot: null,
        early: [],
        loaded: Promise.resolve(),
        rooms: 0,
        listener: (delta) => this.received(drawId, delta),
      };
      this.entries.set(drawId, created);
      // Subscribed before reading the ledger: a batch is either in the snapshot or heard.
      created.loaded = this.presence
        .subscribe(topic(drawId), created.listener)
        .then(() => this.load(created, drawId))
        .catch((err) => {
          this.forget(drawId, created);
          throw err;
        });
      entry = created;
    }
    entry.rooms++;
    try {
      await entry.loaded;
    } catch (err) {
      entry.rooms--;
      throw err;
    }
    return entry.tally;
  }

  release(drawId: number): void {
    const entry = this.entries.get(drawId);
    if (entry && --entry.rooms <= 0) this.forget(drawId, entry);
  }

  get(drawId: number): Tally | undefined {
    return this.entries.get(drawId)?.tally;
  }

  /** The BetWriter calls this after each commit (its commitListener): counts the batch here and tells the other processes. */
  onCommitted(bets: CommittedBet[]): void {
    const byDraw = new Map<number, { x: string; n: number; s: number; counts: Map<number, number> }>();
    for (const bet of bets) {
      let d = byDraw.get(bet.drawId);
      if (!d) byDraw.set(bet.drawId, (d = { x: bet.xid, n: 0, s: 0, counts: new Map() }));
      d.n += 1;
      d.s += bet.costMinor;
      for (const line of bet.lines) for (const number of line) d.counts.set(number, (d.counts.get(number) ?? 0) + 1);
    }
    for (const [drawId, d] of byDraw) {
      const delta: TallyDelta = { p: this.processId, x: d.x, n: d.n, s: d.s, c: [...d.counts] };
      const entry = this.entries.get(drawId);
      if (entry) this.apply(entry, delta);
      this.publish(drawId, delta);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    for (const [drawId, entry] of [...this.entries]) this.forget(drawId, entry);
  }

  /** Re-reads every live tally from the ledger. */
  async resyncAll(): Promise<void> {
    for (const [drawId, entry] of [...this.entries]) {
      if (entry.early) continue; // loading already
      entry.early = [];
      await this.load(entry, drawId).catch((err) => {
        this.logger.warn({ err, drawId }, 'live totals resync failed; keeping the running totals');
        const early = entry.early ?? [];
        entry.early = null;
        for (const delta of early) this.apply(entry, delta);
      });
    }
  }

  private async load(entry: Entry, drawId: number): Promise<void> {
    const totals = await drawTotals(this.pool, drawId);
    const t = entry.tally;
    t.ticketCount = totals.ticketCount;
    t.stakeMinor = totals.stakeMinor;
    t.numberCounts = [];
    for (const [number, lines] of totals.numberCounts) t.numberCounts[number] = lines;
    t.version++;
    entry.snapshot = parseSnapshot(totals.snapshot);
    const early = entry.early ?? [];
    entry.early = null;
    for (const delta of early) this.apply(entry, delta);
  }

  private received(drawId: number, message: unknown): void {
    if (!isDelta(message)) {
      this.logger.warn({ drawId }, 'ignored a malformed live-totals message');
      return;
    }
    if (message.p === this.processId) return; // counted when it committed
    const entry = this.entries.get(drawId);
    if (entry) this.apply(entry, message);
  }

  private apply(entry: Entry, delta: TallyDelta): void {
    if (entry.early) {
      entry.early.push(delta);
      return;
    }
    if (!entry.snapshot || visibleInSnapshot(BigInt(delta.x), entry.snapshot)) return;
    const t = entry.tally;
    t.ticketCount += delta.n;
    t.stakeMinor += delta.s;
    for (const [number, lines] of delta.c) t.numberCounts[number] = (t.numberCounts[number] ?? 0) + lines;
    t.version++;
  }

  private publish(drawId: number, delta: TallyDelta): void {
    // Never queue behind a Redis that is away (ioredis would buffer without bound): the
    // other processes catch up at their next resync.
    if (this.link && !this.link.publishing) return;
    this.presence.publish(topic(drawId), delta)?.catch?.((err: Error) => this.logger.warn({ err, drawId }, 'publishing live totals failed'));
  }

  private forget(drawId: number, entry: Entry): void {
    if (this.entries.get(drawId) !== entry) return;
    this.entries.delete(drawId);
    Promise.resolve(this.presence.unsubscribe(topic(drawId), entry.listener)).catch(() => {});
  }
}
