// ledger/results.ts — what a settled draw paid the players connected to one process
// (actors/ResultNotifier.ts tells them).
import type pg from 'pg';

export interface PlayerWinnings {
  playerId: number;
  /** Winning tickets (row ids) and what each was paid, in ticket order; `held` when the prize waits for an operator's review (migration 020). */
  tickets: { rowId: number; amountMinor: number; held: boolean }[];
  totalMinor: number;
}

/** The prizes a draw paid to any of these players (only those who won appear). */
export async function winningsOf(pool: pg.Pool, drawId: number, playerIds: readonly number[]): Promise<PlayerWinnings[]> {
  if (playerIds.length === 0) return [];
  const { rows } = await pool.query(
    `select t.player_id, t.id, p.amount_minor, h.ticket_id is not null as held
       from ticket_prizes p join tickets t on t.id = p.ticket_id
       left join prize_holds h on h.ticket_id = p.ticket_id
      where p.draw_id = $1 and t.player_id = any($2::int8[])
      order by t.player_id, t.id`,
    [drawId, playerIds],
  );
  const byPlayer = new Map<number, PlayerWinnings>();
  for (const r of rows) {
    const playerId = Number(r.player_id);
    let w = byPlayer.get(playerId);
    if (!w) byPlayer.set(playerId, (w = { playerId, tickets: [], totalMinor: 0 }));
    w.tickets.push({ rowId: Number(r.id), amountMinor: Number(r.amount_minor), held: r.held });
    w.totalMinor += Number(r.amount_minor);
  }
  return [...byPlayer.values()];
}
