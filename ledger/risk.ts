// ledger/risk.ts — what the risk monitor (actors/RiskMonitor.ts) reads and writes: alerts
// (migration 022 risk_alerts), a player's betting frozen and lifted (migration 023), the
// addresses and devices accounts were seen from, and the few reads its slower rules need.
//
// An alert and the freeze it causes are one transaction: no alert says "froze the player"
// unless the player is frozen, and no player is frozen without the alert that explains why.
// Lifting a freeze is the review's transaction, for the same reason. The bet batch reads the
// freeze in the players row it already joins (ledger/bets.ts activitySql).
import crypto from 'node:crypto';
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { withTransaction } from './transaction.ts';

export type AlertSeverity = 'info' | 'warning' | 'critical';

/** An alert as a rule raised it, before it is stored. */
export interface AlertDraft {
  rule: string;
  severity: AlertSeverity;
  playerId: number | null;
  drawId: number | null;
  /** One alert per (rule, dedupeKey) while it stands: the same burst is not raised twice. */
  dedupeKey: string;
  details: Record<string, unknown>;
}

/** An alert as operators see it (the list route and the live `alert` message). */
export interface AlertView {
  alertId: number;
  rule: string;
  severity: AlertSeverity;
  /** The player's public id, or null for a rule about a draw or many accounts. */
  player: string | null;
  draw: string | null;
  details: Record<string, unknown>;
  status: 'open' | 'dismissed' | 'confirmed';
  raisedAt: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
  /** True while the player's betting is frozen because of this alert. */
  frozeBetting: boolean;
}

const ALERT_COLUMNS = `a.id, a.rule, a.severity, p.public_id as player, d.public_id as draw, a.details, a.status, a.raised_at,
       a.reviewed_by, a.reviewed_at, a.review_note, coalesce(p.betting_frozen_alert_id = a.id, false) as froze_betting`;

function alertView(r: Record<string, any>): AlertView {
  return {
    alertId: Number(r.id),
    rule: r.rule,
    severity: r.severity,
    player: r.player ?? null,
    draw: r.draw ?? null,
    details: r.details,
    status: r.status,
    raisedAt: new Date(r.raised_at).toISOString(),
    reviewedBy: r.reviewed_by,
    reviewedAt: r.reviewed_at === null ? null : new Date(r.reviewed_at).toISOString(),
    reviewNote: r.review_note,
    frozeBetting: r.froze_betting === true,
  };
}

/**
 * Stores an alert unless one stands for its (rule, dedupe key); with `freeze`, also freezes
 * the player's betting (unless frozen already), in the same transaction. Null: a duplicate.
 */
export async function recordAlert(pool: pg.Pool, draft: AlertDraft, freeze: boolean): Promise<AlertView | null> {
  invariant(!freeze || draft.playerId !== null, () => `rule ${draft.rule} freezes without a player`);
  return withTransaction(pool, async (client) => {
    const inserted = await client.query(
      `insert into risk_alerts (rule, severity, player_id, draw_id, details, dedupe_key)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (rule, dedupe_key) do nothing
       returning id`,
      [draft.rule, draft.severity, draft.playerId, draft.drawId, JSON.stringify(draft.details), draft.dedupeKey],
    );
    if (inserted.rowCount === 0) return null;
    const alertId = Number(inserted.rows[0].id);
    if (freeze) await freezeBetting(client, draft.playerId!, alertId, 'risk', `alert ${alertId}: ${draft.rule}`);
    const { rows } = await client.query(
      `select ${ALERT_COLUMNS} from risk_alerts a left join players p on p.id = a.player_id left join draws d on d.id = a.draw_id where a.id = $1`,
      [alertId],
    );
    return alertView(rows[0]);
  });
}

/** Freezes a player's betting for `alertId` unless it is frozen already (the first alert keeps it). */
async function freezeBetting(client: pg.ClientBase, playerId: number, alertId: number, actor: string, reason: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `update players set betting_frozen_at = clock_timestamp(), betting_frozen_alert_id = $2 where id = $1 and betting_frozen_at is null`,
    [playerId, alertId],
  );
  if (rowCount === 0) return false;
  await client.query(`insert into betting_freezes (player_id, action, alert_id, actor, reason) values ($1, 'freeze', $2, $3, $4)`, [playerId, alertId, actor, reason]);
  return true;
}

