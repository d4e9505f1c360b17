// ledger/drawSteps.ts — the rows behind sealing and drawing a draw (actors/DrawScheduler.ts
// decides when; draw/ computes). Each step locks its draw row and moves its status
// forward in one transaction, so it happens once however many processes try it.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { DRAW_COLUMNS, toDraw, type DrawRow } from './draws.ts';

/**
 * Draws whose next step is due, by the database clock: closed ones to seal, sealed ones
 * past draw time, drawn ones to settle.
 */
export async function drawsDue(pool: pg.Pool): Promise<{ toSeal: number[]; toDraw: number[]; toSettle: number[] }> {
  const { rows } = await pool.query<{ id: number; status: string }>(
    `select id, status from draws
      where status in ('closed', 'drawn') or (status = 'sealed' and draw_at <= clock_timestamp())
      order by draw_at, id limit 100`,
  );
  return {
    toSeal: rows.filter((r) => r.status === 'closed').map((r) => r.id),
    toDraw: rows.filter((r) => r.status === 'sealed').map((r) => r.id),
    toSettle: rows.filter((r) => r.status === 'drawn').map((r) => r.id),
  };
}

/** A draw locked for a step: its public row plus the secrets only the draw step reads. */
export interface LockedDrawStep extends DrawRow {
  seedSealed: Uint8Array;
  seedKeyId: string;
  beaconValue: Uint8Array | null;
}

/** Locks the draw if it is in `status` (skipping it if another process holds it). */
export async function lockDrawInStatus(client: pg.PoolClient, drawId: number, status: 'closed' | 'sealed' | 'drawn'): Promise<LockedDrawStep | null> {
  const { rows } = await client.query(
    `select ${DRAW_COLUMNS}, seed_sealed, seed_key_id, beacon_value
       from draws where id = $1 and status = $2 for no key update skip locked`,
    [drawId, status],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    ...toDraw(r),
    seedSealed: new Uint8Array(r.seed_sealed),
    seedKeyId: r.seed_key_id,
    beaconValue: r.beacon_value && new Uint8Array(r.beacon_value),
  };
}

export interface TicketRow {
  id: number;
  playerPublicId: string;
  betType: string;
  /** The stake of one line (migration 007). */
  stakeMinor: number;
  lines: number[][];
  costMinor: number;
  receivedAtMs: number;
}

// A draw's tickets, wherever the seal, the raffle or settlement reads them, are those not
// refunded (tickets.refunded_at null, migration 019): a ticket bought in advance and refunded
// before its draw opened (ledger/refunds.ts) is not in the sealed list.

/**
 * Tickets of a draw in ledger order (row id), a page at a time: a draw can hold millions.
 * Ordered by (draw_id, id), the key of tickets_draw, so every page is a range of that index
 * whatever the planner's statistics say: the draws of several games sell at once, and a walk
 * of the primary key would step over every other game's tickets (and just after a surge
 * the statistics are stale).
 */
export async function ticketPage(client: pg.Pool | pg.ClientBase, drawId: number, afterId: number, limit: number): Promise<TicketRow[]> {
  const { rows } = await client.query(
    `select t.id, p.public_id as player, t.bet_type, t.stake_minor, t.lines, t.cost_minor, (extract(epoch from t.received_at) * 1000)::int8 as received_ms
       from tickets t join players p on p.id = t.player_id
      where t.draw_id = $1 and t.id > $2 and t.refunded_at is null
      order by t.draw_id, t.id limit $3`,
    [drawId, afterId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    playerPublicId: r.player,
    betType: r.bet_type,
    stakeMinor: Number(r.stake_minor),
    lines: r.lines,
    costMinor: r.cost_minor,
    receivedAtMs: r.received_ms,
  }));
}

/**
 * The row ids of the tickets at these 1-based positions of a draw's ledger order (row id,
 * which is the sealed list's canonical order): a raffle's winners. One index-only pass over
 * the draw's tickets, whatever their number, less the few refunded (a hashed list); positions
 * past the last ticket are left out.
 */
