// ledger/settleSets.ts — settling a drawn draw with set-based SQL (issue 12, migration 008).
//
// Nothing reads tickets into JavaScript. In one transaction, under the draw's lock:
//   1. classes   one pass over the draw's lines counts them by (bet type, stake, and per
//                mask segment: bits matched by the drawn mask, bits set) — a few hundred
//                groups for a million tickets (countLineClasses);
//   2. decide    the game's pure settle() turns the classes into a prize per line of each
//                winning class and the draw's money flows (actors/DrawRunner.ts);
//   3. stage     a second pass joins every line to the winning classes and sums each ticket's
//                prize and winning lines per tier into a temporary table (stageTicketPrizes);
//   4. pay       one statement: lock the winners' wallets (id order), insert a prize
//                transfer and a ticket_prizes row per winning ticket, credit each wallet once;
//   5. close     the rollover, house funding and house share transfers; the pool ends at 0.
// Steps 1-3 take no lock but the draw's; wallets are locked only for step 4's statement and
// the commit. The transaction is the unit of exactly-once: a crash anywhere leaves the draw
// 'drawn' and untouched, and the next try (any process) starts it again; ticket_prizes'
// primary key and the draw's status check make a second payment impossible.
//
// Lock order, as for every money transaction (ledger/bets.ts): wallets (ascending id), then
// system accounts (ascending id). The game's rollover account is locked first of all: only
// settlement ever locks it, so this orders the settlements of one game and blocks nothing else.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import type { DrawSettlement, LineClass, MaskSegment, TierResult } from '../games/types.ts';
import type { LockedDrawStep } from './drawSteps.ts';

/** How a draw's lines are classed: the game's mask layout and, per bet type sold, the drawn mask. */
export interface ClassPlan {
  segments: readonly MaskSegment[];
  drawn: ReadonlyMap<string, string>;
}

const BITS = /^[01]*$/;
const BET_TYPE = /^[a-z0-9_]{1,32}$/;

/**
 * The per-segment count expressions, on a line mask `m` and `md` = m & drawn (literal offsets
 * we computed). A one-segment layout counts whole masks: no substring per line.
 */
function segmentColumns(segments: readonly MaskSegment[]): { matches: string[]; spots: string[] } {
  if (segments.length === 1) return { matches: ['bit_count(md)'], spots: ['bit_count(m)'] };
  const matches: string[] = [];
  const spots: string[] = [];
  let from = 1;
  for (const s of segments) {
    invariant(Number.isInteger(s.bits) && s.bits > 0 && s.bits <= 1024, `segment ${s.name} of ${s.bits} bits`);
    matches.push(`bit_count(substring(md from ${from} for ${s.bits}))`);
    spots.push(`bit_count(substring(m from ${from} for ${s.bits}))`);
    from += s.bits;
  }
  return { matches, spots };
}

function drawnInput(plan: ClassPlan): [string[], string[]] {
  const types = [...plan.drawn.keys()];
  const width = plan.segments.reduce((sum, s) => sum + s.bits, 0);
  for (const [type, mask] of plan.drawn) {
    invariant(BET_TYPE.test(type) && BITS.test(mask) && mask.length === width, `drawn mask of ${type} does not fit the layout`);
  }
  return [types, types.map((t) => plan.drawn.get(t)!)];
}

/**
 * Step 1: the draw's lines by class. A ticket of a bet type the plan does not know is an
 * error (its game changed under a sold draw): the lines counted must be every line sold.
 */
export async function countLineClasses(client: pg.ClientBase, drawId: number, plan: ClassPlan): Promise<{ classes: LineClass[]; stakeTotalMinor: number; unknownLines: number }> {
  const { matches, spots } = segmentColumns(plan.segments);
  const [types, masks] = drawnInput(plan);
  const cols = [...matches.map((e, i) => `${e} as m${i}`), ...spots.map((e, i) => `${e} as s${i}`)];
  const names = [...matches.map((_, i) => `m${i}`), ...spots.map((_, i) => `s${i}`)];
  const { rows } = await client.query(
    `with drawn as (select * from unnest($2::text[], $3::varbit[]) as x(bet_type, d)),
     lines as (
       -- offset 0 keeps this a subquery of its own: m & d is computed once a line, not once a segment.
       select t.bet_type, t.stake_minor, x.d is null as unknown, m, m & coalesce(x.d, m) as md
         from tickets t left join drawn x using (bet_type), unnest(t.line_masks) as m
        where t.draw_id = $1
       offset 0
     ), classed as (
       select bet_type, stake_minor, unknown, ${cols.join(', ')} from lines
     )
     select bet_type, stake_minor, unknown, ${names.join(', ')}, count(*)::int8 as lines
       from classed group by bet_type, stake_minor, unknown, ${names.join(', ')}`,
    [drawId, types, masks],
  );
  const classes: LineClass[] = [];
  let stakeTotalMinor = 0;
  let unknownLines = 0;
  for (const r of rows) {
    const lines = Number(r.lines);
    stakeTotalMinor += Number(r.stake_minor) * lines;
    if (r.unknown) {
      unknownLines += lines;
      continue;
    }
    classes.push({
      betType: r.bet_type,
      stakeMinor: Number(r.stake_minor),
      matches: matches.map((_, i) => Number(r[`m${i}`])),
      spots: spots.map((_, i) => Number(r[`s${i}`])),
      lines,
    });
  }
  return { classes, stakeTotalMinor, unknownLines };
}

