// ledger/draws.ts — draw rows: creation from schedules, status changes, totals.
import type pg from 'pg';
import type { PlannedDrawTimes } from '../games/calendar.ts';
import type { TierResult } from '../games/types.ts';
import { LEDGER_LONG_STATEMENT_MS_MAX } from '../core/limits.ts';
import { withTransaction } from './transaction.ts';

export type DrawStatus = 'scheduled' | 'open' | 'closed' | 'sealed' | 'drawn' | 'settled' | 'halted' | 'voided';

/** A draw as the ledger holds it: its planned identity and times, and all that followed. */
export interface DrawRow extends PlannedDrawTimes {
  id: number;
  status: DrawStatus;
  poolAccountId: number;
  /** Hex SHA-256 commitment to the operator's seed, published before sales open. */
  seedCommitment: string | null;
  beacon: { source: string; round: number } | null;
  seal: { ticketRoot: string; ticketCount: number; stakeTotalMinor: number; sealedAtMs: number } | null;
  numbers: number[][] | null;
  /**
   * The version of its tickets' records (draw/README.md §3), fixed at creation (migration
   * 011): what its receipts are signed over and its seal commits to.
   */
  leafVersion: 1 | 2;
  haltedReason: string | null;
  haltedAtMs: number | null;
  /** Voided by two operators (ledger/interventions.ts), and when its last refund was made. */
  voidedAtMs: number | null;
  voidRefundedAtMs: number | null;
  /** Settled draws only: what players were paid in all, when, and per tier (migration 004). */
  prizeTotalMinor: number | null;
  settledAtMs: number | null;
  /** Draws settled before migration 008 have tiers without kind and no flows (read as 0). */
  prizeTiers: (Partial<TierResult> & Pick<TierResult, 'name' | 'winningLines' | 'perLineMinor'>)[] | null;
  /** Settled draws only: the money flows of games/types.ts DrawSettlement (migration 008). */
  flows: { houseShareMinor: number; rolloverInMinor: number; rolloverOutMinor: number; houseInMinor: number } | null;
}

export interface NewDraw extends PlannedDrawTimes {
  /** The operator's seed commitment and the seed sealed under the seed key (draw/vault.ts). */
  seedCommitment: Uint8Array;
  seedSealed: Uint8Array;
  seedKeyId: string;
  beacon: { source: string; round: number } | null;
  /** Ticket record version for its receipts and seal (draw/encoding.ts LEAF_VERSION_CURRENT). */
  leafVersion: 1 | 2;
}

export const DRAW_COLUMNS = `id, public_id, game_id, to_char(business_date, 'YYYY-MM-DD') as business_date,
  open_at, cutoff_at, draw_at, status, pool_account_id, encode(seed_commitment, 'hex') as seed_commitment,
  beacon_source, beacon_round, encode(ticket_root, 'hex') as ticket_root, ticket_count, stake_total_minor, sealed_at,
  numbers, leaf_version, halted_reason, halted_at, voided_at, void_refunded_at, prize_total_minor, settled_at, prize_tiers, house_share_minor, rollover_in_minor, rollover_out_minor, house_in_minor`;

export function toDraw(r: any): DrawRow {
  return {
    id: r.id,
    publicId: r.public_id,
    gameId: r.game_id,
    businessDate: r.business_date,
    openAtMs: new Date(r.open_at).getTime(),
    cutoffAtMs: new Date(r.cutoff_at).getTime(),
    drawAtMs: new Date(r.draw_at).getTime(),
    status: r.status,
    poolAccountId: r.pool_account_id,
    seedCommitment: r.seed_commitment,
    beacon: r.beacon_source === null ? null : { source: r.beacon_source, round: r.beacon_round },
    seal:
      r.ticket_root === null
        ? null
        : { ticketRoot: r.ticket_root, ticketCount: r.ticket_count, stakeTotalMinor: r.stake_total_minor, sealedAtMs: new Date(r.sealed_at).getTime() },
    numbers: r.numbers,
    leafVersion: r.leaf_version,
    haltedReason: r.halted_reason,
    haltedAtMs: r.halted_at === null ? null : new Date(r.halted_at).getTime(),
    voidedAtMs: r.voided_at === null ? null : new Date(r.voided_at).getTime(),
    voidRefundedAtMs: r.void_refunded_at === null ? null : new Date(r.void_refunded_at).getTime(),
    prizeTotalMinor: r.prize_total_minor,
    settledAtMs: r.settled_at === null ? null : new Date(r.settled_at).getTime(),
    prizeTiers: r.prize_tiers,
    flows:
      r.settled_at === null
        ? null
        : { houseShareMinor: Number(r.house_share_minor), rolloverInMinor: Number(r.rollover_in_minor), rolloverOutMinor: Number(r.rollover_out_minor), houseInMinor: Number(r.house_in_minor) },
  };
}

