// bench/report.ts — the period report and the regulator exports on a day of a million tickets.
//
//   npm run bench:report [-- --tickets 1000000 --players 200000 --games lotto649,keno,pick3]
//
// Seeds a scratch database on DATABASE_URL with set-based SQL (insert ... select from
// generate_series: what is timed is the reading, not the writing): players in two
// jurisdictions with funded wallets and their limits, one draw per game on one day with the
// tickets split evenly over them, a prize on every 20th ticket (prize transfers and
// ticket_prizes), the largest held for review in prizes_held, and a day of deposits, paid
// withdrawals, limit changes, breaks and alerts. Then times the report (JSON, with a game, with
// a jurisdiction, and as CSV), an export of the largest draw (every line produced and
// counted, none kept) and one of a player. Prints a table, writes bench/results/report-<time>.json.
// Uses DATABASE_URL (a scratch database on that server); needs PostgreSQL.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { openDatabase } from '../app/database.ts';
import { reportCsv } from '../app/reportCsv.ts';
import { createLogger } from '../core/logger.ts';
import { ensureDraw, type DrawRow } from '../ledger/draws.ts';
import { migrate } from '../ledger/migrate.ts';
import { exportInSnapshot, findDrawSubject, findPlayerSubject } from '../ledger/regulatorExport.ts';
import { periodReport, type PeriodReport } from '../ledger/reports.ts';
import { createScratchDatabase } from '../test/support/database.ts';

interface Options {
  tickets: number;
  players: number;
  games: string[];
}

function options(argv: string[]): Options {
  const o: Options = { tickets: 1_000_000, players: 200_000, games: ['lotto649', 'keno', 'pick3'] };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--tickets') o.tickets = Number(value);
    else if (key === '--players') o.players = Number(value);
    else if (key === '--games') o.games = value.split(',');
    else throw new Error(`unknown option ${key}`);
  }
  if (!(o.tickets >= 1 && o.players >= 2)) throw new Error('--tickets and --players must be positive');
  return o;
}

interface Step {
  step: string;
  seconds: number;
  detail: string;
}

const DAY = '2026-12-01';
const DAY_MS = Date.parse(`${DAY}T00:00:00Z`);

async function timed<T>(steps: Step[], step: string, f: () => Promise<T>, detail: (r: T) => string = () => ''): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await f();
  steps.push({ step, seconds: Number(process.hrtime.bigint() - start) / 1e9, detail: detail(result) });
  return result;
}

/** Players (every 4th in AT, the rest DE), verified, each with a wallet of 10,000 and a registration-time limit. */
async function seedPlayers(pool: pg.Pool, count: number): Promise<void> {
  await pool.query(
    `insert into players (public_id, email, password_hash, date_of_birth, country, jurisdiction, time_zone, kyc_status, created_at)
     select 'p_' || lpad(g::text, 16, '0'), 'bench' || g || '@report.test', 'x', date '1980-01-01',
            case when g % 4 = 0 then 'AT' else 'DE' end, case when g % 4 = 0 then 'AT' else 'DE' end, 'Europe/Berlin', 'verified',
            timestamptz '${DAY}T00:00:00Z' - interval '30 days'
       from generate_series(1, $1) g`,
    [count],
  );
  await pool.query(`insert into accounts (kind, player_id, balance_minor) select 'player_wallet', id, 10000 from players`);
  await pool.query(
    `insert into player_limit_changes (player_id, kind, period, amount_minor, requested_at, effective_at, source)
     select id, 'deposit', 'month', 50000, timestamptz '${DAY}T08:00:00Z', timestamptz '${DAY}T08:00:00Z', 'player' from players where id % 10 = 0`,
  );
}

async function seedDraws(pool: pg.Pool, games: string[]): Promise<DrawRow[]> {
  const draws: DrawRow[] = [];
  for (const [i, game] of games.entries()) {
    const { draw } = await ensureDraw(pool, {
      publicId: `${game}-${DAY}`,
      gameId: game,
      businessDate: DAY,
      openAtMs: DAY_MS - 86_400_000 + 16 * 3600_000,
      cutoffAtMs: DAY_MS + 15 * 3600_000 + i,
      drawAtMs: DAY_MS + 16 * 3600_000 + i,
      seedCommitment: crypto.randomBytes(32),
      seedSealed: crypto.randomBytes(60),
      seedKeyId: 'bench',
      beacon: null,
      leafVersion: 2,
    });
    draws.push(draw);
  }
  return draws;
}