/**
 * Step 3: every winning ticket's prize, its owner's wallet and its winning lines per tier,
 * into the temporary table settle_prizes (dropped at commit). Returns (tickets, total).
 */
export async function stageTicketPrizes(
  client: pg.ClientBase,
  drawId: number,
  plan: ClassPlan,
  settlement: Pick<DrawSettlement, 'prizes' | 'tiers'>,
): Promise<{ tickets: number; totalMinor: number }> {
  const { matches, spots } = segmentColumns(plan.segments);
  const [types, masks] = drawnInput(plan);
  const winning = settlement.prizes;
  for (const p of winning) {
    invariant(Number.isSafeInteger(p.perLineMinor) && p.perLineMinor > 0, `a winning class pays ${p.perLineMinor} a line`);
    invariant(Number.isInteger(p.tier) && p.tier >= 0 && p.tier < settlement.tiers.length, `tier ${p.tier}`);
  }
  const keyArrays = [...matches.map((_, i) => winning.map((p) => p.cls.matches[i])), ...spots.map((_, i) => winning.map((p) => p.cls.spots[i]))];
  const keyNames = [...matches.map((_, i) => `m${i}`), ...spots.map((_, i) => `s${i}`)];
  const keyParams = keyNames.map((_, i) => `$${i + 8}::int4[]`);
  const joinOn = [...matches.map((e, i) => `w.m${i} = ${e}`), ...spots.map((e, i) => `w.s${i} = ${e}`)];
  await client.query(`drop table if exists settle_prizes`);
  await client.query(
    `create temporary table settle_prizes on commit drop as
     with drawn as (select * from unnest($2::text[], $3::varbit[]) as x(bet_type, d)),
     win as (
       select * from unnest($4::text[], $5::int8[], $6::int4[], $7::int8[], ${keyParams.join(', ')})
         as w(bet_type, stake_minor, tier, per_line, ${keyNames.join(', ')})
     ), lines as (
       select t.id, t.player_id, t.bet_type, t.stake_minor, m, m & x.d as md
         from tickets t join drawn x using (bet_type) cross join lateral unnest(t.line_masks) as m
        where t.draw_id = $1 and t.bet_type = any($4::text[])
       offset 0
     ), hits as (
       select l.id, l.player_id, w.tier, count(*)::int8 as n, sum(w.per_line)::int8 as amount
         from lines l join win w on w.bet_type = l.bet_type and w.stake_minor = l.stake_minor and ${joinOn.join(' and ')}
        group by l.id, l.player_id, w.tier
     )
     select h.id as ticket_id, a.id as wallet_id, sum(h.amount)::int8 as amount_minor,
            (select array_agg(coalesce(x.n, 0) order by k)
               from generate_series(0, ${settlement.tiers.length - 1}) as k
               left join unnest(array_agg(h.tier), array_agg(h.n)) as x(tier, n) on x.tier = k)::int4[] as tier_lines
       from hits h join accounts a on a.player_id = h.player_id and a.kind = 'player_wallet'
      group by h.id, a.id`,
    [drawId, types, masks, winning.map((p) => p.cls.betType), winning.map((p) => p.cls.stakeMinor), winning.map((p) => p.tier), winning.map((p) => p.perLineMinor), ...keyArrays],
  );
  const { rows } = await client.query(`select count(*)::int8 as n, coalesce(sum(amount_minor), 0)::int8 as total from settle_prizes`);
  return { tickets: Number(rows[0].n), totalMinor: Number(rows[0].total) };
}

/**
 * Step 4: pays every staged prize in one statement: the winners' wallets locked in id order,
 * a prize transfer pool -> wallet and a ticket_prizes row per ticket, each wallet credited
 * once with its sum. Returns the number of prizes paid.
 */
