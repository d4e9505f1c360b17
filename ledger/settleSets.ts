// ledger/settleSets.ts — settling a drawn draw with set-based SQL, in phases that each
// commit on their own (migrations 008 and 012). Nothing reads tickets into JavaScript.
//
//   decide  (one transaction; actors/DrawRunner.ts calls the game in the middle)
//           countLineClasses: one pass over the draw's lines counts them by (bet type,
//           stake, and per mask segment: bits matched by the drawn mask, bits set) — a few
//           hundred groups for a million tickets; the game's pure settle() turns them into a
//           prize per line of each winning class and the draw's money flows;
//           recordDecision: the four flows move (rollover in and house in into the pool,
//           rollover out and house out of it), leaving in the pool exactly what the winners
//           are owed, and the draw_settlements row records the plan, the winning classes, the
//           tiers and the flows, with the pay cursor at 0.
//   pay     (one transaction per range of at most N tickets, in id order)
//           payTicketRange: the range's lines joined to the winning classes, each ticket's
//           prize summed, and in one statement its prize transfer and ticket_prizes row
//           inserted and each wallet (locked in id order) credited once; then the pool
//           debited by the range's total and the cursor moved to the range's end.
//           A raffle has no lines to class: its decision records each winning ticket (the
//           ticket at each drawn position of the sealed list) with its prize and tier, and
//           payTicketRange pays those of the range.
//   close   (one transaction) closeSettlement: no ticket beyond the cursor, the pool empty,
//           the prizes paid equal to what the game decided; the draw marked settled.
//
// Exactly once: every phase runs under the draw's row lock (status 'drawn'), the decision
// exists once per draw (its primary key), and the cursor moves in the transaction that pays
// its range, with a check that it is where the payer found it. A crash loses only the phase
// in progress; whoever takes the draw next reads the row and goes on from the cursor, with
// the recorded plan (not the game's code of the day). ticket_prizes' primary key is the
// backstop: no ticket can be paid twice whatever goes wrong.
//
// Lock order, as for every money transaction (ledger/bets.ts): wallets (ascending id), then
// system accounts (ascending id). The game's rollover account is locked first of all: only
// settlement locks it, so this orders the decisions of one game's draws and blocks nothing
// else. A pay range holds its winners' wallets only for its own statement and commit.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import type { DrawSettlement, LineClass, MaskSegment } from '../games/types.ts';
import type { LockedDrawStep } from './drawSteps.ts';
import { WEEK_QUARTERS } from './playerActivity.ts';


/** How a draw's lines are classed: the game's mask layout and, per bet type sold, the drawn mask. */
export interface ClassPlan {
  segments: readonly MaskSegment[];
  drawn: ReadonlyMap<string, string>;
}

/** A class of lines that wins, with what one of its lines is paid and in which tier. */
export interface WinningClass {
  betType: string;
  stakeMinor: number;
  matches: readonly number[];
  spots: readonly number[];
  tier: number;
  perLineMinor: number;
}

/** A draw's settlement as recorded when it was decided (draw_settlements), and how far it has paid. */
/** A raffle's winning ticket (its row id) with its prize and tier. */
export interface RaffleWinner {
  ticketId: number;
  amountMinor: number;
  tier: number;
}

export interface SettlementRecord {
  drawId: number;
  plan: ClassPlan;
  winning: WinningClass[];
  /** Raffles only: the winning tickets, in ticket id order (line games: null). */
  raffleWinners: RaffleWinner[] | null;
  tierCount: number;
  stakeTotalMinor: number;
  playersMinor: number;
  paidThroughTicketId: number;
  paidTickets: number;
  paidMinor: number;
  payRanges: number;
}

const BITS = /^[01]*$/;
const BET_TYPE = /^[a-z0-9_]{1,32}$/;
/** Segments of one mask layout, and tiers of one game: bounds on the SQL generated from them. */
const SEGMENTS_MAX = 8;
const SEGMENT_BITS_MAX = 1024;
const TIERS_MAX = 64;