export async function ticketIdsAtPositions(client: pg.ClientBase, drawId: number, positions: readonly number[]): Promise<Map<number, number>> {
  const { rows } = await client.query(
    `select pos, id from (select id, row_number() over (order by id) as pos from tickets
                           where draw_id = $1 and id not in (select ticket_id from ticket_refunds where draw_id = $1)) ranked
      where pos = any($2::int8[])`,
    [drawId, positions],
  );
  return new Map(rows.map((r) => [Number(r.pos), Number(r.id)]));
}

/**
 * Every ticket of a draw in ledger order, a page at a time, through one cursor: one scan of
 * the draw's tickets however many pages (keyset pages each plan and start a scan again, and
 * with the statistics stale after a surge each may sort the rest of the draw). `client`
 * must be in a transaction (the seal's).
 */
export async function forEachTicketPage(client: pg.ClientBase, drawId: number, pageSize: number, take: (page: TicketRow[]) => void): Promise<void> {
  invariant(Number.isSafeInteger(drawId) && Number.isSafeInteger(pageSize) && pageSize > 0, 'draw id and page size must be integers');
  await client.query(
    `declare draw_tickets no scroll cursor for
       select t.id, p.public_id as player, t.bet_type, t.stake_minor, t.lines, t.cost_minor, (extract(epoch from t.received_at) * 1000)::int8 as received_ms
         from tickets t join players p on p.id = t.player_id
        where t.draw_id = ${drawId} and t.refunded_at is null
        order by t.draw_id, t.id`,
  );
  try {
    for (;;) {
      const { rows } = await client.query(`fetch ${pageSize} from draw_tickets`);
      take(rows.map((r) => ({ id: r.id, playerPublicId: r.player, betType: r.bet_type, stakeMinor: Number(r.stake_minor), lines: r.lines, costMinor: r.cost_minor, receivedAtMs: r.received_ms })));
      if (rows.length < pageSize) return;
    }
  } finally {
    await client.query('close draw_tickets');
  }
}

/**
 * Records the seal. Pair assertion against the ledger: the count and stake total the
 * Merkle tree was built from must equal the tickets and the pool balance in the database.
 */
export async function markSealed(client: pg.PoolClient, draw: LockedDrawStep, root: Uint8Array, count: number, stakeTotalMinor: number): Promise<void> {
  const { rows } = await client.query(
    `select (select count(*) from tickets where draw_id = $1 and id not in (select ticket_id from ticket_refunds where draw_id = $1))::int8 as n,
            (select balance_minor from accounts where id = $2)::int8 as pool`,
    [draw.id, draw.poolAccountId],
  );
  invariant(rows[0].n === count, `draw ${draw.publicId}: sealed ${count} tickets, the ledger holds ${rows[0].n}`);
  invariant(rows[0].pool === stakeTotalMinor, `draw ${draw.publicId}: sealed stake ${stakeTotalMinor}, the pool holds ${rows[0].pool}`);
  const updated = await client.query(
    `update draws set status = 'sealed', ticket_root = $2, ticket_count = $3, stake_total_minor = $4, sealed_at = clock_timestamp()
      where id = $1 and status = 'closed'`,
    [draw.id, Buffer.from(root), count, stakeTotalMinor],
  );
  invariant(updated.rowCount === 1, `draw ${draw.publicId} changed status while being sealed`);
}

export interface AuditorRow {
  name: string;
  commitment: Uint8Array;
  seed: Uint8Array | null;
}

export async function drawAuditors(client: pg.ClientBase, drawId: number): Promise<AuditorRow[]> {
  const { rows } = await client.query(`select name, commitment, seed from draw_auditors where draw_id = $1 order by name`, [drawId]);
  return rows.map((r) => ({ name: r.name, commitment: new Uint8Array(r.commitment), seed: r.seed && new Uint8Array(r.seed) }));
}

export async function saveBeaconValue(client: pg.PoolClient, drawId: number, value: Uint8Array): Promise<void> {
  await client.query(`update draws set beacon_value = $2 where id = $1 and beacon_value is null`, [drawId, Buffer.from(value)]);
}

export async function markDrawn(client: pg.PoolClient, drawId: number, numbers: number[][], proof: unknown): Promise<void> {
  const updated = await client.query(
    `update draws set status = 'drawn', numbers = $2, proof = $3, drawn_at = clock_timestamp() where id = $1 and status = 'sealed'`,
    [drawId, JSON.stringify(numbers), JSON.stringify(proof)],
  );
  invariant(updated.rowCount === 1, `draw ${drawId} changed status while being drawn`);
}