/**
 * Creates the draw and its pool account unless a draw of that game at that draw time
 * exists. Safe to call from many processes at once: the unique key decides, and the
 * loser's pool account is rolled back to a savepoint. The existing draw is read on the
 * connection already held: asking the pool for another would wait forever on a pool of
 * one (embedded PGlite).
 */
export async function ensureDraw(pool: pg.Pool, d: NewDraw): Promise<{ draw: DrawRow; created: boolean }> {
  return withTransaction(pool, async (client) => {
    // Rare (once per draw), so a round trip of its own is no cost.
    await client.query('savepoint before_draw');
    const { rows } = await client.query(
      `with pool_account as (
         insert into accounts (kind) values ('draw_pool') returning id
       )
       insert into draws (public_id, game_id, business_date, open_at, cutoff_at, draw_at, pool_account_id,
                          seed_commitment, seed_sealed, seed_key_id, beacon_source, beacon_round, leaf_version)
       select $1, $2, $3, $4, $5, $6, id, $7, $8, $9, $10, $11, $12 from pool_account
       on conflict do nothing
       returning ${DRAW_COLUMNS}`,
      newDrawValues(d),
    );
    if (rows.length === 1) return { draw: toDraw(rows[0]), created: true };
    return { draw: await existingDraw(client, d), created: false };
  });
}

function newDrawValues(d: NewDraw): unknown[] {
  return [
    d.publicId,
    d.gameId,
    d.businessDate,
    new Date(d.openAtMs),
    new Date(d.cutoffAtMs),
    new Date(d.drawAtMs),
    Buffer.from(d.seedCommitment),
    Buffer.from(d.seedSealed),
    d.seedKeyId,
    d.beacon?.source ?? null,
    d.beacon?.round ?? null,
    d.leafVersion,
  ];
}

/** Someone else created the draw: drop our orphan pool account, and read theirs. */
async function existingDraw(client: pg.PoolClient, d: NewDraw): Promise<DrawRow> {
  await client.query('rollback to savepoint before_draw');
  const existing = await client.query(`select ${DRAW_COLUMNS} from draws where game_id = $1 and draw_at = $2`, [d.gameId, new Date(d.drawAtMs)]);
  if (existing.rows.length !== 1 || existing.rows[0].public_id !== d.publicId) {
    throw new Error(`draw ${d.publicId} conflicts with draw ${existing.rows[0]?.public_id ?? '(another key)'} of the same game and draw time`);
  }
  return toDraw(existing.rows[0]);
}

export async function drawById(pool: pg.Pool, id: number): Promise<DrawRow | null> {
  const { rows } = await pool.query(`select ${DRAW_COLUMNS} from draws where id = $1`, [id]);
  return rows.length === 1 ? toDraw(rows[0]) : null;
}

export async function drawByPublicId(pool: pg.Pool, publicId: string): Promise<DrawRow | null> {
  const { rows } = await pool.query(`select ${DRAW_COLUMNS} from draws where public_id = $1`, [publicId]);
  return rows.length === 1 ? toDraw(rows[0]) : null;
}

/** Draws of a game from `fromMs` on (by draw time), soonest first. */
export async function listDraws(pool: pg.Pool, gameId: string, fromMs: number, limit: number): Promise<DrawRow[]> {
  const { rows } = await pool.query(
    `select ${DRAW_COLUMNS} from draws where game_id = $1 and draw_at >= $2 order by draw_at limit $3`,
    [gameId, new Date(fromMs), limit],
  );
  return rows.map(toDraw);
}

/** Opens scheduled draws whose open time has come (by the database clock); one draw if `drawId` is given. */
export async function openDueDraws(pool: pg.Pool, drawId?: number): Promise<string[]> {
  const { rows } = await pool.query<{ public_id: string }>(
    `update draws set status = 'open'
      where status = 'scheduled' and open_at <= clock_timestamp() and cutoff_at > clock_timestamp()
        and ($1::int8 is null or id = $1)
      returning public_id`,
    [drawId ?? null],
  );
  return rows.map((r) => r.public_id);
}

/**
 * Closes open draws whose cutoff plus grace has passed (one draw if `drawId` is given). The
 * UPDATE waits for every batch holding the draw FOR SHARE, and no batch can insert into it
 * afterwards: the third layer of the cutoff fence. A draw nobody opened in time (every
 * process was down) closes too, straight from scheduled, and is sealed empty.
 */