export async function payStagedPrizes(client: pg.ClientBase, draw: Pick<LockedDrawStep, 'id' | 'publicId' | 'poolAccountId'>): Promise<number> {
  const { rows } = await client.query(
    `with input as materialized (
       select ticket_id, wallet_id, amount_minor, tier_lines, nextval(pg_get_serial_sequence('transfers', 'id')) as transfer_id
         from settle_prizes order by wallet_id, ticket_id
     ), locked as materialized (
       select id from accounts where id in (select wallet_id from input) and kind = 'player_wallet' order by id for no key update
     ), paid as (
       insert into transfers (id, debit_account_id, credit_account_id, amount_minor, kind)
       select transfer_id, $2, wallet_id, amount_minor, 'prize' from input
       returning 1
     ), prized as (
       insert into ticket_prizes (ticket_id, draw_id, amount_minor, tier_lines, transfer_id)
       select ticket_id, $1, amount_minor, tier_lines, transfer_id from input
       returning 1
     ), credited as (
       update accounts a set balance_minor = a.balance_minor + c.amount
         from (select wallet_id, sum(amount_minor)::int8 as amount from input group by wallet_id) c, locked l
        where a.id = c.wallet_id and l.id = c.wallet_id
       returning 1
     )
     select (select count(*) from input)::int8 as staged, (select count(distinct wallet_id) from input)::int8 as wallets,
            (select count(*) from locked)::int8 as locked, (select count(*) from paid)::int8 as paid,
            (select count(*) from prized)::int8 as prized, (select count(*) from credited)::int8 as credited`,
    [draw.id, draw.poolAccountId],
  );
  const r = rows[0];
  invariant(r.locked === r.wallets && r.credited === r.wallets, `draw ${draw.publicId}: locked ${r.locked} and credited ${r.credited} of ${r.wallets} wallets`);
  invariant(r.paid === r.staged && r.prized === r.staged, `draw ${draw.publicId}: wrote ${r.paid} transfers and ${r.prized} prizes for ${r.staged} staged`);
  return Number(r.staged);
}

/** The game's rollover account, created on first use, locked; and its balance (the rollover in). */
export async function lockRolloverAccount(client: pg.ClientBase, gameId: string): Promise<{ id: number; balanceMinor: number }> {
  const code = `rollover:${gameId}`;
  await client.query(`insert into accounts (kind, code) values ('jackpot_rollover', $1) on conflict (code) do nothing`, [code]);
  const { rows } = await client.query(`select id, balance_minor from accounts where code = $1 and kind = 'jackpot_rollover' for no key update`, [code]);
  invariant(rows.length === 1, `rollover account ${code} missing`);
  return { id: Number(rows[0].id), balanceMinor: Number(rows[0].balance_minor) };
}

export interface DrawFlows {
  stakeTotalMinor: number;
  playersMinor: number;
  rolloverInMinor: number;
  rolloverOutMinor: number;
  houseInMinor: number;
  houseOutMinor: number;
}

interface FlowTransfers {
  houseShare: number | null;
  rolloverIn: number | null;
  rolloverOut: number | null;
  houseIn: number | null;
}

/**
 * Step 5: the draw's other flows as transfers (each only when above zero), the balances
 * moved, and the pair assertion that the pool held the sealed stakes and ends at zero.
 */
