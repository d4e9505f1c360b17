// ledger/liveInfo.ts — the reads behind a draw's live display beyond its tally
// (actors/LiveInfo.ts): the game's rollover and the combinations sold out.
import type pg from 'pg';

/** What the game's rollover account holds now: the next settlement's rollover in (0 before any). */
export async function rolloverBalance(pool: pg.Pool, gameId: string): Promise<number> {
  const { rows } = await pool.query(`select balance_minor from accounts where code = $1 and kind = 'jackpot_rollover'`, [`rollover:${gameId}`]);
  return rows.length === 0 ? 0 : Number(rows[0].balance_minor);
}

/**
 * The draw's combinations that cannot take even the smallest bet any more: what is sold on
 * them plus `smallestPayoutMinor` passes their cap (migration 010). Served by the primary key.
 */
export async function soldOutCombinations(pool: pg.Pool, drawId: number, smallestPayoutMinor: number, limit: number): Promise<string[]> {
  const { rows } = await pool.query(
    `select combination from draw_liabilities where draw_id = $1 and payout_minor + $2 > cap_minor order by combination limit $3`,
    [drawId, smallestPayoutMinor, limit],
  );
  return rows.map((r) => r.combination as string);
}
