// web/player/history.ts — what the ticket history page reads from the API and the pure
// decisions it shows: which of a line's numbers were drawn, how a page of tickets groups by
// draw, what a filter period is on the wire. No DOM here.
import type { Drum } from '../lib/catalogue.ts';

/** A ticket as GET /api/tickets shows it (README "Ticket history"). */
export interface HistoryTicket {
  ticketId: string;
  gameId: string;
  drawId: string;
  drawStatus: string;
  betType: string;
  stakeMinor: number;
  lines: number[][];
  lineCount: number;
  costMinor: number;
  quickPick: boolean;
  receivedAt: string;
  result: TicketResult;
  receipt: unknown;
}

export type TicketResult =
  | { outcome: 'pending' }
  | { outcome: 'halted' }
  | { outcome: 'refunded'; refundedAt: string }
  | { outcome: 'no_win' }
  | { outcome: 'won'; prizeMinor: number; tiers: { tier: string; winningLines: number; prizeMinor: number }[]; review?: 'held' | 'released' | 'forfeited' };

export interface HistoryPage {
  tickets: HistoryTicket[];
  nextCursor: string | null;
}

/** Statuses from which a signed proof exists (GET /api/draws/:id/proof answers 200). */
const PROVEN_STATUSES = new Set(['drawn', 'settled']);

export function hasProof(drawStatus: string): boolean {
  return PROVEN_STATUSES.has(drawStatus);
}

/**
 * For each number of a line, whether it was drawn, by the drum it was chosen from: a line as
 * long as all drums together (jackpot 5/69+1/26, pick-n digits) is split drum by drum, in
 * order, so a bonus number counts against the bonus drum only; other lines (lotto, keno) are
 * chosen from the first drum. Display only: the prize is what the server settled.
 */
export function lineHits(line: readonly number[], numbers: readonly (readonly number[])[] | null, drums: readonly Drum[] | undefined, betType: string): boolean[] {
  if (!numbers || numbers.length === 0) return line.map(() => false);
  const counts = (drums ?? []).map((d) => d.count);
  const total = counts.reduce((a, b) => a + b, 0);
  // A box bet matches the digits in any order.
  if (/box/.test(betType)) {
    const left = numbers.flat();
    return line.map((n) => {
      const at = left.indexOf(n);
      if (at < 0) return false;
      left.splice(at, 1);
      return true;
    });
  }
  if (counts.length > 1 && total === line.length) {
    const hits: boolean[] = [];
    let at = 0;
    counts.forEach((count, drum) => {
      for (let i = 0; i < count; i++, at++) hits.push((numbers[drum] ?? []).includes(line[at]));
    });
    return hits;
  }
  return line.map((n) => (numbers[0] ?? []).includes(n));
}

/** Consecutive tickets of one draw, in page order (newest first): one heading per draw. */
export function groupByDraw(tickets: readonly HistoryTicket[]): { drawId: string; gameId: string; tickets: HistoryTicket[] }[] {
  const groups: { drawId: string; gameId: string; tickets: HistoryTicket[] }[] = [];
  for (const t of tickets) {
    const last = groups[groups.length - 1];
    if (last && last.drawId === t.drawId) last.tickets.push(t);
    else groups.push({ drawId: t.drawId, gameId: t.gameId, tickets: [t] });
  }
  return groups;
}

export interface HistoryFilters {
  game: string;
  draw: string;
  /** A date as <input type=date> gives it (YYYY-MM-DD), or ''. */
  from: string;
  to: string;
}

export const NO_FILTERS: HistoryFilters = { game: '', draw: '', from: '', to: '' };

/** Local midnight of a YYYY-MM-DD date as an ISO instant (the API wants an offset; Z is one). */
function localMidnight(date: string, plusDays = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).toISOString();
}

/**
 * The query string of one page: `to` is the day after the chosen last day, since the API's
 * `to` is exclusive and a person means "up to and including".
 */
export function historyQuery(filters: HistoryFilters, limit: number, cursor: string | null): string {
  const q = new URLSearchParams({ limit: String(limit) });
  if (filters.game) q.set('game', filters.game);
  if (filters.draw.trim()) q.set('draw', filters.draw.trim());
  const from = filters.from ? localMidnight(filters.from) : null;
  const to = filters.to ? localMidnight(filters.to, 1) : null;
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}