/** The tickets, evenly over the draws, bought through the sales day, two lines each (lotto-shaped; the report does not read lines). */
async function seedTickets(pool: pg.Pool, draws: DrawRow[], o: Options): Promise<void> {
  const perDraw = Math.floor(o.tickets / draws.length);
  for (const d of draws) {
    await pool.query(
      `insert into tickets (draw_id, player_id, request_id, lines, line_count, cost_minor, quick_pick, received_at, bet_type, stake_minor, line_masks)
       select $1::int8, 1 + (g % $3::int8), 'r' || $1::int8 || '-' || g, '[[1,2,3,4,5,6],[7,8,9,10,11,12]]'::jsonb, 2, 400, true,
              timestamptz '${DAY}T00:00:00Z' - interval '8 hours' + (g * interval '1 millisecond') * (82800000.0 / $2::int8),
              'standard', 200, array[repeat('01', 24)::varbit || b'0', repeat('10', 24)::varbit || b'1']
         from generate_series(1, $2::int8) g`,
      [d.id, perDraw, o.players],
    );
  }
}

/**
 * A prize on every 20th ticket, 500..3,500; on every 20,000th, 250,000 held for review (paid
 * into prizes_held, as settlement does for a prize at or above the review threshold).
 */
async function seedPrizes(pool: pg.Pool): Promise<void> {
  await pool.query(`
    create temporary table bench_prizes as
    select t.id as ticket_id, t.draw_id, t.player_id, d.pool_account_id, a.id as wallet, pl.jurisdiction,
           case when t.id % 20000 = 0 then 250000 else 500 * (1 + t.id % 7) end as amount, nextval('transfers_id_seq') as transfer_id
      from tickets t join draws d on d.id = t.draw_id join accounts a on a.player_id = t.player_id join players pl on pl.id = t.player_id
     where t.id % 20 = 0`);
  await pool.query(`
    insert into transfers (id, debit_account_id, credit_account_id, amount_minor, kind, created_at)
    select transfer_id, pool_account_id, case when amount >= 250000 then (select id from accounts where code = 'prizes_held') else wallet end,
           amount, 'prize', timestamptz '${DAY}T16:05:00Z' from bench_prizes`);
  await pool.query(`
    insert into ticket_prizes (ticket_id, draw_id, amount_minor, tier_lines, transfer_id, created_at)
    select ticket_id, draw_id, amount, '{1}', transfer_id, timestamptz '${DAY}T16:05:00Z' from bench_prizes`);
  await pool.query(`
    insert into prize_holds (ticket_id, draw_id, player_id, jurisdiction, amount_minor, status, held_at)
    select ticket_id, draw_id, player_id, jurisdiction, amount, 'held', timestamptz '${DAY}T16:05:00Z' from bench_prizes where amount >= 250000`);
  await pool.query(`update accounts set balance_minor = (select coalesce(sum(amount_minor), 0) from prize_holds where status = 'held') where code = 'prizes_held'`);
}

/** A day of money and protection events: a deposit per 10th player, a paid withdrawal per 50th, a break per 500th, an alert per 1,000th. */
async function seedEvents(pool: pg.Pool): Promise<void> {
  const at = (hour: string) => `timestamptz '${DAY}T${hour}:00:00Z'`;
  await pool.query(`
    insert into deposits (public_id, player_id, idempotency_key, amount_minor, provider, status, created_at, completed_at)
    select 'dep_' || lpad(id::text, 16, '0'), id, 'seed', 5000, 'sandbox', 'completed', ${at('09')}, ${at('09')} from players where id % 10 = 0`);
  await pool.query(`
    with w as (select id as player_id, nextval('transfers_id_seq') as hold, nextval('transfers_id_seq') as paid from players where id % 50 = 0),
    t as (insert into transfers (id, debit_account_id, credit_account_id, amount_minor, kind, created_at)
          select hold, (select id from accounts where player_id = w.player_id), (select id from accounts where code = 'withdrawals_held'), 2000, 'withdrawal_hold', ${at('18')} from w
          union all
          select paid, (select id from accounts where code = 'withdrawals_held'), (select id from accounts where code = 'provider_clearing:sandbox'), 2000, 'withdrawal', ${at('19')} from w)
    insert into withdrawals (public_id, player_id, idempotency_key, amount_minor, provider, status, answer, requested_at, completed_at, hold_transfer_id, final_transfer_id)
    select 'wd_' || lpad(player_id::text, 16, '0'), player_id, 'seed', 2000, 'sandbox', 'paid', '{}', ${at('18')}, ${at('19')}, hold, paid from w`);
  await pool.query(`
    insert into player_exclusions (player_id, kind, duration, requested_at, ends_at)
    select id, 'break', '7 days', ${at('20')}, ${at('20')} + interval '7 days' from players where id % 500 = 0`);
  await pool.query(`
    insert into risk_alerts (rule, severity, player_id, draw_id, details, dedupe_key, raised_at)
    select case when id % 3 = 0 then 'deposit_burst' else 'stake_spike' end, 'warning', id, (select min(id) from draws), '{}', 'p' || id, ${at('14')}
      from players where id % 1000 = 0`);
}