/** Stops a draw for good: an operator must look at it. Never a silent fallback. */
export async function markHalted(client: pg.PoolClient, drawId: number, reason: string): Promise<void> {
  await client.query(
    `update draws set status = 'halted', halted_at = clock_timestamp(), halted_reason = $2 where id = $1 and status in ('closed', 'sealed')`,
    [drawId, reason.slice(0, 500)],
  );
}

export async function drawProof(pool: pg.Pool, publicId: string): Promise<{ status: string; proof: unknown } | null> {
  const { rows } = await pool.query(`select status, proof from draws where public_id = $1`, [publicId]);
  return rows.length === 1 ? { status: rows[0].status, proof: rows[0].proof } : null;
}

export type AuditorChange = 'ok' | 'no_draw' | 'too_late' | 'exists' | 'unknown_auditor' | 'too_early' | 'already_revealed';

/** An auditor's commitment is accepted only before the draw opens (by the database clock). */
export async function registerAuditor(pool: pg.Pool, publicId: string, name: string, commitment: Uint8Array): Promise<AuditorChange> {
  const { rows } = await pool.query(
    `with d as (select id, status, open_at > clock_timestamp() as before_open from draws where public_id = $1),
          ins as (insert into draw_auditors (draw_id, name, commitment)
                  select id, $2, $3 from d where status = 'scheduled' and before_open
                  on conflict do nothing returning 1)
     select (select count(*) from d)::int as found, (select bool_and(status = 'scheduled' and before_open) from d) as in_time,
            (select count(*) from ins)::int as inserted`,
    [publicId, name, Buffer.from(commitment)],
  );
  const r = rows[0];
  if (r.found === 0) return 'no_draw';
  if (!r.in_time) return 'too_late';
  return r.inserted === 1 ? 'ok' : 'exists';
}

/**
 * An auditor's seed is taken only once the draw is sealed (its tickets fixed) and before it
 * is drawn: an earlier reveal would let whoever still chooses tickets grind the outcome.
 */
export async function auditorForReveal(pool: pg.Pool, publicId: string, name: string): Promise<{ drawId: number; status: string; commitment: Uint8Array; revealed: boolean } | null> {
  const { rows } = await pool.query(
    `select d.id, d.status, a.commitment, a.seed is not null as revealed
       from draws d join draw_auditors a on a.draw_id = d.id where d.public_id = $1 and a.name = $2`,
    [publicId, name],
  );
  return rows.length === 1 ? { drawId: rows[0].id, status: rows[0].status, commitment: new Uint8Array(rows[0].commitment), revealed: rows[0].revealed } : null;
}

export async function saveAuditorSeed(pool: pg.Pool, drawId: number, name: string, seed: Uint8Array): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update draw_auditors a set seed = $3, revealed_at = clock_timestamp()
       from draws d
      where a.draw_id = $1 and a.name = $2 and a.seed is null and d.id = a.draw_id
        and (d.status = 'sealed' or (d.status = 'halted' and d.ticket_root is not null))`,
    [drawId, name, Buffer.from(seed)],
  );
  return rowCount === 1;
}

export async function auditorCommitments(pool: pg.Pool, drawIds: number[]): Promise<Map<number, { name: string; commitment: string }[]>> {
  const { rows } = await pool.query(
    `select draw_id, name, encode(commitment, 'hex') as commitment from draw_auditors where draw_id = any($1::int8[]) order by draw_id, name`,
    [drawIds],
  );
  const out = new Map<number, { name: string; commitment: string }[]>();
  for (const r of rows) {
    if (!out.has(r.draw_id)) out.set(r.draw_id, []);
    out.get(r.draw_id)!.push({ name: r.name, commitment: r.commitment });
  }
  return out;
}

/** Whether the draw time has come by the database's clock, whatever this process's clock says. */
export async function drawTimeReached(client: pg.ClientBase, drawAtMs: number): Promise<boolean> {
  const { rows } = await client.query<{ due: boolean }>('select clock_timestamp() >= $1::timestamptz as due', [new Date(drawAtMs)]);
  return rows[0].due;
}
