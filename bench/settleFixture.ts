// bench/settleFixture.ts — a lotto 6/49 draw of a million tickets, written straight into a
// scratch database with set-based SQL (generate_series), for bench/settle.ts.
//
// What it writes is what the bet path would have written, so that the ledger invariants
// (ledger/invariants.ts) hold on it: players with wallets, one completed deposit each (a
// deposit transfer from the sandbox clearing account) of what the player's tickets cost
// plus a float, every ticket with its stake transfer wallet -> pool, and balances equal to
// the transfers. Tickets are received inside the draw's sales window.
//
// Lines: a table of `linesTable` distinct random 6-of-49 lines (seeded, so every run with
// the same options writes the same tickets); each ticket takes its lines from it by a hash
// of (ticket, line), so lines repeat across tickets as popular lines do. Each ticket has
// 1 to 10 lines (mean ~3.9), as the bench's mix below says.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';

export interface FixtureOptions {
  drawId: number;
  tickets: number;
  players: number;
  linesTable: number;
  /** PRNG seed for the lines table. */
  seed: number;
  /** Received-at of the first ticket; tickets follow a millisecond apart (mod an hour). */
  receivedFromMs: number;
  linePriceMinor: number;
}

/** Lines per ticket, picked by a hash of the ticket: mostly few, some full tickets. */
const LINES_MIX = [1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10];
/** Tickets written per INSERT: each statement stays a few seconds long, with progress between. */
const TICKETS_PER_STATEMENT = 100_000;
/** What each player keeps in the wallet beyond the cost of their tickets. */
const FLOAT_MINOR = 10_000;

