// ledger/ticketHistory.ts — a player's own tickets, newest first (GET /api/tickets).
//
// Keyset pages in (received_at, id) descending order, read from the index of migration 009,
// (player_id, received_at desc, id desc): every bound is an index condition, so a page
// reads its rows in order straight from the index, whatever the player's number of tickets
// and however deep the page.
//   - the cursor is a ticket of the player's: a page starts right after its position, read
//     by id among the player's own rows (another player's ticket is no position at all);
//   - a period bounds received_at, [from, to);
//   - a draw bounds it by the draw's sales window, [open_at, cutoff_at), widened back to the
//     window of the draw ADVANCE_DRAWS_MAX - 1 before it: every ticket of a draw was received
//     in it, or with advance play in an earlier draw's (the fence, ledger/betDecisions.ts;
//     ledger/invariants.ts checks it), so the player's other tickets of those days are the
//     only rows left out.
//
// The work of a request is bounded. Unfiltered, the index is read for limit + 1 rows. With
// a game or draw filter, rows of other games and draws are read and left out, so the scan
// stops after TICKET_HISTORY_SCAN_ROWS_MAX rows whatever it found: a page may then hold
// fewer tickets than asked (even none) and still name where to resume, the oldest ticket
// it looked at. Nothing here deletes tickets (nothing anywhere may: migration 002's trigger).
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { ADVANCE_DRAWS_MAX, TICKET_HISTORY_PAGE_MAX, TICKET_HISTORY_SCAN_ROWS_MAX } from '../core/limits.ts';
import type { TierResult } from '../games/types.ts';
import type { DrawStatus } from './draws.ts';

export interface HistoryQuery {
  playerId: number;
  /** Tickets on the page, 1..TICKET_HISTORY_PAGE_MAX. */
  limit: number;
  /** Start after this ticket of the player's (a row id), exclusive. */
  afterRowId?: number;
  gameId?: string;
  drawPublicId?: string;
  /** Received at or after. */
  fromMs?: number;
  /** Received before. */
  toMs?: number;
}

/** One ticket as the history shows it, with its draw and, once settled, its prize. */
export interface HistoryTicket {
  rowId: number;
  /** The request id the player's bet carried: how a client learns the fate of a bet it got no final answer for. */
  requestId: string;
  drawPublicId: string;
  gameId: string;
  drawStatus: DrawStatus;
  /** The draw's ticket record version (migration 011): what the ticket's receipt signs. */
  leafVersion: 1 | 2;
  betType: string;
  stakeMinor: number;
  lines: number[][];
  lineCount: number;
  costMinor: number;
  quickPick: boolean;
  receivedAtMs: number;
  /** When the ticket, bought in advance, was refunded before its draw opened (ledger/refunds.ts); null if it was not. */
  refundedAtMs: number | null;
  /** The ticket_prizes row: only winning tickets of settled draws have one; `review` when it was held (prize_holds). */
  prize: { amountMinor: number; tierLines: number[]; review?: 'held' | 'released' | 'forfeited' } | null;
  /** The draw's prize table as settled (draws.prize_tiers); null before settlement. */
  prizeTiers: readonly Pick<TierResult, 'name' | 'perLineMinor' | 'baseStakeMinor'>[] | null;
}

export type HistoryPage =
  | { status: 'page'; tickets: HistoryTicket[]; resumeAfterRowId: number | null }
  | { status: 'unknown_cursor' };

/** What a ticket won, decided once from its row: a case for every state its draw can be in. */
export type TicketResult =
  | { outcome: 'pending' }
  | { outcome: 'halted' }
  | { outcome: 'refunded'; refundedAt: string }
  | { outcome: 'no_win' }
  | {
      outcome: 'won';
      prizeMinor: number;
      tiers: { tier: string; winningLines: number; prizeMinor: number }[];
      /** A prize held for an operator's review (migration 020): held, then released (less any tax) or forfeited. Absent when paid to the wallet at once. */
      review?: 'held' | 'released' | 'forfeited';
    };

const TICKET_COLUMNS = `t.id, t.request_id, t.draw_id, t.received_at, t.bet_type, t.stake_minor, t.lines, t.line_count, t.cost_minor, t.quick_pick,
              (extract(epoch from t.received_at) * 1000)::int8 as received_ms, (extract(epoch from t.refunded_at) * 1000)::int8 as refunded_ms`;

/**
 * The page's statement (exported for the EXPLAIN test): one statement, so one snapshot,
 * whose answer is a summary row (is the cursor the player's; where to resume if the scan
 * stopped at its budget) joined to the page's tickets, limit + 1 of them to tell whether
 * more follow. The index range is read lazily, in order, through a nested loop to the draw:
 * a page that fills early stops reading. Only a filtered page that did not fill reads to the
 * budget's edge, a second time through the index alone, to say where it stopped.
 */