export type ReviewDecision = 'dismiss' | 'confirm';

export type ReviewOutcome =
  | { outcome: 'reviewed'; alert: AlertView; unfrozePlayerId: number | null }
  | { outcome: 'unknown' }
  | { outcome: 'already_reviewed'; status: string };

/**
 * An operator's review of an open alert. Dismissing lifts the freeze this alert caused (not
 * one another alert caused); confirming keeps it, for whoever handles the account next.
 */
export async function reviewAlert(pool: pg.Pool, alertId: number, review: { decision: ReviewDecision; operator: string; note: string }): Promise<ReviewOutcome> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(`select status, player_id from risk_alerts where id = $1 for update`, [alertId]);
    if (rows.length === 0) return { outcome: 'unknown' };
    if (rows[0].status !== 'open') return { outcome: 'already_reviewed', status: rows[0].status };
    const playerId = rows[0].player_id === null ? null : Number(rows[0].player_id);
    const status = review.decision === 'dismiss' ? 'dismissed' : 'confirmed';
    await client.query(`update risk_alerts set status = $2, reviewed_by = $3, reviewed_at = clock_timestamp(), review_note = $4 where id = $1`, [
      alertId,
      status,
      review.operator,
      review.note,
    ]);
    let unfrozePlayerId: number | null = null;
    if (review.decision === 'dismiss' && playerId !== null) {
      const lifted = await client.query(
        `update players set betting_frozen_at = null, betting_frozen_alert_id = null where id = $1 and betting_frozen_alert_id = $2`,
        [playerId, alertId],
      );
      if (lifted.rowCount === 1) {
        await client.query(`insert into betting_freezes (player_id, action, alert_id, actor, reason) values ($1, 'unfreeze', $2, $3, $4)`, [
          playerId,
          alertId,
          review.operator,
          `alert ${alertId} dismissed: ${review.note}`,
        ]);
        unfrozePlayerId = playerId;
      }
    }
    const view = await client.query(
      `select ${ALERT_COLUMNS} from risk_alerts a left join players p on p.id = a.player_id left join draws d on d.id = a.draw_id where a.id = $1`,
      [alertId],
    );
    return { outcome: 'reviewed', alert: alertView(view.rows[0]), unfrozePlayerId };
  });
}

/** Alerts newest first, filtered, a page at a time: `beforeId` is the last alert id of the previous page. */
export async function listAlerts(pool: pg.Pool, q: { status?: string; rule?: string; limit: number; beforeId?: number }): Promise<AlertView[]> {
  invariant(Number.isSafeInteger(q.limit) && q.limit >= 1, () => `alert page of ${q.limit}`);
  const { rows } = await pool.query(
    `select ${ALERT_COLUMNS}
       from risk_alerts a left join players p on p.id = a.player_id left join draws d on d.id = a.draw_id
      where ($1::text is null or a.status = $1) and ($2::text is null or a.rule = $2) and ($3::int8 is null or a.id < $3)
      order by a.id desc
      limit $4`,
    [q.status ?? null, q.rule ?? null, q.beforeId ?? null, q.limit],
  );
  return rows.map(alertView);
}

// ---- Sightings: addresses and devices ------------------------------------------------------

export type SightingKind = 'address' | 'device';

/**
 * What is stored of an address or a device fingerprint: its SHA-256 under a label of its
 * kind. The rules need only equality; a hash keeps the raw fingerprint out of the ledger.
 * (An IPv4 address hashed without a key can be recovered by trying all 2^32: a keyed hash
 * would stop that, at the cost of a key to keep.)
 */
export function sightingHash(kind: SightingKind, value: string): Buffer {
  return crypto.createHash('sha256').update(`lottery-risk-${kind}\0${value}`).digest();
}

/**
 * Records that `playerId` was seen with this address or device and answers how many accounts
 * were seen with it since `sinceMs`, and up to `listedMax` of their public ids (oldest accounts first).
 */