/**
 * The per-segment count expressions, on a line mask `m` and `md` = m & drawn (literal offsets
 * we computed). A one-segment layout counts whole masks: no substring per line.
 */
function segmentColumns(segments: readonly MaskSegment[]): { matches: string[]; spots: string[] } {
  invariant(segments.length >= 1 && segments.length <= SEGMENTS_MAX, `${segments.length} mask segments`);
  if (segments.length === 1) return { matches: ['bit_count(md)'], spots: ['bit_count(m)'] };
  const matches: string[] = [];
  const spots: string[] = [];
  let from = 1;
  for (const s of segments) {
    invariant(Number.isInteger(s.bits) && s.bits > 0 && s.bits <= SEGMENT_BITS_MAX, `segment ${s.name} of ${s.bits} bits`);
    matches.push(`bit_count(substring(md from ${from} for ${s.bits}))`);
    spots.push(`bit_count(substring(m from ${from} for ${s.bits}))`);
    from += s.bits;
  }
  return { matches, spots };
}

/**
 * The draw's refunded tickets (ledger/refunds.ts; few or, nearly always, none), which settlement
 * leaves out. Passed as a list (`t.id <> all(list)`) rather than read as `refunded_at is null`:
 * right after a surge the statistics of tickets predate the column's values, and the planner
 * would take that filter to keep 0.5% of the draw and choose its joins for that.
 */
