// ledger/bets.ts — one group-commit transaction for a batch of bets from all rooms.
//
// Order of work inside the transaction, and why:
//   1. (with BEGIN, in one message) draws FOR SHARE (id order): the fence. Closing a draw is an UPDATE, which waits
//      for us and after which no batch can see the draw open.
//   2. the players' wallets FOR NO KEY UPDATE in one statement, id order. Every ticket insert
//      holds its player's wallet lock, so concurrent batches (other processes) serialise
//      per player and never deadlock.
//   3. decide each bet against the locked balances (exact, per bet): decideBets in
//      ledger/betDecisions.ts, a pure function over what steps 1-2 read.
//   4. one statement inserts tickets and stake transfers and debits the wallets. The
//      ticket insert skips (player, request id) pairs that already exist; if it skipped
//      any, the transaction is rolled back and the batch redone with an explicit lookup
//      of the earlier tickets (the slow path: only retries pay for it).
//   5. lock and credit the draw pools last, once per batch, and COMMIT in the same
//      message: a second batch in flight does steps 1-4 while this one waits.
//
// Player protection (migration 013): step 2 also reads each player's activity row (limits
// in force, recent stakes and prizes) once their wallet is locked; step 3 refuses a bet that
// would cross a stake or loss limit (LIMIT_REACHED, ledger/playerActivity.ts), counting the
// bets accepted before it in the batch; step 4 writes the rows back with the new stakes. A
// pending limit change that has come into force is copied into the row first (rare).
//
// Fixed-odds bets (pick-3, pick-4) also carry their liability per number combination:
// step 2 creates and locks the batch's (draw, combination) rows of draw_liabilities
// (migration 010) right after the wallets, step 3 refuses a bet that would take one past
// its cap (SOLD_OUT), and step 5 adds the accepted bets' payouts before the commit. A
// batch without such bets sends nothing more.
//
// Lock order, for every transaction that moves money: player wallets first (ascending
// id), then liability rows (draw id, combination), then system accounts such as pools,
// house and clearing (ascending id). Accounts are
// locked FOR NO KEY UPDATE, never FOR UPDATE: inserting a transfer takes FOR KEY SHARE on
// both accounts (its foreign keys), which FOR UPDATE would conflict with, so two batches
// crediting one pool would deadlock on the lock upgrade.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { BET_BATCH_SIZE_MAX } from '../core/limits.ts';
import {
  assertBatchResults,
  betResults,
  decideBets,
  requestKey,
  type BatchDecision,
  type BetResult,
  type BetToWrite,
  type LiabilityAdd,
  type LockedDraw,
  type PriorTicket,
  type SoldLiability,
  liabilityKey,
} from './betDecisions.ts';
import { parseSeries, seriesLiteral, type ActivityRow } from './playerActivity.ts';
import { refreshLimitsSql } from './protection.ts';
import { rollbackAfter } from './transaction.ts';

export {
  advanceRequestId,
  requestIdConflict,
  sameBet,
  type BetIdentity,
  type BetRejectCode,
  type BetResult,
  type BetToWrite,
} from './betDecisions.ts';

/**
 * Writes one batch in one transaction on `client` (which the caller holds, and releases
 * destroyed if this throws: the transaction is rolled back when the connection allows).
 * Returns one result per bet, in order.
 */
export async function writeBetBatch(client: pg.PoolClient, bets: BetToWrite[], cutoffGraceMs: number): Promise<BetResult[]> {
  invariant(bets.length > 0, 'empty bet batch');
  invariant(bets.length <= BET_BATCH_SIZE_MAX, `bet batch of ${bets.length} exceeds ${BET_BATCH_SIZE_MAX}`);
  let results = await attempt(client, bets, cutoffGraceMs, false);
  if (results === 'duplicates') results = await attempt(client, bets, cutoffGraceMs, true);
  invariant(results !== 'duplicates', 'duplicate tickets after an explicit lookup');
  assertBatchResults(bets, results);
  return results;
}

async function attempt(
  client: pg.PoolClient,
  bets: BetToWrite[],
  cutoffGraceMs: number,
  lookUpExisting: boolean,
): Promise<BetResult[] | 'duplicates'> {
  try {
    return await readDecideWrite(client, bets, cutoffGraceMs, lookUpExisting);
  } catch (err) {
    await rollbackAfter(client, err);
    throw err;
  }
}

