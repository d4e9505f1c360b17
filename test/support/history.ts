// test/support/history.ts — a long ticket history, written set-based (generate_series), for
// the history test and bench/history.ts: one player with many tickets spread over daily
// draws of several games across more than a year, and other players' tickets in the same
// draws, so the player's rows are a part of the table as in production.
//
// Consistent with the schema's constraints and with what the history relies on: every
// ticket lies in its draw's sales window [open_at, cutoff_at), its bet comes from the game's
// own validateBet (bet type, stake, cost, line masks), request ids are unique per player,
// and pairs of tickets share a received millisecond (the id breaks the tie). Not a balanced
// ledger: no stakes were debited, so ledger/invariants.ts would object; this is for reading.
import type pg from 'pg';
import { gameById } from '../../games/index.ts';

export interface HistoryFixtureOptions {
  /** The player (row id) whose history this is. */
  playerId: number;
  tickets: number;
  /** Days of daily draws, ending the day before `endMs`. */
  days: number;
  games: readonly string[];
  otherPlayers: number;
  otherTickets: number;
  endMs?: number;
}

export interface FixtureDraw {
  id: number;
  publicId: string;
  gameId: string;
  openAtMs: number;
  cutoffAtMs: number;
}

/** Sales open at midnight UTC, cut off at 15:00, draw at 16:00; every tenth draw was halted. */
const CUTOFF_AFTER_OPEN_MS = 15 * 3600_000;

const SAMPLE_LINES: Record<string, number[][]> = { lotto649: [[3, 11, 19, 27, 35, 43]], keno: [[5, 10, 20, 40, 80]], pick3: [[1, 2, 3]] };

export async function seedHistory(pool: pg.Pool, o: HistoryFixtureOptions): Promise<FixtureDraw[]> {
  const endMs = o.endMs ?? Date.now();
  const firstDayMs = Math.floor(endMs / 86_400_000) * 86_400_000 - o.days * 86_400_000;
  const draws = await insertDraws(pool, o, firstDayMs);
  const bets = o.games.map((id) => {
    const game = gameById(id);
    if (!game) throw new Error(`no game ${id}`);
    const type = game.betTypes[0];
    const checked = game.validateBet({ betType: type.id, stakeMinor: type.stakesMinor[0], lines: SAMPLE_LINES[id] ?? [[1]] });
    if (!checked.ok) throw new Error(`fixture bet of ${id} refused: ${checked.reason}`);
    return { gameId: id, ...checked.bet };
  });
  const others = await insertOtherPlayers(pool, o.otherPlayers);
  await insertTickets(pool, draws, bets, [o.playerId], o.tickets, 'h');
  if (o.otherTickets > 0) await insertTickets(pool, draws, bets, others, o.otherTickets, 'o');
  await pool.query('analyze tickets');
  await pool.query('analyze draws');
  return draws;
}

async function insertDraws(pool: pg.Pool, o: HistoryFixtureOptions, firstDayMs: number): Promise<FixtureDraw[]> {
  const { rows } = await pool.query(
    `with plan as (
       select g.game_id, d.day, row_number() over (order by d.day, g.ord) as n
         from unnest($1::text[]) with ordinality as g(game_id, ord), generate_series(0, $2::int - 1) as d(day)
     ), pools as (
       insert into accounts (kind) select 'draw_pool' from plan returning id
     ), numbered as (
       select id, row_number() over (order by id) as n from pools
     )
     insert into draws (public_id, game_id, business_date, open_at, cutoff_at, draw_at, status, pool_account_id, seed_commitment, seed_sealed, seed_key_id, leaf_version)
     select 'hist-' || p.game_id || '-' || p.day, p.game_id, ($3::timestamptz + p.day * interval '1 day')::date,
            $3::timestamptz + p.day * interval '1 day',
            $3::timestamptz + p.day * interval '1 day' + $4::int8 * interval '1 millisecond',
            $3::timestamptz + p.day * interval '1 day' + $4::int8 * interval '1 millisecond' + interval '1 hour',
            case when p.n % 10 = 0 then 'halted' else 'closed' end, a.id, sha256(convert_to(p.game_id || p.day, 'UTF8')), '\\x00', 'fixture', 2
       from plan p join numbered a using (n)
     returning id, public_id, game_id, (extract(epoch from open_at) * 1000)::int8 as open_ms, (extract(epoch from cutoff_at) * 1000)::int8 as cutoff_ms`,
    [o.games, o.days, new Date(firstDayMs), CUTOFF_AFTER_OPEN_MS],
  );
  return rows
    .map((r) => ({ id: Number(r.id), publicId: r.public_id, gameId: r.game_id, openAtMs: Number(r.open_ms), cutoffAtMs: Number(r.cutoff_ms) }))
    .sort((a, b) => a.openAtMs - b.openAtMs || a.id - b.id);
}