export function ticketHistorySql(q: HistoryQuery): { text: string; values: unknown[]; scanRows: number } {
  invariant(Number.isSafeInteger(q.limit) && q.limit >= 1 && q.limit <= TICKET_HISTORY_PAGE_MAX, `history page of ${q.limit}`);
  const values: unknown[] = [q.playerId];
  const param = (value: unknown) => `$${values.push(value)}`;
  const bounds = ['t.player_id = $1'];
  if (q.fromMs !== undefined) bounds.push(`t.received_at >= ${param(new Date(q.fromMs))}`);
  if (q.toMs !== undefined) bounds.push(`t.received_at < ${param(new Date(q.toMs))}`);
  const kept: string[] = [];
  if (q.drawPublicId !== undefined) {
    const draw = param(q.drawPublicId);
    // Scalar subqueries are computed once, before the scan: index bounds. No such draw: null bounds, no rows.
    // Advance play buys a draw's tickets from the sales of ADVANCE_DRAWS_MAX - 1 draws before it on.
    bounds.push(
      `t.received_at >= (select min(w.open_at) from (select e.open_at from draws x join draws e on e.game_id = x.game_id and e.draw_at <= x.draw_at
                                                    where x.public_id = ${draw} order by e.draw_at desc limit ${ADVANCE_DRAWS_MAX}) w)`,
    );
    bounds.push(`t.received_at < (select cutoff_at from draws where public_id = ${draw})`);
    kept.push(`d.public_id = ${draw}`);
  }
  if (q.gameId !== undefined) kept.push(`d.game_id = ${param(q.gameId)}`);
  let cursorFound = 'true';
  if (q.afterRowId !== undefined) {
    const after = param(q.afterRowId);
    bounds.push(`(t.received_at, t.id) < ((select c.received_at from tickets c where c.id = ${after} and c.player_id = $1), ${after}::int8)`);
    cursorFound = `exists (select 1 from tickets c where c.id = ${after} and c.player_id = $1)`;
  }
  const scanRows = kept.length > 0 ? TICKET_HISTORY_SCAN_ROWS_MAX : q.limit + 1;
  const range = `from tickets t where ${bounds.join(' and ')} order by t.received_at desc, t.id desc`;
  const scan = param(scanRows);
  const pageRows = param(q.limit + 1);
  const budgetEdge =
    kept.length > 0
      ? `case when (select count(*) from kept) < ${pageRows} then (select t.id ${range} offset ${scan} - 1 limit 1) end`
      : 'null::int8';
  const text = `with kept as (
       select s.*, d.public_id as draw_public_id, d.game_id, d.status as draw_status, d.leaf_version, d.prize_tiers
         from (select ${TICKET_COLUMNS} ${range} limit ${scan}) s
         left join draws d on d.id = s.draw_id
        ${kept.length > 0 ? `where ${kept.join(' and ')}` : ''}
        order by s.received_at desc, s.id desc
        limit ${pageRows}
     ), summary as (
       select ${cursorFound} as cursor_found, ${budgetEdge} as budget_edge_id
     )
     select m.cursor_found, m.budget_edge_id, k.*, p.amount_minor as prize_minor, p.tier_lines, h.status as hold_status
       from summary m
       left join kept k on true
       left join ticket_prizes p on p.ticket_id = k.id
       left join prize_holds h on h.ticket_id = k.id
      order by k.received_at desc, k.id desc`;
  return { text, values, scanRows };
}

/** One page of the player's tickets, newest first. */
export async function ticketHistoryPage(pool: pg.Pool, q: HistoryQuery): Promise<HistoryPage> {
  const { text, values } = ticketHistorySql(q);
  const { rows } = await pool.query(text, values);
  invariant(rows.length >= 1, 'the history statement returned no summary row');
  const summary = rows[0];
  if (!summary.cursor_found) return { status: 'unknown_cursor' };
  const tickets = rows.filter((r) => r.id !== null).map(historyTicket);
  // Pair assertions: the page is what the statement was asked for, in the order promised.
  invariant(tickets.length <= q.limit + 1, `history page of ${tickets.length} tickets, asked for ${q.limit} + 1`);
  assertNewestFirst(tickets);
  if (tickets.length > q.limit) {
    tickets.length = q.limit;
    return { status: 'page', tickets, resumeAfterRowId: tickets[q.limit - 1].rowId };
  }
  // Every match among the rows scanned is on the page; if the scan stopped at its budget,
  // older rows may match too: resume after the last row it looked at.
  const resumeAfterRowId = summary.budget_edge_id === null ? null : Number(summary.budget_edge_id);
  return { status: 'page', tickets, resumeAfterRowId };
}