export async function closeDrawFlows(client: pg.ClientBase, draw: Pick<LockedDrawStep, 'id' | 'publicId' | 'poolAccountId'>, rolloverId: number | null, f: DrawFlows): Promise<FlowTransfers> {
  invariant(f.stakeTotalMinor + f.rolloverInMinor + f.houseInMinor === f.playersMinor + f.rolloverOutMinor + f.houseOutMinor, `draw ${draw.publicId}: flows do not balance`);
  invariant(rolloverId !== null || (f.rolloverInMinor === 0 && f.rolloverOutMinor === 0), `draw ${draw.publicId}: a rollover without its account`);
  const { rows: accounts } = await client.query(
    `select id, kind, balance_minor from accounts where id = $1 or code = 'house' order by id for no key update`,
    [draw.poolAccountId],
  );
  const pool = accounts.find((a) => Number(a.id) === draw.poolAccountId && a.kind === 'draw_pool');
  const house = accounts.find((a) => a.kind === 'house');
  invariant(pool && house, `draw ${draw.publicId}: pool or house account missing`);
  invariant(Number(pool.balance_minor) === f.stakeTotalMinor, `draw ${draw.publicId}: pool holds ${pool.balance_minor}, sealed stakes ${f.stakeTotalMinor}`);
  const poolId = draw.poolAccountId;
  const houseId = Number(house.id);
  const moves: [string, number, number, number][] = [
    ['rolloverIn', rolloverId ?? 0, poolId, f.rolloverInMinor],
    ['houseIn', houseId, poolId, f.houseInMinor],
    ['rolloverOut', poolId, rolloverId ?? 0, f.rolloverOutMinor],
    ['houseShare', poolId, houseId, f.houseOutMinor],
  ];
  const ids: FlowTransfers = { houseShare: null, rolloverIn: null, rolloverOut: null, houseIn: null };
  const deltas = new Map<number, number>([[poolId, -f.playersMinor]]);
  for (const [name, from, to, amount] of moves) {
    if (amount === 0) continue;
    const kind = name === 'houseShare' ? 'house_share' : name === 'houseIn' ? 'house_funding' : 'rollover';
    const { rows } = await client.query(
      `insert into transfers (debit_account_id, credit_account_id, amount_minor, kind) values ($1, $2, $3, $4) returning id`,
      [from, to, amount, kind],
    );
    ids[name as keyof FlowTransfers] = Number(rows[0].id);
    deltas.set(from, (deltas.get(from) ?? 0) - amount);
    deltas.set(to, (deltas.get(to) ?? 0) + amount);
  }
  const accountIds = [...deltas.keys()].sort((a, b) => a - b);
  const { rows } = await client.query(
    `update accounts a set balance_minor = a.balance_minor + m.delta from unnest($1::int8[], $2::int8[]) as m(id, delta)
      where a.id = m.id returning a.id, a.balance_minor`,
    [accountIds, accountIds.map((id) => deltas.get(id))],
  );
  const poolAfter = Number(rows.find((r) => Number(r.id) === poolId)?.balance_minor);
  invariant(poolAfter === 0, `draw ${draw.publicId}: pool holds ${poolAfter} after settlement, not 0`);
  return ids;
}

/** Marks the draw settled with its flows and tier results. */
export async function markSettled(client: pg.ClientBase, draw: Pick<LockedDrawStep, 'id' | 'publicId'>, f: DrawFlows, tiers: readonly TierResult[], ids: FlowTransfers): Promise<void> {
  const updated = await client.query(
    `update draws set status = 'settled', settled_at = clock_timestamp(), prize_total_minor = $2, house_share_minor = $3,
            house_transfer_id = $4, prize_tiers = $5, rollover_in_minor = $6, rollover_out_minor = $7, house_in_minor = $8,
            rollover_in_transfer_id = $9, rollover_out_transfer_id = $10, house_in_transfer_id = $11
      where id = $1 and status = 'drawn'`,
    [draw.id, f.playersMinor, f.houseOutMinor, ids.houseShare, JSON.stringify(tiers), f.rolloverInMinor, f.rolloverOutMinor, f.houseInMinor, ids.rolloverIn, ids.rolloverOut, ids.houseIn],
  );
  invariant(updated.rowCount === 1, `draw ${draw.publicId} changed status while being settled`);
}

/**
 * A raffle's step 3: the ticket at each winning position of the draw's canonical order (ticket
 * id order, as sealed) with its prize, into settle_prizes. Returns (tickets, total).
 */
export async function stageRafflePrizes(
  client: pg.ClientBase,
  drawId: number,
  winners: readonly { position: number; amountMinor: number; tier: number }[],
  tierCount: number,
): Promise<{ tickets: number; totalMinor: number }> {
  for (const w of winners) invariant(Number.isSafeInteger(w.position) && w.position >= 1 && Number.isSafeInteger(w.amountMinor) && w.amountMinor > 0, `raffle winner ${JSON.stringify(w)}`);
  await client.query(`drop table if exists settle_prizes`);
  await client.query(
    `create temporary table settle_prizes on commit drop as
     with w as (select * from unnest($2::int8[], $3::int8[], $4::int4[]) as w(pos, amount, tier)),
     ranked as (select id, player_id, row_number() over (order by id) as pos from tickets where draw_id = $1)
     select r.id as ticket_id, a.id as wallet_id, w.amount as amount_minor,
            (select array_agg(case when k = w.tier then 1 else 0 end order by k) from generate_series(0, ${Math.trunc(tierCount) - 1}) as k)::int4[] as tier_lines
       from ranked r join w on w.pos = r.pos
       join accounts a on a.player_id = r.player_id and a.kind = 'player_wallet'`,
    [drawId, winners.map((w) => w.position), winners.map((w) => w.amountMinor), winners.map((w) => w.tier)],
  );
  const { rows } = await client.query(`select count(*)::int8 as n, coalesce(sum(amount_minor), 0)::int8 as total from settle_prizes`);
  return { tickets: Number(rows[0].n), totalMinor: Number(rows[0].total) };
}