const NO_TICKETS: ReadonlyMap<string, PriorTicket> = new Map();

/**
 * Read (steps 1-2), decide (3), write (4-5). The fast path looks nothing up, trusting the
 * insert's conflict check to find repeats. A repeat that is refused (a resend after cutoff,
 * or with the funds since spent) never reaches the insert, so those few are looked up and
 * the batch decided again with what was found: a resend of a bought ticket returns that
 * ticket, whatever has changed since. Neither a refusal nor a duplicate debits anything,
 * so the other bets' decisions come out the same.
 */
async function readDecideWrite(
  client: pg.PoolClient,
  bets: BetToWrite[],
  cutoffGraceMs: number,
  lookUpExisting: boolean,
): Promise<BetResult[] | 'duplicates'> {
  const { draws, balances, liabilities, activity } = await beginAndLock(client, bets, cutoffGraceMs);
  const existing = lookUpExisting ? await existingTickets(client, bets) : NO_TICKETS;
  let batch = decideBets(bets, { draws, balances, existing, liabilities, activity });
  if (!lookUpExisting && batch.refusedCount > 0) {
    const refused = bets.filter((_, i) => batch.decisions[i].outcome === 'refused');
    const found = await existingTickets(client, refused);
    if (found.size > 0) batch = decideBets(bets, { draws, balances, existing: found, liabilities, activity });
  }
  if (batch.accepted.length === 0) {
    await client.query('commit');
    return betResults(bets, batch, [], undefined);
  }
  const rowIds = await insertTicketsAndDebit(client, bets, batch);
  if (rowIds === null) {
    invariant(!lookUpExisting, 'ticket insert skipped a request the lookup did not find');
    await client.query('rollback');
    return 'duplicates';
  }
  const xid = await creditPoolsAndCommit(client, batch.poolCredits, batch.liabilityAdds);
  return betResults(bets, batch, rowIds, xid);
}

/**
 * A Postgres array literal of integers, for the statements below that travel in one
 * simple-protocol message (which takes no parameters). Only integers we produced reach
 * here, and each is checked, so nothing a client sent is ever spliced into SQL.
 */
function intArrayLiteral(values: Iterable<number>): string {
  const list = [...values];
  for (const v of list) invariant(Number.isSafeInteger(v), () => `not an integer: ${v}`);
  return `'{${list.join(',')}}'::int8[]`;
}

/**
 * Round trip 1: begin, take the fence (draws FOR SHARE) and the wallets, in one message.
 * A batch makes three round trips in all; under load each one can wait a turn of a busy
 * event loop, so their number matters more than their size.
 */
async function beginAndLock(
  client: pg.PoolClient,
  bets: BetToWrite[],
  cutoffGraceMs: number,
): Promise<{
  draws: Map<number, LockedDraw>;
  balances: Map<number, number>;
  liabilities: Map<string, SoldLiability>;
  activity: { rows: Map<number, ActivityRow>; nowMs: number };
}> {
  invariant(Number.isSafeInteger(cutoffGraceMs), 'grace must be whole milliseconds');
  const drawIds = [...new Set(bets.map((b) => b.drawId))].sort((a, b) => a - b);
  const walletIds = [...new Set(bets.map((b) => b.walletAccountId))].sort((a, b) => a - b);
  const playerIds = [...new Set(bets.map((b) => b.playerId))];
  const nowMs = batchTimeMs(bets);
  const combinations = batchCombinations(bets);
  const results = (await client.query(
    `begin;
     select id, status, open_at, cutoff_at, pool_account_id,
            clock_timestamp() < cutoff_at + make_interval(secs => ${cutoffGraceMs}::double precision / 1000) as within_grace
       from draws where id = any(${intArrayLiteral(drawIds)}) order by id for share;
     select id, balance_minor from accounts where id = any(${intArrayLiteral(walletIds)}) order by id for no key update;
     ${activitySql(playerIds, nowMs)}
     ${combinations.length > 0 ? lockLiabilitiesSql(combinations) : ''}`,
  )) as unknown as pg.QueryResult[];
  invariant(Array.isArray(results) && results.length === (combinations.length > 0 ? 6 : 4), 'lock statements returned no results');
  const draws = new Map<number, LockedDraw>(
    results[1].rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        status: r.status,
        openAtMs: new Date(r.open_at).getTime(),
        cutoffAtMs: new Date(r.cutoff_at).getTime(),
        poolAccountId: Number(r.pool_account_id),
        withinGrace: r.within_grace,
      },
    ]),
  );
  const balances = new Map<number, number>(results[2].rows.map((r) => [Number(r.id), Number(r.balance_minor)]));
  const liabilities = new Map<string, SoldLiability>(
    combinations.length === 0
      ? []
      : results[5].rows.map((r) => [liabilityKey(Number(r.draw_id), r.combination), { soldMinor: Number(r.payout_minor), capMinor: Number(r.cap_minor) }]),
  );
  invariant(liabilities.size === combinations.length, `locked ${liabilities.size} liability rows, expected ${combinations.length}`);
  let activityRows = results[3].rows;
  if (activityRows.some((r) => r.stale)) {
    // A pending limit change has come into force since the row was last brought up to date
    // (rare: once per change). The wallets are locked, so no one else writes these rows.
    await client.query(refreshLimitsSql(playerIds, nowMs));
    activityRows = (await client.query(activitySql(playerIds, nowMs))).rows;
  }
  const rows = new Map<number, ActivityRow>(activityRows.map((r) => [Number(r.player_id), activityRow(r)]));
  invariant(rows.size === playerIds.length, () => `read ${rows.size} activity rows for ${playerIds.length} players`);
  return { draws, balances, liabilities, activity: { rows, nowMs } };
}