export async function recordSighting(
  pool: pg.Pool,
  s: { kind: SightingKind; hash: Buffer; playerId: number; atMs: number; sinceMs: number; listedMax: number },
): Promise<{ accounts: number; players: string[] }> {
  const { rows } = await pool.query(
    `with seen as (
       insert into risk_sightings (kind, value_hash, player_id, first_at, last_at)
       values ($1, $2, $3, to_timestamp($4::double precision / 1000), to_timestamp($4::double precision / 1000))
       on conflict (kind, value_hash, player_id) do update set last_at = excluded.last_at
       returning player_id
     ), others as (
       select player_id from risk_sightings
        where kind = $1 and value_hash = $2 and player_id <> $3 and last_at >= to_timestamp($5::double precision / 1000)
     )
     select (select count(*) from others)::int8 + 1 as accounts,
            (select array_agg(p.public_id order by p.id) from players p
              where p.id in (select player_id from (select player_id from others union all select $3::int8 order by 1 limit $6) x)) as ids`,
    [s.kind, s.hash, s.playerId, s.atMs, s.sinceMs, s.listedMax],
  );
  return { accounts: Number(rows[0].accounts), players: rows[0].ids ?? [] };
}

/** Forgets sightings not repeated since `beforeMs`: the shared-account rules look back no further. */
export async function sweepSightings(pool: pg.Pool, beforeMs: number): Promise<number> {
  const { rowCount } = await pool.query(`delete from risk_sightings where last_at < to_timestamp($1::double precision / 1000)`, [beforeMs]);
  return rowCount ?? 0;
}

/** The public ids of players by row id, in the order given (the hot path knows only row ids). */
export async function publicIdsOf(pool: pg.Pool, playerIds: readonly number[]): Promise<string[]> {
  const { rows } = await pool.query(
    `select p.public_id from unnest($1::int8[]) with ordinality as k(id, ord) join players p on p.id = k.id order by k.ord`,
    [playerIds],
  );
  return rows.map((r) => r.public_id);
}

// ---- Reads for the deposit and win-rate rules ----------------------------------------------

/** The player's completed deposits since `sinceMs` with an amount in [lowMinor, highMinor). */
export async function depositsInBand(pool: pg.Pool, playerId: number, band: { lowMinor: number; highMinor: number; sinceMs: number }): Promise<{ count: number; totalMinor: number }> {
  const { rows } = await pool.query(
    `select count(*)::int8 as n, coalesce(sum(amount_minor), 0)::int8 as total from deposits
      where player_id = $1 and status = 'completed' and completed_at >= to_timestamp($2::double precision / 1000)
        and amount_minor >= $3 and amount_minor < $4`,
    [playerId, band.sinceMs, band.lowMinor, band.highMinor],
  );
  return { count: Number(rows[0].n), totalMinor: Number(rows[0].total) };
}

/** One player's tickets in settled draws of the window, of one game, bet type and line count. */
export interface TicketRecordGroup {
  playerId: number;
  gameId: string;
  betType: string;
  lineCount: number;
  tickets: number;
  winningTickets: number;
  stakeMinor: number;
  prizeMinor: number;
}

/**
 * For up to `playersMax` winners of `drawId` (the largest prizes first), their tickets in
 * draws settled since `sinceMs`, grouped: what the win-rate rule weighs against the odds.
 */
export async function winnerRecords(pool: pg.Pool, drawId: number, sinceMs: number, playersMax: number): Promise<TicketRecordGroup[]> {
  const { rows } = await pool.query(
    `with winners as (
       select t.player_id from ticket_prizes tp join tickets t on t.id = tp.ticket_id
        where tp.draw_id = $1 group by t.player_id order by sum(tp.amount_minor) desc limit $3
     )
     select t.player_id, d.game_id, t.bet_type, t.line_count, count(*)::int8 as tickets, count(tp.ticket_id)::int8 as winning,
            sum(t.cost_minor)::int8 as stake, coalesce(sum(tp.amount_minor), 0)::int8 as prize
       from winners w
       join tickets t on t.player_id = w.player_id
       join draws d on d.id = t.draw_id and d.status = 'settled' and d.settled_at >= to_timestamp($2::double precision / 1000)
       left join ticket_prizes tp on tp.ticket_id = t.id
      group by t.player_id, d.game_id, t.bet_type, t.line_count`,
    [drawId, sinceMs, playersMax],
  );
  return rows.map((r) => ({
    playerId: Number(r.player_id),
    gameId: r.game_id,
    betType: r.bet_type,
    lineCount: Number(r.line_count),
    tickets: Number(r.tickets),
    winningTickets: Number(r.winning),
    stakeMinor: Number(r.stake),
    prizeMinor: Number(r.prize),
  }));
}
