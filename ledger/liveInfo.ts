// ledger/liveInfo.ts — the reads behind a draw's live display beyond its tally
// (actors/LiveInfo.ts): the game's rollover and the combinations sold out.
import type pg from 'pg';

/** What the game's rollover account holds now: the next settlement's rollover in (0 before any). */
export async function rolloverBalance(pool: pg.Pool, gameId: string): Promise<number> {
  const { rows } = await pool.query(`select balance_minor from accounts where code = $1 and kind = 'jackpot_rollover'`, [`rollover:${gameId}`]);
  return rows.length === 0 ? 0 : Number(rows[0].balance_minor);
}

/**
 * The draw's combinations that cannot take even the smallest bet on them any more: what is
 * sold on them plus `smallestPayoutOn(combination)` passes their cap (migration 010). The
 * candidates are read by the largest such payout (served by the primary key) and judged one
 * by one, as the least a bet adds differs by combination (a pick-3 pair takes more than a
 * combination of three digits).
 */
export async function soldOutCombinations(
  pool: pg.Pool,
  drawId: number,
  liability: { smallestPayoutOn(combination: string): number | undefined; smallestPayoutMaxMinor: number },
  limit: number,
): Promise<string[]> {
  const { rows } = await pool.query(
    `select combination, payout_minor, cap_minor from draw_liabilities where draw_id = $1 and payout_minor + $2 > cap_minor order by combination`,
    [drawId, liability.smallestPayoutMaxMinor],
  );
  const soldOut: string[] = [];
  for (const r of rows) {
    if (soldOut.length >= limit) break;
    const least = liability.smallestPayoutOn(r.combination);
    if (least !== undefined && Number(r.payout_minor) + least > Number(r.cap_minor)) soldOut.push(r.combination);
  }
  return soldOut;
}