/** The time a batch counts its stakes at: its latest bet's arrival (the rooms' clock). */
function batchTimeMs(bets: readonly BetToWrite[]): number {
  let latest = 0;
  for (const bet of bets) if (bet.receivedAtMs > latest) latest = bet.receivedAtMs;
  invariant(Number.isSafeInteger(latest) && latest > 0, () => `batch time ${latest}`);
  return latest;
}

/**
 * The players' activity rows (migration 013), read after their wallets are locked, with the
 * calendar month of the batch's time in each player's zone and whether a pending limit
 * change has come into force since the limits were copied.
 */
function activitySql(playerIds: readonly number[], nowMs: number): string {
  const at = `to_timestamp(${nowMs}::double precision / 1000)`;
  return `select a.player_id, a.stake_day, a.stake_week, a.stake_month, a.loss_day, a.loss_week, a.loss_month,
            a.limits_refresh_at <= ${at} as stale, a.series::text as series, a.month_key, a.month_staked, a.month_won, p.excluded_until,
            p.kyc_status = 'verified' as identity_verified, p.betting_frozen_at is not null as betting_frozen,
            (extract(year from ${at} at time zone p.time_zone) * 12 + extract(month from ${at} at time zone p.time_zone) - 1)::int4 as month_now
       from player_activity a join players p on p.id = a.player_id
      where a.player_id = any(${intArrayLiteral(playerIds)});`;
}

function activityRow(r: Record<string, unknown>): ActivityRow {
  const n = (v: unknown) => (v === null ? null : Number(v));
  return {
    playerId: Number(r.player_id),
    limits: {
      stake: { day: n(r.stake_day), week: n(r.stake_week), month: n(r.stake_month) },
      loss: { day: n(r.loss_day), week: n(r.loss_week), month: n(r.loss_month) },
    },
    series: parseSeries(r.series as string),
    monthKey: Number(r.month_key),
    monthStaked: Number(r.month_staked),
    monthWon: Number(r.month_won),
    monthNow: Number(r.month_now),
    excludedUntilMs: r.excluded_until === null ? null : new Date(r.excluded_until as string).getTime(),
    identityVerified: r.identity_verified === true,
    bettingFrozen: r.betting_frozen === true,
  };
}

/** Combinations are spliced into SQL below: only the shape migration 010 allows gets there. */
const COMBINATION = /^[0-9A-Za-z]{1,16}$/;