/** Runs an export to its end, counting lines and bytes, keeping none. */
async function countExport(pool: pg.Pool, kind: 'draw' | 'player', publicId: string): Promise<{ lines: number; bytes: number }> {
  const subject = kind === 'draw' ? await findDrawSubject(pool, publicId) : await findPlayerSubject(pool, publicId);
  if (!subject) throw new Error(`no ${kind} ${publicId}`);
  const out = { lines: 0, bytes: 0 };
  await exportInSnapshot(pool, subject, (line) => {
    out.lines++;
    out.bytes += Buffer.byteLength(line) + 1;
  });
  return out;
}

async function seed(pool: pg.Pool, o: Options, steps: Step[]): Promise<DrawRow[]> {
  await timed(steps, 'seed players', () => seedPlayers(pool, o.players), () => `${o.players} players`);
  const draws = await seedDraws(pool, o.games);
  await timed(steps, 'seed tickets', () => seedTickets(pool, draws, o), () => `${o.tickets} tickets, ${draws.length} draws`);
  await timed(steps, 'seed prizes', () => seedPrizes(pool));
  await timed(steps, 'seed events', () => seedEvents(pool));
  await timed(steps, 'analyze', () => pool.query('analyze'));
  return draws;
}

async function measure(pool: pg.Pool, draws: DrawRow[], steps: Step[]): Promise<PeriodReport> {
  const period = { fromMs: DAY_MS, toMs: DAY_MS + 86_400_000 };
  const sales = (r: PeriodReport) => `${r.sales.total.tickets} tickets, stakes ${r.sales.total.stakesMinor}, prizes ${r.prizes.total.prizes.count}, large wins ${r.largeWins.count}`;
  const report = await timed(steps, 'report (JSON, all games)', () => periodReport(pool, period), sales);
  await timed(steps, 'report again (warm)', () => periodReport(pool, period), sales);
  await timed(steps, `report, game ${draws[0].gameId}`, () => periodReport(pool, { ...period, game: draws[0].gameId }), sales);
  await timed(steps, 'report, jurisdiction AT', () => periodReport(pool, { ...period, jurisdiction: 'AT' }), sales);
  await timed(steps, 'report as CSV (read + render)', async () => reportCsv(await periodReport(pool, period)), (csv) => `${csv.split('\r\n').length - 1} rows, ${csv.length} bytes`);
  const lines = (r: { lines: number; bytes: number }) => `${r.lines} lines, ${(r.bytes / 1e6).toFixed(1)} MB`;
  await timed(steps, `export draw ${draws[0].publicId}`, () => countExport(pool, 'draw', draws[0].publicId), lines);
  const { rows } = await pool.query(`select public_id from players where id = 20`);
  await timed(steps, 'export player', () => countExport(pool, 'player', rows[0].public_id), lines);
  return report;
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('bench:report needs DATABASE_URL (a PostgreSQL server): a million tickets is not an embedded-database job');
  const scratch = await createScratchDatabase(serverUrl, 'lottery_report');
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', logger: createLogger('warn'), statementMsMax: 600_000 });
  const steps: Step[] = [];
  try {
    await migrate(db.pool);
    const draws = await seed(db.pool, o, steps);
    const report = await measure(db.pool, draws, steps);
    print(o, steps, report);
  } finally {
    await db.close();
    await scratch.drop();
  }
}

function print(o: Options, steps: Step[], report: PeriodReport): void {
  console.log(`\n| step | seconds | detail |\n| --- | ---: | --- |`);
  for (const s of steps) console.log(`| ${s.step} | ${s.seconds.toFixed(2)} | ${s.detail} |`);
  const expected = Math.floor(o.tickets / o.games.length) * o.games.length;
  const ok = report.sales.total.tickets === expected && report.sales.total.stakesMinor === expected * 400;
  console.log(`\nreport counts ${ok ? 'match' : 'DIFFER FROM'} the seeded tickets (${expected}, ${expected * 400} minor units)`);
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `report-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ options: o, steps, totals: { sales: report.sales.total, prizes: report.prizes.total, liabilities: report.liabilities } }, null, 2));
  console.log(`written ${file}`);
  if (!ok) process.exitCode = 1;
}

await main();