async function refundedTicketIds(client: pg.ClientBase, drawId: number): Promise<number[]> {
  const { rows } = await client.query(`select ticket_id from ticket_refunds where draw_id = $1`, [drawId]);
  return rows.map((r) => Number(r.ticket_id));
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
 * Decide, step 1: the draw's lines by class. A ticket of a bet type the plan does not know is an
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
        where t.draw_id = $1 and t.id <> all($4::int8[])
       offset 0
     ), classed as (
       select bet_type, stake_minor, unknown, ${cols.join(', ')} from lines
     )
     select bet_type, stake_minor, unknown, ${names.join(', ')}, count(*)::int8 as lines
       from classed group by bet_type, stake_minor, unknown, ${names.join(', ')}`,
    [drawId, types, masks, await refundedTicketIds(client, drawId)],
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

/** The game's rollover account, created on first use, locked; and its balance (the rollover in). */
export async function lockRolloverAccount(client: pg.ClientBase, gameId: string): Promise<{ id: number; balanceMinor: number }> {
  const code = `rollover:${gameId}`;
  await client.query(`insert into accounts (kind, code) values ('jackpot_rollover', $1) on conflict (code) do nothing`, [code]);
  const { rows } = await client.query(`select id, balance_minor from accounts where code = $1 and kind = 'jackpot_rollover' for no key update`, [code]);
  invariant(rows.length === 1, `rollover account ${code} missing`);
  return { id: Number(rows[0].id), balanceMinor: Number(rows[0].balance_minor) };
}

export interface Decision {
  plan: ClassPlan;
  stakeTotalMinor: number;
  /** A raffle's has no winning classes (prizes []): its winners are raffleWinners. */
  settlement: DrawSettlement;
  /** The game's rollover account, locked (null for a game without one). */
  rolloverAccountId: number | null;
  raffleWinners?: RaffleWinner[];
}

interface FlowTransfers {
  rolloverIn: number | null;
  houseIn: number | null;
  rolloverOut: number | null;
  houseOut: number | null;
}

/** The winning classes as recorded, each checked: a positive whole prize per line, a tier of the game. */
function winningClasses(s: DrawSettlement): WinningClass[] {
  invariant(s.tiers.length >= 1 && s.tiers.length <= TIERS_MAX, `${s.tiers.length} tiers`);
  return s.prizes.map((p) => {
    invariant(Number.isSafeInteger(p.perLineMinor) && p.perLineMinor > 0, `a winning class pays ${p.perLineMinor} a line`);
    invariant(Number.isInteger(p.tier) && p.tier >= 0 && p.tier < s.tiers.length, `tier ${p.tier}`);
    invariant(Number.isSafeInteger(p.perLineMinor * p.cls.lines), `${p.cls.lines} lines at ${p.perLineMinor} is not exact`);
    return { betType: p.cls.betType, stakeMinor: p.cls.stakeMinor, matches: p.cls.matches, spots: p.cls.spots, tier: p.tier, perLineMinor: p.perLineMinor };
  });
}

/**
 * Decide, step 2: the draw's flows as transfers (each only when above zero) and the
 * settlement row. Pair assertions: the pool held the sealed stakes, and holds exactly what
 * the winners are owed after.
 */
export async function recordDecision(client: pg.ClientBase, draw: Pick<LockedDrawStep, 'id' | 'publicId' | 'poolAccountId'>, d: Decision): Promise<SettlementRecord> {
  const s = d.settlement;
  invariant(d.stakeTotalMinor + s.rolloverInMinor + s.houseInMinor === s.playersMinor + s.rolloverOutMinor + s.houseOutMinor, `draw ${draw.publicId}: flows do not balance`);
  const raffleWinners = d.raffleWinners ? [...d.raffleWinners].sort((a, b) => a.ticketId - b.ticketId) : null;
  invariant(raffleWinners === null || s.prizes.length === 0, `draw ${draw.publicId}: a raffle with winning classes`);
  const paid = s.prizes.reduce((sum, p) => sum + p.perLineMinor * p.cls.lines, 0) + (raffleWinners ?? []).reduce((sum, w) => sum + w.amountMinor, 0);
  invariant(paid === s.playersMinor, `draw ${draw.publicId}: the winners are paid ${paid}, the game pays players ${s.playersMinor}`);
  const winning = winningClasses(s);
  for (const w of raffleWinners ?? []) {
    invariant(Number.isSafeInteger(w.ticketId) && w.ticketId > 0 && Number.isSafeInteger(w.amountMinor) && w.amountMinor > 0, `raffle winner ${JSON.stringify(w)}`);
    invariant(Number.isInteger(w.tier) && w.tier >= 0 && w.tier < s.tiers.length, `raffle winner's tier ${w.tier}`);
  }
  const transfers = await moveDrawFlows(client, draw, d);
  await client.query(
    `insert into draw_settlements (draw_id, segments, drawn_masks, winning_classes, tiers, stake_total_minor, players_minor,
            rollover_in_minor, rollover_out_minor, house_in_minor, house_out_minor,
            rollover_in_transfer_id, rollover_out_transfer_id, house_in_transfer_id, house_out_transfer_id, raffle_winners)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
    [
      draw.id, JSON.stringify(d.plan.segments), JSON.stringify(Object.fromEntries(d.plan.drawn)), JSON.stringify(winning), JSON.stringify(s.tiers),
      d.stakeTotalMinor, s.playersMinor, s.rolloverInMinor, s.rolloverOutMinor, s.houseInMinor, s.houseOutMinor,
      transfers.rolloverIn, transfers.rolloverOut, transfers.houseIn, transfers.houseOut, raffleWinners && JSON.stringify(raffleWinners),
    ],
  );
  return {
    drawId: draw.id, plan: d.plan, winning, raffleWinners, tierCount: s.tiers.length, stakeTotalMinor: d.stakeTotalMinor, playersMinor: s.playersMinor,
    paidThroughTicketId: 0, paidTickets: 0, paidMinor: 0, payRanges: 0,
  };
}

/** The rollover and house flows as transfers, and the balances they move; the pool is left holding the players' prizes. */
async function moveDrawFlows(client: pg.ClientBase, draw: Pick<LockedDrawStep, 'id' | 'publicId' | 'poolAccountId'>, d: Decision): Promise<FlowTransfers> {
  const s = d.settlement;
  invariant(d.rolloverAccountId !== null || (s.rolloverInMinor === 0 && s.rolloverOutMinor === 0), `draw ${draw.publicId}: a rollover without its account`);
  const { rows: accounts } = await client.query(
    `select id, kind, balance_minor from accounts where id = $1 or code = 'house' order by id for no key update`,
    [draw.poolAccountId],
  );
  const pool = accounts.find((a) => Number(a.id) === draw.poolAccountId && a.kind === 'draw_pool');
  const house = accounts.find((a) => a.kind === 'house');
  invariant(pool !== undefined, `draw ${draw.publicId}: pool account missing`);
  invariant(house !== undefined, `draw ${draw.publicId}: house account missing`);
  invariant(Number(pool.balance_minor) === d.stakeTotalMinor, `draw ${draw.publicId}: pool holds ${pool.balance_minor}, sealed stakes ${d.stakeTotalMinor}`);
  const poolId = draw.poolAccountId;
  const houseId = Number(house.id);
  const rolloverId = d.rolloverAccountId ?? 0;
  const moves: [keyof FlowTransfers, string, number, number, number][] = [
    ['rolloverIn', 'rollover', rolloverId, poolId, s.rolloverInMinor],
    ['houseIn', 'house_funding', houseId, poolId, s.houseInMinor],
    ['rolloverOut', 'rollover', poolId, rolloverId, s.rolloverOutMinor],
    ['houseOut', 'house_share', poolId, houseId, s.houseOutMinor],
  ];
  const ids: FlowTransfers = { rolloverIn: null, houseIn: null, rolloverOut: null, houseOut: null };
  const deltas = new Map<number, number>([[poolId, 0]]);
  for (const [name, kind, from, to, amount] of moves) {
    if (amount === 0) continue;
    const { rows } = await client.query(
      `insert into transfers (debit_account_id, credit_account_id, amount_minor, kind) values ($1, $2, $3, $4) returning id`,
      [from, to, amount, kind],
    );
    ids[name] = Number(rows[0].id);
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
  invariant(poolAfter === s.playersMinor, `draw ${draw.publicId}: pool holds ${poolAfter} for the winners, who are owed ${s.playersMinor}`);
  return ids;
}

/** The draw's settlement row, if it has been decided (read under the draw's lock). */
export async function settlementOf(client: pg.ClientBase, drawId: number): Promise<SettlementRecord | null> {
  const { rows } = await client.query(
    `select segments, drawn_masks, winning_classes, raffle_winners, jsonb_array_length(tiers) as tier_count, stake_total_minor, players_minor,
            paid_through_ticket_id, paid_tickets, paid_minor, pay_ranges, closed_at
       from draw_settlements where draw_id = $1`,
    [drawId],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  invariant(r.closed_at === null, `draw ${drawId}: its settlement is closed but the draw is not settled`);
  return {
    drawId,
    plan: { segments: r.segments, drawn: new Map(Object.entries(r.drawn_masks as Record<string, string>)) },
    winning: r.winning_classes,
    raffleWinners: r.raffle_winners,
    tierCount: Number(r.tier_count),
    stakeTotalMinor: Number(r.stake_total_minor),
    playersMinor: Number(r.players_minor),
    paidThroughTicketId: Number(r.paid_through_ticket_id),
    paidTickets: Number(r.paid_tickets),
    paidMinor: Number(r.paid_minor),
    payRanges: Number(r.pay_ranges),
  };
}

/** The next range of at most `limit` tickets of the draw after `afterId`: its last id, or null when none is left. */
export async function nextTicketRange(client: pg.ClientBase, drawId: number, afterId: number, limit: number): Promise<{ throughId: number; tickets: number } | null> {
  invariant(Number.isSafeInteger(limit) && limit > 0, `range of ${limit} tickets`);
  const { rows } = await client.query(
    `select max(id)::int8 as through, count(*)::int8 as n from (select id from tickets where draw_id = $1 and id > $2 order by id limit $3) r`,
    [drawId, afterId, limit],
  );
  return rows[0].n === 0 ? null : { throughId: Number(rows[0].through), tickets: Number(rows[0].n) };
}

/**
 * The statement that pays one range of a line game's tickets (see payTicketRange); its shape
 * depends on the plan only. $1 draw, $2/$3 drawn masks by bet type, $4-$7 and $12.. the
 * winning classes, $8/$9 the range (after, through], $10 pool, $11 least matches per segment.
 */
function payLinesStatement(plan: ClassPlan, tierCount: number): string {
  invariant(Number.isInteger(tierCount) && tierCount >= 1 && tierCount <= TIERS_MAX, `${tierCount} tiers`);
  const { matches, spots } = segmentColumns(plan.segments);
  const keys = [...matches.map((_, i) => `m${i}`), ...spots.map((_, i) => `s${i}`)];
  const keyParams = keys.map((_, i) => `$${i + 12}::int4[]`);
  // A line wins only if it matches, in each segment, at least as many bits as some winning
  // class does: a necessary condition that spares most lines the class key and the join.
  const atLeast = matches.map((e, i) => `${e} >= ($11::int4[])[${i + 1}]`);
  const tierLines = Array.from({ length: tierCount }, (_, k) => `count(*) filter (where w.tier = ${k})`);
  return `with drawn as (select * from unnest($2::text[], $3::varbit[]) as x(bet_type, d)),
     win as (
       select * from unnest($4::text[], $5::int8[], $6::int4[], $7::int8[], ${keyParams.join(', ')})
         as w(bet_type, stake_minor, tier, per_line, ${keys.join(', ')})
     ), masked as (
       -- offset 0 keeps each a subquery of its own: m & d computed once a line, each line's
       -- class once, then hashed against the winners.
       select t.id, t.player_id, t.bet_type, t.stake_minor, m, m & x.d as md
         from tickets t join drawn x using (bet_type) cross join lateral unnest(t.line_masks) as m
        where t.draw_id = $1 and t.id > $8 and t.id <= $9 and t.id <> all($${12 + keys.length}::int8[])
       offset 0
     ), lines as (
       select id, player_id, bet_type, stake_minor, ${[...matches.map((e, i) => `${e} as m${i}`), ...spots.map((e, i) => `${e} as s${i}`)].join(', ')}
         from masked where ${atLeast.join(' and ')}
       offset 0
     ), won as (
       select l.id, l.player_id, sum(w.per_line)::int8 as amount_minor, array[${tierLines.join(', ')}]::int4[] as tier_lines
         from lines l join win w using (bet_type, stake_minor, ${keys.join(', ')})
        group by l.id, l.player_id
     ${payWonSql('$10')}`;
}

/** The statement that pays one range of a raffle's winners: $1 draw, $2-$4 winners (ticket, amount, tier), $5/$6 the range, $7 pool. */
function payRaffleStatement(tierCount: number): string {
  invariant(Number.isInteger(tierCount) && tierCount >= 1 && tierCount <= TIERS_MAX, `${tierCount} tiers`);
  return `with won as (
       select t.id, t.player_id, w.amount as amount_minor,
              (select array_agg(case when k = w.tier then 1 else 0 end order by k) from generate_series(0, ${tierCount - 1}) as k)::int4[] as tier_lines
         from unnest($2::int8[], $3::int8[], $4::int4[]) as w(ticket_id, amount, tier)
         join tickets t on t.id = w.ticket_id and t.draw_id = $1
        where w.ticket_id > $5 and w.ticket_id <= $6
     ${payWonSql('$7')}`;
}

/**
 * The rest of a pay statement, after the CTE won (id, player_id, amount_minor, tier_lines):
 * a prize transfer from the pool (poolParam) and a ticket_prizes row per winning ticket,
 * every wallet locked in id order and credited once with its sum; counts for the assertions.
 */
function payWonSql(poolParam: string): string {
  // A prize at or above the review threshold of its winner's jurisdiction (migration 020,
  // jurisdiction_prize_rules) is paid into prizes_held instead of the wallet, with a
  // prize_holds row, until an operator releases it (ledger/prizeHolds.ts).
  return `), input as materialized (
       select w.id as ticket_id, w.player_id, a.id as wallet_id, w.amount_minor, w.tier_lines, nextval(pg_get_serial_sequence('transfers', 'id')) as transfer_id,
              coalesce(w.amount_minor >= r.review_threshold_minor, false) as held, p.jurisdiction
         from won w join accounts a on a.player_id = w.player_id and a.kind = 'player_wallet'
         join players p on p.id = w.player_id
         left join jurisdiction_prize_rules r on r.jurisdiction = p.jurisdiction
     ), locked as materialized (
       select id from accounts where id in (select wallet_id from input) and kind = 'player_wallet' order by id for no key update
     ), hold_account as materialized (
       -- After the wallets (the condition on locked runs first): wallets, then system accounts.
       select id from accounts where code = 'prizes_held' and exists (select 1 from input where held) and (select count(*) from locked) >= 0 for no key update
     ), paid as (
       insert into transfers (id, debit_account_id, credit_account_id, amount_minor, kind)
       select transfer_id, ${poolParam}, case when held then (select id from hold_account) else wallet_id end, amount_minor, 'prize' from input
       returning 1
     ), prized as (
       insert into ticket_prizes (ticket_id, draw_id, amount_minor, tier_lines, transfer_id)
       select ticket_id, $1, amount_minor, tier_lines, transfer_id from input
       returning 1
     ), holds as (
       insert into prize_holds (ticket_id, draw_id, player_id, jurisdiction, amount_minor, status, held_at)
       select ticket_id, $1, player_id, jurisdiction, amount_minor, 'held', now() from input where held
       returning 1
     ), credited as (
       -- The condition on locked is an InitPlan, run once before the first row is updated:
       -- every wallet is locked in id order first, and nothing is credited unless all were.
       -- (A join with locked instead was planned as a nested loop over two CTE scans on the
       -- planner's estimate of a few rows: 45 million comparisons for 6,761 wallets.)
       update accounts a set balance_minor = a.balance_minor + c.amount
         from (select case when held then (select id from hold_account) else wallet_id end as account_id, sum(amount_minor)::int8 as amount
                 from input group by 1) c
        where a.id = c.account_id and (select count(*) from locked) = (select count(distinct wallet_id) from input)
       returning 1
     ), recorded as (
       -- The prizes in each winner's recent activity (migration 013), which their loss limits
       -- count: after the wallets are locked, as the bet batch reads the row under that lock.
       update player_activity a set
              series = activity_add_won(a.series, x.q, x.amount, x.q - ${WEEK_QUARTERS}),
              month_won = case when a.month_key = x.month_now then a.month_won else 0 end + x.amount,
              month_staked = case when a.month_key = x.month_now then a.month_staked else 0 end,
              month_key = x.month_now
         from (select w.player_id, sum(w.amount_minor)::int8 as amount, floor(extract(epoch from now()) / 900)::int8 as q,
                      (extract(year from now() at time zone p.time_zone) * 12 + extract(month from now() at time zone p.time_zone) - 1)::int4 as month_now
                 from won w join players p on p.id = w.player_id group by w.player_id, p.time_zone) x
        where a.player_id = x.player_id and (select count(*) from locked) = (select count(distinct wallet_id) from input)
       returning 1
     )
     select (select count(*) from won)::int8 as won, (select count(*) from recorded)::int8 as recorded,
            (select count(distinct player_id) from won)::int8 as winners, (select count(*) from input)::int8 as staged,
            (select coalesce(sum(amount_minor), 0) from input)::int8 as amount, (select count(distinct wallet_id) from input)::int8 as wallets,
            (select count(*) from locked)::int8 as locked, (select count(*) from paid)::int8 as paid,
            (select count(*) from prized)::int8 as prized, (select count(*) from credited)::int8 as credited,
            (select count(*) from input where held)::int8 as held, (select count(*) from holds)::int8 as holds,
            (select count(distinct wallet_id) from input where not held)::int8 + (select count(*) from hold_account)::int8 as accounts`;
}

/** The pay statement for a range of the draw's tickets, (cursor, throughId], and its parameters. */
function payStatementFor(draw: Pick<LockedDrawStep, 'id' | 'poolAccountId'>, record: SettlementRecord, throughId: number): [string, unknown[]] {
  if (record.raffleWinners) {
    const w = record.raffleWinners;
    return [
      payRaffleStatement(record.tierCount),
      [draw.id, w.map((x) => x.ticketId), w.map((x) => x.amountMinor), w.map((x) => x.tier), record.paidThroughTicketId, throughId, draw.poolAccountId],
    ];
  }
  const w = record.winning;
  const [types, masks] = drawnInput(record.plan);
  const segments = record.plan.segments.map((_, i) => i);
  const keyArrays = [...segments.map((i) => w.map((c) => c.matches[i])), ...segments.map((i) => w.map((c) => c.spots[i]))];
  // Without a winning class no line can win: more matches than any segment has bits.
  const matchesMin = segments.map((i) => w.reduce((min, c) => Math.min(min, c.matches[i]), SEGMENT_BITS_MAX + 1));
  return [
    payLinesStatement(record.plan, record.tierCount),
    [
      draw.id, types, masks, w.map((c) => c.betType), w.map((c) => c.stakeMinor), w.map((c) => c.tier), w.map((c) => c.perLineMinor),
      record.paidThroughTicketId, throughId, draw.poolAccountId, matchesMin, ...keyArrays,
    ],
  ];
}

/**
 * Pay, one range: every winning ticket of the draw with an id in (cursor, throughId] paid
 * in one statement, then the pool debited and the cursor moved, checking that it was still
 * where this payer found it. Returns the prizes paid and their sum.
 */
export async function payTicketRange(
  client: pg.ClientBase,
  draw: Pick<LockedDrawStep, 'id' | 'publicId' | 'poolAccountId'>,
  record: SettlementRecord,
  throughId: number,
): Promise<{ prizes: number; amountMinor: number }> {
  invariant(throughId > record.paidThroughTicketId, `draw ${draw.publicId}: range ends at ${throughId}, at or before the cursor ${record.paidThroughTicketId}`);
  const [text, values] = payStatementFor(draw, record, throughId);
  if (!record.raffleWinners) values.push(await refundedTicketIds(client, draw.id));
  const { rows } = await client.query(text, values);
  const r = rows[0];
  invariant(r.staged === r.won, `draw ${draw.publicId}: ${r.won} winning tickets, ${r.staged} with a wallet`);
  invariant(r.locked === r.wallets, `draw ${draw.publicId}: locked ${r.locked} of ${r.wallets} wallets`);
  invariant(r.credited === r.accounts, `draw ${draw.publicId}: credited ${r.credited} of ${r.accounts} accounts`);
  invariant(r.holds === r.held, `draw ${draw.publicId}: recorded ${r.holds} of ${r.held} held prizes`);
  invariant(r.paid === r.staged, `draw ${draw.publicId}: wrote ${r.paid} transfers for ${r.staged} prizes`);
  invariant(r.prized === r.staged, `draw ${draw.publicId}: wrote ${r.prized} ticket prizes for ${r.staged} prizes`);
  invariant(r.recorded === r.winners, `draw ${draw.publicId}: recorded the prizes of ${r.recorded} of ${r.winners} winners`);
  await advanceCursor(client, draw, record, throughId, Number(r.staged), Number(r.amount));
  return { prizes: Number(r.staged), amountMinor: Number(r.amount) };
}

/** After the wallets (lock order): the pool debited by the range's prizes and the cursor moved past the range. */
async function advanceCursor(client: pg.ClientBase, draw: Pick<LockedDrawStep, 'id' | 'publicId' | 'poolAccountId'>, record: SettlementRecord, throughId: number, prizes: number, amountMinor: number): Promise<void> {
  const { rows } = await client.query(
    `with pool as (
       update accounts set balance_minor = balance_minor - $3 where id = $2 and kind = 'draw_pool' returning balance_minor
     ), progress as (
       update draw_settlements
          set paid_through_ticket_id = $5, paid_tickets = paid_tickets + $4, paid_minor = paid_minor + $3, pay_ranges = pay_ranges + 1
        where draw_id = $1 and paid_through_ticket_id = $6 and closed_at is null
       returning paid_minor, players_minor
     )
     select (select balance_minor from pool) as pool_after, (select count(*) from progress)::int8 as moved,
            (select players_minor - paid_minor from progress) as owed`,
    [draw.id, draw.poolAccountId, amountMinor, prizes, throughId, record.paidThroughTicketId],
  );
  const r = rows[0];
  invariant(r.moved === 1, `draw ${draw.publicId}: the pay cursor moved from ${record.paidThroughTicketId} under this payer`);
  invariant(r.pool_after === r.owed, `draw ${draw.publicId}: pool holds ${r.pool_after}, the winners not yet paid are owed ${r.owed}`);
  record.paidThroughTicketId = throughId;
  record.paidTickets += prizes;
  record.paidMinor += amountMinor;
  record.payRanges++;
}

/**
 * Close: pair assertions against the rows paid (no ticket left beyond the cursor, prizes as
 * counted, the pool empty), then the draw marked settled with the recorded totals.
 */
export async function closeSettlement(client: pg.ClientBase, draw: Pick<LockedDrawStep, 'id' | 'publicId' | 'poolAccountId'>, record: SettlementRecord): Promise<void> {
  const { rows } = await client.query(
    `select (select count(*) from tickets where draw_id = $1 and id > $3)::int8 as unpaid,
            (select count(*) from ticket_prizes where draw_id = $1)::int8 as prizes,
            (select coalesce(sum(amount_minor), 0) from ticket_prizes where draw_id = $1)::int8 as paid,
            (select balance_minor from accounts where id = $2)::int8 as pool`,
    [draw.id, draw.poolAccountId, record.paidThroughTicketId],
  );
  const r = rows[0];
  invariant(r.unpaid === 0, `draw ${draw.publicId}: ${r.unpaid} tickets beyond the pay cursor`);
  invariant(r.prizes === record.paidTickets, `draw ${draw.publicId}: ${r.prizes} ticket prizes, the cursor counted ${record.paidTickets}`);
  invariant(r.paid === record.paidMinor, `draw ${draw.publicId}: ticket prizes sum to ${r.paid}, the cursor counted ${record.paidMinor}`);
  invariant(r.paid === record.playersMinor, `draw ${draw.publicId}: paid ${r.paid}, the game decided ${record.playersMinor}`);
  invariant(r.pool === 0, `draw ${draw.publicId}: pool holds ${r.pool} after settlement, not 0`);
  const updated = await client.query(
    `with closed as (
       update draw_settlements set closed_at = clock_timestamp() where draw_id = $1 and closed_at is null
       returning players_minor, house_out_minor, house_out_transfer_id, tiers, rollover_in_minor, rollover_out_minor, house_in_minor,
                 rollover_in_transfer_id, rollover_out_transfer_id, house_in_transfer_id
     )
     update draws d set status = 'settled', settled_at = clock_timestamp(), prize_total_minor = c.players_minor,
            house_share_minor = c.house_out_minor, house_transfer_id = c.house_out_transfer_id, prize_tiers = c.tiers,
            rollover_in_minor = c.rollover_in_minor, rollover_out_minor = c.rollover_out_minor, house_in_minor = c.house_in_minor,
            rollover_in_transfer_id = c.rollover_in_transfer_id, rollover_out_transfer_id = c.rollover_out_transfer_id,
            house_in_transfer_id = c.house_in_transfer_id
       from closed c
      where d.id = $1 and d.status = 'drawn'`,
    [draw.id],
  );
  invariant(updated.rowCount === 1, `draw ${draw.publicId} changed status while being settled`);
}