/** Every (draw, combination) the batch's fixed-odds bets name, in lock order, with the bet's cap. */
function batchCombinations(bets: BetToWrite[]): LiabilityAdd[] {
  const byKey = new Map<string, LiabilityAdd>();
  for (const bet of bets) {
    const liability = bet.liability;
    if (!liability) continue;
    invariant(Number.isSafeInteger(liability.capMinor) && liability.capMinor > 0, () => `liability cap ${liability.capMinor}`);
    for (const p of liability.payouts) {
      invariant(COMBINATION.test(p.combination), () => `malformed combination ${JSON.stringify(p.combination)}`);
      invariant(Number.isSafeInteger(p.payoutMinor) && p.payoutMinor > 0, () => `payout ${p.payoutMinor} on ${p.combination}`);
      const key = liabilityKey(bet.drawId, p.combination);
      if (!byKey.has(key)) byKey.set(key, { drawId: bet.drawId, combination: p.combination, addMinor: 0, capMinor: liability.capMinor });
    }
  }
  return [...byKey.values()].sort((a, b) => a.drawId - b.drawId || (a.combination < b.combination ? -1 : a.combination > b.combination ? 1 : 0));
}

function textArrayLiteral(values: readonly string[]): string {
  for (const v of values) invariant(COMBINATION.test(v), () => `not a combination: ${v}`);
  return `'{${values.join(',')}}'::text[]`;
}

/**
 * Creates the liability rows the batch needs (a first sale of a combination records the cap)
 * and locks them, in key order. Two statements: results 3 and 4 of the lock message.
 */
function lockLiabilitiesSql(combinations: readonly LiabilityAdd[]): string {
  const draws = intArrayLiteral(combinations.map((c) => c.drawId));
  const names = textArrayLiteral(combinations.map((c) => c.combination));
  const caps = intArrayLiteral(combinations.map((c) => c.capMinor));
  return `insert into draw_liabilities (draw_id, combination, cap_minor)
       select d, c, cap from unnest(${draws}, ${names}, ${caps}) as x(d, c, cap) order by d, c
       on conflict do nothing;
     select l.draw_id, l.combination, l.payout_minor, l.cap_minor
       from draw_liabilities l join unnest(${draws}, ${names}) as x(d, c) on l.draw_id = x.d and l.combination = x.c
      order by l.draw_id, l.combination for no key update of l;`;
}

/** Earlier tickets for these (player, request id) pairs, one index probe per pair. */
async function existingTickets(client: pg.PoolClient, bets: BetToWrite[]): Promise<Map<string, PriorTicket>> {
  const { rows } = await client.query(
    `select t.id, t.player_id, t.request_id, t.draw_id, t.bet_type, t.stake_minor, t.quick_pick, t.lines, t.cost_minor, t.received_at
       from unnest($1::int8[], $2::text[]) as k(player_id, request_id)
       cross join lateral (
         select * from tickets t where t.player_id = k.player_id and t.request_id = k.request_id
       ) t`,
    [bets.map((b) => b.playerId), bets.map((b) => b.requestId)],
  );
  const found = new Map<string, PriorTicket>();
  for (const r of rows) {
    found.set(requestKey({ playerId: r.player_id, requestId: r.request_id }), {
      rowId: Number(r.id),
      drawId: Number(r.draw_id),
      betType: r.bet_type,
      stakeMinor: Number(r.stake_minor),
      quickPick: r.quick_pick,
      lines: r.lines,
      costMinor: Number(r.cost_minor),
      receivedAtMs: new Date(r.received_at).getTime(),
    });
  }
  return found;
}

/**
 * The accepted bets as one array literal per column, for unnest (Postgres parses them in C;
 * they are most of what a batch sends over the wire). Built in one pass of string appends:
 * no object per bet and no JSON keys, which a thousand-bet batch paid for in garbage
 * collection and bytes. Text is always quoted (a request id "NULL" unquoted would be SQL
 * NULL); a ticket's lines and masks travel as the text of their jsonb and varbit[] values.
 */