/** One ticket of the player's, or null: an unknown id and another player's are the same answer. */
export async function playerTicket(pool: pg.Pool, playerId: number, rowId: number): Promise<HistoryTicket | null> {
  const { rows } = await pool.query(
    `select ${TICKET_COLUMNS}, d.public_id as draw_public_id, d.game_id, d.status as draw_status, d.leaf_version, d.prize_tiers,
            p.amount_minor as prize_minor, p.tier_lines, h.status as hold_status
       from tickets t
       left join draws d on d.id = t.draw_id
       left join ticket_prizes p on p.ticket_id = t.id
       left join prize_holds h on h.ticket_id = t.id
      where t.id = $1 and t.player_id = $2`,
    [rowId, playerId],
  );
  return rows.length === 1 ? historyTicket(rows[0]) : null;
}

function historyTicket(r: any): HistoryTicket {
  // A left join, so that a ticket whose draw is missing fails loudly instead of vanishing
  // from its owner's history (tickets.draw_id has no foreign key: migration 001).
  invariant(r.draw_public_id !== null, `ticket ${r.id} names draw ${r.draw_id}, which does not exist`);
  return {
    rowId: Number(r.id),
    requestId: r.request_id,
    drawPublicId: r.draw_public_id,
    gameId: r.game_id,
    drawStatus: r.draw_status,
    leafVersion: r.leaf_version,
    betType: r.bet_type,
    stakeMinor: Number(r.stake_minor),
    lines: r.lines,
    lineCount: Number(r.line_count),
    costMinor: Number(r.cost_minor),
    quickPick: r.quick_pick,
    receivedAtMs: Number(r.received_ms),
    refundedAtMs: r.refunded_ms === null ? null : Number(r.refunded_ms),
    prize: r.prize_minor === null ? null : { amountMinor: Number(r.prize_minor), tierLines: r.tier_lines.map(Number), review: r.hold_status ?? undefined },
    prizeTiers: r.prize_tiers,
  };
}

function assertNewestFirst(tickets: readonly HistoryTicket[]): void {
  for (let i = 1; i < tickets.length; i++) {
    const [a, b] = [tickets[i - 1], tickets[i]];
    invariant(a.receivedAtMs >= b.receivedAtMs, `history out of order: ticket ${a.rowId} before ${b.rowId}`);
  }
}

/**
 * A ticket's result from its row. A prize exists only for a settled draw and is what the
 * draw's prize table pays for the ticket's winning lines per tier (the same sum as
 * ledger/invariants.ts checks: lines × per-line prize × stake / the tier's base stake);
 * anything else is a broken ledger, not a result.
 */
export function ticketResult(t: Pick<HistoryTicket, 'rowId' | 'drawStatus' | 'stakeMinor' | 'prize' | 'prizeTiers' | 'refundedAtMs'>): TicketResult {
  if (t.refundedAtMs !== null) {
    invariant(t.prize === null, `ticket ${t.rowId} was refunded and has a prize`);
    return { outcome: 'refunded', refundedAt: new Date(t.refundedAtMs).toISOString() };
  }
  if (t.drawStatus === 'halted') {
    invariant(t.prize === null, `ticket ${t.rowId} has a prize from a halted draw`);
    return { outcome: 'halted' };
  }
  if (t.drawStatus !== 'settled') {
    invariant(t.prize === null, `ticket ${t.rowId} has a prize before its draw is settled`);
    return { outcome: 'pending' };
  }
  if (t.prize === null) return { outcome: 'no_win' };
  const tiersPaid = t.prizeTiers;
  invariant(tiersPaid !== null, `ticket ${t.rowId}: a settled draw without its prize table`);
  invariant(tiersPaid.length === t.prize.tierLines.length, `ticket ${t.rowId}: ${t.prize.tierLines.length} tiers won of ${tiersPaid.length}`);
  const tiers: { tier: string; winningLines: number; prizeMinor: number }[] = [];
  let totalMinor = 0;
  t.prize.tierLines.forEach((winningLines, i) => {
    if (winningLines === 0) return;
    const { name, perLineMinor, baseStakeMinor } = tiersPaid[i];
    const prizeMinor = Math.trunc((winningLines * perLineMinor * t.stakeMinor) / (baseStakeMinor ?? t.stakeMinor));
    tiers.push({ tier: name, winningLines, prizeMinor });
    totalMinor += prizeMinor;
  });
  invariant(totalMinor === t.prize.amountMinor, `ticket ${t.rowId}: tiers pay ${totalMinor}, its prize is ${t.prize.amountMinor}`);
  return { outcome: 'won', prizeMinor: t.prize.amountMinor, tiers, ...(t.prize.review ? { review: t.prize.review } : {}) };
}
