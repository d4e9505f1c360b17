// ledger/prizeHolds.ts — prizes held for review (issue 14, migration 020). Settlement pays a
// prize at or above its winner's jurisdiction's review threshold into prizes_held, with a
// prize_holds row (ledger/settleSets.ts payWonSql); an operator then releases it to the wallet,
// less the tax the jurisdiction withholds (into tax_liability, recorded on the row for the tax
// report), or forfeits it to the house. Once: the row is locked and must still be 'held'.
import type pg from 'pg';
import type { Jurisdiction } from '../games/jurisdictions.ts';
import { lockAccounts, moveMoney, systemAccountId } from './payments.ts';
import { withTransaction } from './transaction.ts';

/**
 * Copies the prize rules of the jurisdictions file into jurisdiction_prize_rules, where
 * settlement's SQL reads them; rules of jurisdictions no longer in the file are removed.
 * Every process does this at start, from the same file.
 */
export async function syncPrizeRules(pool: pg.Pool, jurisdictions: readonly Jurisdiction[]): Promise<void> {
  const ruled = jurisdictions.filter((j) => j.prizeReviewThresholdMinor !== null);
  await withTransaction(pool, async (client) => {
    await client.query(`delete from jurisdiction_prize_rules where not (jurisdiction = any($1::text[]))`, [ruled.map((j) => j.id)]);
    await client.query(
      `insert into jurisdiction_prize_rules (jurisdiction, review_threshold_minor, withholding_threshold_minor, withholding_basis_points)
       select * from unnest($1::text[], $2::int8[], $3::int8[], $4::int[])
       on conflict (jurisdiction) do update set review_threshold_minor = excluded.review_threshold_minor,
              withholding_threshold_minor = excluded.withholding_threshold_minor, withholding_basis_points = excluded.withholding_basis_points, updated_at = now()
        where (jurisdiction_prize_rules.review_threshold_minor, jurisdiction_prize_rules.withholding_threshold_minor, jurisdiction_prize_rules.withholding_basis_points)
              is distinct from (excluded.review_threshold_minor, excluded.withholding_threshold_minor, excluded.withholding_basis_points)`,
      [
        ruled.map((j) => j.id),
        ruled.map((j) => j.prizeReviewThresholdMinor),
        ruled.map((j) => j.taxWithholding?.thresholdMinor ?? null),
        ruled.map((j) => j.taxWithholding?.basisPoints ?? 0),
      ],
    );
  });
}

export interface PrizeHoldView {
  ticketRowId: number;
  drawId: string;
  player: string;
  jurisdiction: string;
  amountMinor: number;
  status: string;
  heldAt: string;
  taxMinor: number | null;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
}

export async function prizeHoldsIn(pool: pg.Pool, status: string, limit: number): Promise<PrizeHoldView[]> {
  const { rows } = await pool.query(
    `select h.*, d.public_id as draw, p.public_id as player from prize_holds h join draws d on d.id = h.draw_id join players p on p.id = h.player_id
      where h.status = $1 order by h.held_at, h.ticket_id limit $2`,
    [status, limit],
  );
  return rows.map((r) => ({
    ticketRowId: Number(r.ticket_id),
    drawId: r.draw,
    player: r.player,
    jurisdiction: r.jurisdiction,
    amountMinor: Number(r.amount_minor),
    status: r.status,
    heldAt: new Date(r.held_at).toISOString(),
    taxMinor: r.tax_minor === null ? null : Number(r.tax_minor),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at && new Date(r.decided_at).toISOString(),
    reason: r.reason,
  }));
}

export type PrizeReview =
  | { outcome: 'released'; playerId: number; amountMinor: number; taxMinor: number; paidMinor: number; balanceMinor: number }
  | { outcome: 'forfeited'; playerId: number; amountMinor: number }
  | { outcome: 'not_held'; status: string }
  | { outcome: 'unknown' };

/** An operator's decision on a held prize, applied once. */
export async function reviewPrize(pool: pg.Pool, ticketRowId: number, decision: { approve: boolean; operator: string; reason: string | null }, nowMs: number): Promise<PrizeReview> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `select h.player_id, h.amount_minor, a.id as wallet, r.withholding_threshold_minor, r.withholding_basis_points
         from prize_holds h join accounts a on a.player_id = h.player_id and a.kind = 'player_wallet'
         left join jurisdiction_prize_rules r on r.jurisdiction = h.jurisdiction
        where h.ticket_id = $1`,
      [ticketRowId],
    );
    if (rows.length === 0) return { outcome: 'unknown' };
    const r = rows[0];
    const [held, tax, house, wallet] = [
      await systemAccountId(client, 'prizes_held'),
      await systemAccountId(client, 'tax_liability'),
      await systemAccountId(client, 'house'),
      Number(r.wallet),
    ];
    const accounts = await lockAccounts(client, [held, decision.approve ? tax : house, wallet]);
    const { rows: locked } = await client.query(`select status from prize_holds where ticket_id = $1 for update`, [ticketRowId]);
    if (locked[0].status !== 'held') return { outcome: 'not_held', status: locked[0].status };
    const amountMinor = Number(r.amount_minor);
    const at = new Date(nowMs);
    if (!decision.approve) {
      const forfeitId = await moveMoney(client, { from: held, to: house, amountMinor, kind: 'prize_forfeit', atMs: nowMs });
      await client.query(
        `update prize_holds set status = 'forfeited', decided_by = $2, decided_at = $3, reason = $4, forfeit_transfer_id = $5 where ticket_id = $1`,
        [ticketRowId, decision.operator, at, decision.reason, forfeitId],
      );
      return { outcome: 'forfeited', playerId: Number(r.player_id), amountMinor };
    }
    // Tax in whole minor units, rounded down: the player is never charged a fraction more.
    const withheld = r.withholding_threshold_minor !== null && amountMinor >= Number(r.withholding_threshold_minor);
    const basisPoints = withheld ? Number(r.withholding_basis_points) : 0;
    const taxMinor = Math.floor((amountMinor * basisPoints) / 10_000);
    const paidMinor = amountMinor - taxMinor;
    const taxId = taxMinor > 0 ? await moveMoney(client, { from: held, to: tax, amountMinor: taxMinor, kind: 'tax', atMs: nowMs }) : null;
    const releaseId = await moveMoney(client, { from: held, to: wallet, amountMinor: paidMinor, kind: 'prize_release', atMs: nowMs });
    await client.query(
      `update prize_holds set status = 'released', decided_by = $2, decided_at = $3, reason = $4, tax_minor = $5, tax_basis_points = $6,
              release_transfer_id = $7, tax_transfer_id = $8
        where ticket_id = $1`,
      [ticketRowId, decision.operator, at, decision.reason, taxMinor, basisPoints, releaseId, taxId],
    );
    return { outcome: 'released', playerId: Number(r.player_id), amountMinor, taxMinor, paidMinor, balanceMinor: accounts.get(wallet)!.balanceMinor + paidMinor };
  });
}