function insertInput(bets: BetToWrite[], batch: BatchDecision): string[] {
  let d = '{';
  let u = '{';
  let r = '{';
  let b = '{';
  let s = '{';
  let l = '{';
  let m = '{';
  let n = '{';
  let c = '{';
  let q = '{';
  let t = '{';
  let w = '{';
  let o = '{';
  for (let k = 0; k < batch.accepted.length; k++) {
    const i = batch.accepted[k];
    const bet = bets[i];
    const decision = batch.decisions[i];
    if (decision.outcome !== 'accepted') invariant(false, () => `bet ${i} is inserted but was not accepted`);
    const sep = k === 0 ? '' : ',';
    d += sep + integer(bet.drawId);
    u += sep + integer(bet.playerId);
    r += sep + quoted(bet.requestId);
    b += sep + quoted(bet.betType);
    s += sep + integer(bet.stakeMinor);
    l += sep + quoted(JSON.stringify(bet.lines));
    m += sep + quoted(masksLiteral(bet.lineMasks));
    n += sep + integer(bet.lines.length);
    c += sep + integer(bet.costMinor);
    q += sep + (bet.quickPick ? 't' : 'f');
    t += sep + integer(bet.receivedAtMs);
    w += sep + integer(bet.walletAccountId);
    o += sep + integer(decision.poolAccountId);
  }
  return [d + '}', u + '}', r + '}', b + '}', s + '}', l + '}', m + '}', n + '}', c + '}', q + '}', t + '}', w + '}', o + '}'];
}

/** The players' new activity rows, one array per column. */
function activityInput(batch: BatchDecision): unknown[] {
  const w = batch.activityWrites;
  return [w.map((a) => a.playerId), w.map((a) => seriesLiteral(a.series)), w.map((a) => a.monthKey), w.map((a) => a.monthStaked), w.map((a) => a.monthWon)];
}

/** A whole number for an array literal; anything else is a bug upstream. */
function integer(v: number): string {
  if (!Number.isSafeInteger(v)) invariant(false, () => `not an integer: ${v}`);
  return String(v);
}