export async function closeDueDraws(pool: pg.Pool, graceMs: number, drawId?: number): Promise<string[]> {
  const { rows } = await pool.query<{ public_id: string }>(
    `update draws set status = 'closed', closed_at = clock_timestamp()
      where status in ('scheduled', 'open') and cutoff_at + make_interval(secs => $1::double precision / 1000) <= clock_timestamp()
        and ($2::int8 is null or id = $2)
      returning public_id`,
    [graceMs, drawId ?? null],
  );
  return rows.map((r) => r.public_id);
}

/**
 * Draws that need a leader now: not finished, and opening within `horizonMs` (or already
 * past it), soonest first. Ordered and bounded so every process tries the same ones.
 */
export async function drawsToLead(pool: pg.Pool, horizonMs: number, limit: number): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>(
    `select id from draws
      where (status in ('scheduled', 'open', 'closed', 'sealed', 'drawn') or (status = 'voided' and void_refunded_at is null))
        and open_at <= clock_timestamp() + make_interval(secs => $1::double precision / 1000)
      order by draw_at, id limit $2`,
    [horizonMs, limit],
  );
  return rows.map((r) => Number(r.id));
}

export interface DrawTotals {
  ticketCount: number;
  stakeMinor: number;
  /** How many lines picked each number: [number, count] pairs, ascending. */
  numberCounts: [number, number][];
  /** The snapshot the totals were read in (pg_current_snapshot() text, "xmin:xmax:xip,..."). */
  snapshot: string;
}

/**
 * Totals straight from the ledger, with the snapshot they were read in: what live totals
 * start from. A later commit is already counted here exactly when its transaction is
 * visible in that snapshot (see `visibleInSnapshot`).
 */
export async function drawTotals(pool: pg.Pool, drawId: number): Promise<DrawTotals> {
  // One statement, so the totals, the per-number counts and the snapshot all agree. It
  // reads every ticket of the draw, which for a big draw outlasts the pool's request bound.
  const sql = `with t as (select cost_minor, lines from tickets where draw_id = $1 and refunded_at is null),
          n as (select e.n::int as number, count(*)::int8 as lines
                  from t, jsonb_array_elements(t.lines) l(line), jsonb_array_elements_text(l.line) e(n)
                 group by 1)
     select (select count(*) from t)::int8 as n,
            (select coalesce(sum(cost_minor), 0) from t)::int8 as stake,
            (select coalesce(json_agg(json_build_array(number, lines) order by number), '[]'::json) from n) as numbers,
            pg_current_snapshot()::text as snapshot`;
  const { rows } = await withTransaction(pool, (client) => client.query(sql, [drawId]), {
    readOnly: true,
    statementTimeoutMs: LEDGER_LONG_STATEMENT_MS_MAX,
  });
  const r = rows[0];
  return { ticketCount: r.n, stakeMinor: r.stake, numberCounts: r.numbers, snapshot: r.snapshot };
}

/** Parsed pg_snapshot: transactions below xmin are finished, at or above xmax not yet started. */
export interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  inProgress: Set<bigint>;
}

export function parseSnapshot(text: string): Snapshot {
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(text);
  if (!m) throw new Error(`not a pg_snapshot: ${text}`);
  return { xmin: BigInt(m[1]), xmax: BigInt(m[2]), inProgress: new Set(m[3] ? m[3].split(',').map(BigInt) : []) };
}

/** Whether a (committed) transaction's writes are visible in the snapshot: pg_visible_in_snapshot's rule. */
export function visibleInSnapshot(xid: bigint, snapshot: Snapshot): boolean {
  if (xid < snapshot.xmin) return true;
  if (xid >= snapshot.xmax) return false;
  return !snapshot.inProgress.has(xid);
}

/**
 * What the alert rules watch (core/metrics.ts observeProcess): how long past cutoff the oldest
 * draw still not closed is, how long past draw time the oldest draw still not drawn is
 * (halted ones aside: they are counted on their own), and how many are halted.
 */
export async function drawsOverdue(pool: pg.Pool): Promise<{ closeSeconds: number; drawSeconds: number; halted: number }> {
  const { rows } = await pool.query(
    `select coalesce(extract(epoch from clock_timestamp() - min(cutoff_at) filter (where status in ('scheduled', 'open'))), 0)::float8 as close_s,
            coalesce(extract(epoch from clock_timestamp() - min(draw_at) filter (where status in ('closed', 'sealed'))), 0)::float8 as draw_s,
            count(*) filter (where status = 'halted')::int4 as halted
       from draws
      where (status in ('scheduled', 'open') and cutoff_at < clock_timestamp())
         or (status in ('closed', 'sealed') and draw_at < clock_timestamp())
         or status = 'halted'`,
  );
  return { closeSeconds: Math.max(0, rows[0].close_s), drawSeconds: Math.max(0, rows[0].draw_s), halted: rows[0].halted };
}