/** mulberry32: a small seeded PRNG, enough to make reproducible random lines. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` distinct random lines of 6 of 1..49, sorted, and their 49-bit masks. */
export function randomLines(count: number, seed: number): { numbers: number[][]; masks: string[] } {
  const random = prng(seed);
  const seen = new Set<string>();
  const numbers: number[][] = [];
  const masks: string[] = [];
  while (numbers.length < count) {
    const pool = Array.from({ length: 49 }, (_, i) => i + 1);
    for (let i = 0; i < 6; i++) {
      const j = i + Math.floor(random() * (49 - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const line = pool.slice(0, 6).sort((a, b) => a - b);
    const mask = Array.from({ length: 49 }, (_, i) => (line.includes(i + 1) ? '1' : '0')).join('');
    if (seen.has(mask)) continue;
    seen.add(mask);
    numbers.push(line);
    masks.push(mask);
  }
  return { numbers, masks };
}

/** Players with wallets; returns the first player's id (ids are consecutive). */
async function insertPlayers(client: pg.ClientBase, count: number, tag: string): Promise<number> {
  const { rows } = await client.query(
    `with p as (
       insert into players (public_id, email, password_hash, date_of_birth, country)
       select 'p_' || $2 || '_' || g, $2 || g || '@bench.test', 'not a hash: bench players never log in', '1980-01-01', 'DE'
         from generate_series(1, $1) g
       returning id
     ), w as (insert into accounts (kind, player_id) select 'player_wallet', id from p returning player_id)
     select min(player_id)::int8 as first, max(player_id)::int8 as last, count(*)::int8 as n from w`,
    [count, tag],
  );
  invariant(rows[0].n === count && rows[0].last - rows[0].first + 1 === count, 'bench players must have consecutive ids');
  return rows[0].first;
}

/** The lines table, from JS (seeded) in one statement. */
async function insertLinesTable(client: pg.ClientBase, count: number, seed: number): Promise<void> {
  const { numbers, masks } = randomLines(count, seed);
  await client.query(`create unlogged table if not exists bench_lines (idx int4 primary key, numbers jsonb not null, mask varbit not null)`);
  await client.query(`truncate bench_lines`);
  await client.query(
    `insert into bench_lines select g - 1, (n)::jsonb, (m)::varbit from unnest($1::text[], $2::text[]) with ordinality as x(n, m, g)`,
    [numbers.map((l) => JSON.stringify(l)), masks],
  );
}

/** Tickets from..to of the fixture, in one statement. */
async function insertTickets(client: pg.ClientBase, o: FixtureOptions, firstPlayerId: number, from: number, to: number): Promise<void> {
  await client.query(
    `insert into tickets (draw_id, player_id, request_id, bet_type, stake_minor, lines, line_masks, line_count, cost_minor, quick_pick, received_at)
     select $1::int8, $2::int8 + (g * 104729) % $3::int8, 'bench-' || $1::int8 || '-' || g, 'standard', $4::int8, x.lines, x.masks, c.n, $4::int8 * c.n, g % 3 = 0,
            $5::timestamptz + make_interval(secs => (g % 3600000) / 1000.0)
       from generate_series($6::int8, $7::int8) g
       cross join lateral (select ($8::int4[])[1 + (g * 7919) % cardinality($8::int4[])] as n) c
       cross join lateral (
         select jsonb_agg(l.numbers order by k) as lines, array_agg(l.mask order by k) as masks
           from generate_series(1, c.n) k
           join bench_lines l on l.idx = ((g * 16 + k) * 2654435761) % 4294967291 % $9::int8
       ) x
      order by g`,
    [o.drawId, firstPlayerId, o.players, o.linePriceMinor, new Date(o.receivedFromMs), from, to, LINES_MIX, o.linesTable],
  );
}

/**
 * Deposits covering each player's tickets plus a float, the deposit and stake transfers,
 * and every touched balance set from the transfers.
 */
async function fundAndStake(client: pg.ClientBase, drawId: number, firstPlayerId: number, players: number): Promise<void> {
  await client.query(
    `insert into deposits (public_id, player_id, idempotency_key, amount_minor, provider, status, completed_at)
     select 'dep_bench_' || $1::int8 || '_' || p.id, p.id, 'bench-' || $1::int8, coalesce(s.cost, 0) + $4::int8, 'sandbox', 'completed', now()
       from generate_series($2::int8, $2::int8 + $3 - 1) as p(id)
       left join (select player_id, sum(cost_minor)::int8 as cost from tickets where draw_id = $1 group by 1) s on s.player_id = p.id`,
    [drawId, firstPlayerId, players, FLOAT_MINOR],
  );
  await client.query(
    `insert into transfers (debit_account_id, credit_account_id, amount_minor, kind, deposit_id)
     select c.id, w.id, d.amount_minor, 'deposit', d.id
       from deposits d join accounts w on w.player_id = d.player_id and w.kind = 'player_wallet'
       cross join (select id from accounts where code = 'provider_clearing:sandbox') c
      where d.idempotency_key = 'bench-' || $1::int8`,
    [drawId],
  );
  await client.query(
    `insert into transfers (debit_account_id, credit_account_id, amount_minor, kind, ticket_id)
     select w.id, d.pool_account_id, t.cost_minor, 'stake', t.id
       from tickets t join draws d on d.id = t.draw_id join accounts w on w.player_id = t.player_id and w.kind = 'player_wallet'
      where t.draw_id = $1`,
    [drawId],
  );
  await client.query(
    `update accounts a set balance_minor = m.net
       from (select id, sum(delta)::int8 as net
               from (select credit_account_id as id, amount_minor as delta from transfers
                     union all select debit_account_id, -amount_minor from transfers) x
              group by id) m
      where a.id = m.id and a.balance_minor <> m.net`,
  );
}

/** Writes the whole fixture; `progress` is told after each statement of tickets. */
export async function writeFixture(pool: pg.Pool, o: FixtureOptions, progress: (written: number) => void): Promise<void> {
  const client = await pool.connect();
  try {
    await insertLinesTable(client, o.linesTable, o.seed);
    const firstPlayerId = await insertPlayers(client, o.players, `b${o.drawId}`);
    for (let from = 1; from <= o.tickets; from += TICKETS_PER_STATEMENT) {
      const to = Math.min(o.tickets, from + TICKETS_PER_STATEMENT - 1);
      await insertTickets(client, o, firstPlayerId, from, to);
      progress(to);
    }
    await fundAndStake(client, o.drawId, firstPlayerId, o.players);
    // Autovacuum would analyze tables this size within minutes of the sales; a bench must not wait for it.
    await client.query('analyze');
  } finally {
    client.release();
  }
}

/** Whether some ticket of the draw holds this mask as one of its lines (for the bench's jackpot). */
export async function lineIsSold(pool: pg.Pool, drawId: number, mask: string): Promise<boolean> {
  const { rows } = await pool.query(
    `select exists (select 1 from tickets t cross join lateral unnest(t.line_masks) as m where t.draw_id = $1 and m = $2::varbit) as sold`,
    [drawId, mask],
  );
  return rows[0].sold;
}

/** The masks of the lines table, to find a drawn line that was sold. */
export async function linesTableMasks(pool: pg.Pool): Promise<Set<string>> {
  const { rows } = await pool.query(`select mask::text as mask from bench_lines`);
  return new Set(rows.map((r) => r.mask));
}