async function insertOtherPlayers(pool: pg.Pool, count: number): Promise<number[]> {
  if (count === 0) return [];
  const tag = `${process.pid}-${Date.now()}`;
  const { rows } = await pool.query(
    `insert into players (public_id, email, password_hash, date_of_birth, country, jurisdiction)
     select 'hist-' || $2 || '-' || i, 'hist-' || $2 || '-' || i || '@example.test', 'none', date '1990-01-01', 'DE', 'DE'
       from generate_series(1, $1::int) as i
     returning id`,
    [count, tag],
  );
  return rows.map((r) => Number(r.id));
}

/**
 * `count` tickets dealt round-robin over the draws (ticket i to draw i mod n) and over the
 * players; within a draw the k-th ticket is received k/2 minutes after the opening (pairs
 * share a millisecond), well inside the 15-hour window for up to ~1,800 tickets a draw.
 */
async function insertTickets(
  pool: pg.Pool,
  draws: readonly FixtureDraw[],
  bets: readonly { gameId: string; betType: string; stakeMinor: number; lines: number[][]; lineMasks: string[]; costMinor: number }[],
  playerIds: readonly number[],
  count: number,
  prefix: string,
): Promise<void> {
  const perDrawMax = Math.ceil(count / draws.length);
  if (perDrawMax / 2 >= CUTOFF_AFTER_OPEN_MS / 60_000) throw new Error(`${perDrawMax} tickets a draw do not fit its window`);
  await pool.query(
    `with d as (
       select x.id, x.k, dr.open_at, b.bet_type, b.stake, b.lines, b.masks, b.cost
         from unnest($1::int8[]) with ordinality as x(id, k)
         join draws dr on dr.id = x.id
         join unnest($2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::int8[]) as b(game_id, bet_type, stake, lines, masks, cost)
           on b.game_id = dr.game_id
     ), p as (
       select id, k from unnest($8::int8[]) with ordinality as p(id, k)
     )
     insert into tickets (draw_id, player_id, request_id, bet_type, stake_minor, lines, line_masks, line_count, cost_minor, quick_pick, received_at)
     select d.id, p.id, $9 || i, d.bet_type, d.stake, d.lines::jsonb, d.masks::varbit[], jsonb_array_length(d.lines::jsonb), d.cost,
            i % 3 = 0, d.open_at + ((i - 1) / $10::int8 / 2) * interval '1 minute'
       from generate_series(1, $11::int8) as i
       join d on d.k = (i - 1) % $10::int8 + 1
       join p on p.k = (i - 1) % $12::int8 + 1`,
    [
      draws.map((d) => d.id),
      bets.map((b) => b.gameId),
      bets.map((b) => b.betType),
      bets.map((b) => b.stakeMinor),
      bets.map((b) => JSON.stringify(b.lines)),
      bets.map((b) => `{${b.lineMasks.join(',')}}`),
      bets.map((b) => b.costMinor),
      playerIds,
      `${prefix}-`,
      draws.length,
      count,
      playerIds.length,
    ],
  );
}