/** An element of an array literal, double-quoted, with `"` and `\` escaped. */
function quoted(text: string): string {
  return ESCAPED_IN_ARRAY.test(text) ? `"${text.replace(ESCAPED_IN_ARRAY_ALL, '\\$&')}"` : `"${text}"`;
}
const ESCAPED_IN_ARRAY = /["\\]/;
const ESCAPED_IN_ARRAY_ALL = /["\\]/g;

/** A ticket's masks as a varbit[] literal: bit strings need no quotes, but the raffle's empty one does. */
function masksLiteral(masks: readonly string[]): string {
  let text = '{';
  for (let k = 0; k < masks.length; k++) text += (k === 0 ? '' : ',') + (masks[k] === '' ? '""' : masks[k]);
  return text + '}';
}

/**
 * Inserts the tickets (skipping requests already bought), a stake transfer for each
 * inserted ticket and the wallet debits. Returns the row id of each accepted bet's ticket,
 * in the order of `batch.accepted`, or null when some request had already bought a ticket (the
 * caller rolls back and takes the slow path).
 */
async function insertTicketsAndDebit(client: pg.PoolClient, bets: BetToWrite[], batch: BatchDecision): Promise<number[] | null> {
  const { accepted, walletDebits } = batch;
  const input = insertInput(bets, batch);
  const walletIds = [...walletDebits.keys()].sort((a, b) => a - b);
  // Named: prepared once per connection, so a batch is not planned again every time. The
  // ticket ids come back as one string in input order (ord), not as a row per ticket:
  // parsing a thousand rows was ~5% of the server's CPU per bet.
  const { rows } = await client.query({
    name: 'bet-batch-insert-v6',
    text: `with input as (
       select d as draw_id, u as player_id, r as request_id, b as bet_type, s as stake_minor, l::jsonb as lines, m::varbit[] as line_masks,
              n as line_count, c as cost_minor, q as quick_pick, timestamptz 'epoch' + t * interval '1 millisecond' as received_at,
              w as wallet, o as pool, ord
         from unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::int2[], $9::int8[], $10::bool[], $11::int8[], $12::int8[], $13::int8[])
              with ordinality as i(d, u, r, b, s, l, m, n, c, q, t, w, o, ord)
     ), ticket as (
       insert into tickets (draw_id, player_id, request_id, bet_type, stake_minor, lines, line_masks, line_count, cost_minor, quick_pick, received_at)
       select draw_id, player_id, request_id, bet_type, stake_minor, lines, line_masks, line_count, cost_minor, quick_pick, received_at from input
       on conflict (player_id, request_id) do nothing
       returning id, player_id, request_id
     ), matched as (
       select i.ord, t.id, i.wallet, i.pool, i.cost_minor from ticket t join input i using (player_id, request_id)
     ), stake as (
       insert into transfers (debit_account_id, credit_account_id, amount_minor, kind, ticket_id)
       select wallet, pool, cost_minor, 'stake', id from matched
       returning 1
     ), debit as (
       update accounts a set balance_minor = a.balance_minor - d.amount
         from unnest($14::int8[], $15::int8[]) as d(id, amount)
        where a.id = d.id
       returning 1
     ), activity as (
       update player_activity a set series = x.series::int8[], month_key = x.month_key, month_staked = x.staked, month_won = x.won
         from unnest($16::int8[], $17::text[], $18::int4[], $19::int8[], $20::int8[]) as x(player_id, series, month_key, staked, won)
        where a.player_id = x.player_id
       returning 1
     )
     select (select count(*) from ticket)::int8 as tickets,
            (select count(*) from matched)::int8 as matched,
            (select string_agg(id::text, ',' order by ord) from matched) as ids,
            (select count(*) from stake)::int8 as stakes,
            (select count(*) from debit)::int8 as wallets,
            (select count(*) from activity)::int8 as activity`,
    values: [...input, walletIds, walletIds.map((id) => walletDebits.get(id)), ...activityInput(batch)],
  });
  const row = rows[0];
  if (row.tickets < accepted.length) return null;
  // Pair assertions: what we decided is exactly what was written, or the batch rolls back.
  invariant(row.tickets === accepted.length, `batch wrote ${row.tickets} tickets, expected ${accepted.length}`);
  invariant(row.matched === accepted.length, `batch matched ${row.matched} tickets to bets, expected ${accepted.length}`);
  invariant(row.stakes === accepted.length, `batch wrote ${row.stakes} stake transfers, expected ${accepted.length}`);
  invariant(row.wallets === walletIds.length, `batch debited ${row.wallets} wallets, expected ${walletIds.length}`);
  invariant(row.activity === batch.activityWrites.length, `batch recorded ${row.activity} players' activity, expected ${batch.activityWrites.length}`);
  const ids = (row.ids as string).split(',').map(Number);
  invariant(ids.length === accepted.length, `batch returned ${ids.length} ticket ids, expected ${accepted.length}`);
  for (const id of ids) invariant(Number.isSafeInteger(id) && id > 0, () => `batch returned a malformed ticket id: ${id}`);
  return ids;
}

/**
 * Round trip 3: credit each draw pool once for the whole batch (pools locked in id
 * order), then commit, in one message. If the credit fails the commit never runs.
 * Returns the transaction's id.
 */
async function creditPoolsAndCommit(client: pg.PoolClient, poolCredits: Map<number, number>, liabilityAdds: Map<string, LiabilityAdd>): Promise<string> {
  const ids = [...poolCredits.keys()].sort((a, b) => a - b);
  const adds = [...liabilityAdds.values()];
  const results = (await client.query(
    `${adds.length > 0 ? addLiabilitiesSql(adds) : ''}
     with locked as materialized (
       select id from accounts where id = any(${intArrayLiteral(ids)}) order by id for no key update
     )
     update accounts a set balance_minor = a.balance_minor + c.amount
       from unnest(${intArrayLiteral(ids)}, ${intArrayLiteral(ids.map((id) => poolCredits.get(id)!))}) as c(id, amount), locked l
      where a.id = c.id and l.id = c.id
     returning a.id, pg_current_xact_id()::text as xid;
     commit;`,
  )) as unknown as pg.QueryResult[];
  const credited = results[adds.length > 0 ? 1 : 0];
  if (adds.length > 0) invariant(results[0].rowCount === adds.length, `added to ${results[0].rowCount} liabilities, expected ${adds.length}`);
  invariant(credited.rows.length === ids.length, `credited ${credited.rows.length} pools, expected ${ids.length}`);
  return credited.rows[0].xid;
}

/** Adds the accepted bets' payouts to the rows locked in step 2 (their check is the cap's backstop). */
function addLiabilitiesSql(adds: readonly LiabilityAdd[]): string {
  return `update draw_liabilities l set payout_minor = l.payout_minor + x.add
       from unnest(${intArrayLiteral(adds.map((a) => a.drawId))}, ${textArrayLiteral(adds.map((a) => a.combination))}, ${intArrayLiteral(adds.map((a) => a.addMinor))}) as x(d, c, add)
      where l.draw_id = x.d and l.combination = x.c;`;
}
