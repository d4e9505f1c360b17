// actors/DrawTallies.ts — live per-draw totals for the rooms of this process.
//
// A tally starts from the ledger (so a new or restarted process shows the right totals
// at once) and then counts this process's commits. Tickets are counted by row id above
// the ledger snapshot's highest id, so a commit racing the snapshot is counted once.
import type pg from 'pg';
import { drawTotals } from '../ledger/draws.ts';
import type { CommittedBet } from './BetWriter.ts';

export interface Tally {
  ticketCount: number;
  stakeMinor: number;
}

interface Entry {
  tally: Tally;
  /** Rows at or below this id were in the ledger snapshot. */
  baselineRowId: number;
  loaded: Promise<void>;
  /** Commits seen while the snapshot was loading, applied once it is known. */
  early: CommittedBet[] | null;
  rooms: number;
}

export class DrawTallies {
  private readonly entries = new Map<number, Entry>();

  constructor(private readonly pool: pg.Pool) {}

  /** A room of this draw needs the tally; resolves once it reflects the ledger. */
  async acquire(drawId: number): Promise<Tally> {
    let entry = this.entries.get(drawId);
    if (!entry) {
      const created: Entry = { tally: { ticketCount: 0, stakeMinor: 0 }, baselineRowId: Infinity, loaded: Promise.resolve(), early: [], rooms: 0 };
      created.loaded = drawTotals(this.pool, drawId).then(
        (totals) => {
          created.tally.ticketCount = totals.ticketCount;
          created.tally.stakeMinor = totals.stakeMinor;
          created.baselineRowId = totals.lastTicketId;
          const early = created.early ?? [];
          created.early = null;
          for (const bet of early) this.count(created, bet);
        },
        (err) => {
          this.entries.delete(drawId);
          throw err;
        },
      );
      this.entries.set(drawId, created);
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
    if (entry && --entry.rooms <= 0) this.entries.delete(drawId);
  }

  get(drawId: number): Tally | undefined {
    return this.entries.get(drawId)?.tally;
  }

  /** Wired to BetWriter.onCommitted. */
  onCommitted(bets: CommittedBet[]): void {
    for (const bet of bets) {
      const entry = this.entries.get(bet.drawId);
      if (!entry) continue;
      if (entry.early) entry.early.push(bet);
      else this.count(entry, bet);
    }
  }

  private count(entry: Entry, bet: CommittedBet): void {
    if (bet.ticketRowId <= entry.baselineRowId) return;
    entry.tally.ticketCount += 1;
    entry.tally.stakeMinor += bet.costMinor;
  }
}
