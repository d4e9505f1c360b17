// bench/settle.ts — seal, draw and settle one lotto 6/49 draw of a million tickets, each
// phase timed on its own, then the settlement checked against an independent recomputation
// and the ledger's invariants.
//
//   npm run bench:settle [-- --tickets 1000000 --players 200000 --lines-table 262144 --seed 1 --js-baseline 1 --jackpot 1]
//
// On DATABASE_URL (a fresh scratch database) or embedded PGlite. What a run does:
//  1. a small previous draw of the game (2,000 tickets) is sold, sealed, drawn and settled
//     through the DrawRunner, so that its unwon jackpot waits in the rollover account and
//     the big draw settles with a rollover in;
//  2. the big draw's tickets, players, deposits and stakes are written with set-based SQL
//     (bench/settleFixture.ts) and the draw is closed;
//  3. seal (DrawRunner.seal: the Merkle root over every ticket), timed;
//  4. with --jackpot 1 the bench, as operator, picks the operator seed after the seal so
//     that the drawn numbers are one of the lines sold: the jackpot is won and every tier
//     has winners (a real operator commits to its seed before sales; this is a bench);
//  5. draw (DrawRunner.draw: reveal, DRBG, proof signed and verified), timed;
//  6. with --js-baseline 1, the earlier settlement's reading: every ticket's jsonb lines
//     into JavaScript a page at a time and each line's tier by games/prizes.ts (read-only,
//     without its writes: a lower bound of what it cost), timed;
//  7. settle (DrawRunner.settle), timed, with the phases it logs;
//  8. the prizes recomputed from the jsonb lines with the rules written out in
//     bench/settleCheck.ts and compared ticket by ticket, wallets = deposits − stakes +
//     prizes, and ledger/invariants.ts over the whole ledger.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DrawRunner } from '../actors/DrawRunner.ts';
import { openDatabase, type Database } from '../app/database.ts';
import { loadDrawKeys } from '../app/keys.ts';
import { nativeSha256 } from '../app/nativeCrypto.ts';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/logger.ts';
import { seedCommitment } from '../draw/commit.ts';
import { numbersFor } from '../draw/select.ts';
import { SeedVault } from '../draw/vault.ts';
import { hexToBytes } from '@noble/hashes/utils.js';
import { gameById } from '../games/index.ts';
import { LOTTO649_PRIZES } from '../games/lotto649.ts';
import { ticketTierLines } from '../games/prizes.ts';
import { ensureDraw, closeDueDraws, drawById, type DrawRow } from '../ledger/draws.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { migrate } from '../ledger/migrate.ts';
import { rolloverBalance } from '../ledger/settleSets.ts';
import { allGames } from '../games/index.ts';
import { DRAW_TICKETS_PER_PAGE_MAX } from '../core/limits.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { checkSettlement, expectedSettlement, JACKPOT_CAP_MINOR } from './settleCheck.ts';
import { lineIsSold, linesTableMasks, writeFixture } from './settleFixture.ts';
import { LOTTO649_JACKPOT_CAP_MINOR } from '../games/lotto649.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GAME_ID = 'lotto649';
const LINE_PRICE_MINOR = 200;
const PREVIOUS_DRAW_TICKETS = 2_000;
/** Operator seeds tried for a sold jackpot line before giving up (each hits with p ≈ lines table / 13,983,816). */
const JACKPOT_SEED_TRIES_MAX = 5_000;

interface Options {
  tickets: number;
  players: number;
  linesTable: number;
  seed: number;
  jsBaseline: number;
  jackpot: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { tickets: 1_000_000, players: 200_000, linesTable: 262_144, seed: 1, jsBaseline: 1, jackpot: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase()) as keyof Options;
    const value = Number(argv[i + 1]);
    if (!(key in o) || !Number.isInteger(value) || value < 0) throw new Error(`bad argument ${argv[i]} ${argv[i + 1]}`);
    o[key] = value;
  }
  return o;
}

interface Bench {
  db: Database;
  /** The bench's own statements (fixture, checks): no statement bound, unlike the server's pool. */
  sql: pg.Pool;
  runner: DrawRunner;
  vault: SeedVault;
  settledLogs: Record<string, unknown>[];
  cleanup(): Promise<void>;
}

async function openBench(o: Options): Promise<Bench> {
  const logger = createLogger('warn');
  let db: Database;
  let sql: pg.Pool;
  let drop: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    const scratch = await createScratchDatabase(process.env.DATABASE_URL, 'lottery_bench_settle');
    db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', logger });
    sql = new pg.Pool({ connectionString: scratch.url, max: 2 });
    drop = async () => {
      await sql.end();
      await scratch.drop();
    };
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-bench-settle-'));
    db = await openDatabase({ dataDir, logger });
    sql = db.pool;
    drop = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  }
  await migrate(db.pool);
  // The seed key fixes the pseudonyms, hence the ticket root: same options, same draw.
  const seedKey = crypto.createHash('sha256').update(`bench-settle-${o.seed}`).digest('hex');
  const keys = loadDrawKeys({ seedKey, signingKey: crypto.randomBytes(32).toString('hex') }, '', logger);
  const vault = new SeedVault(keys.seedKey);
  const settledLogs: Record<string, unknown>[] = [];
  const runnerLogger = createLogger('debug', {
    write(line: string) {
      const entry = JSON.parse(line);
      if (entry.msg === 'draw settled' || entry.msg === 'settlement range paid') settledLogs.push(entry);
    },
  });
  const runner = new DrawRunner({
    pool: db.pool, clock: systemClock, logger: runnerLogger, vault, signingKey: keys.signingKey, publicKey: keys.publicKey,
    beacon: null, revealWaitMs: 0, sha256: nativeSha256,
  });
  return { db, sql, runner, vault, settledLogs, cleanup: async () => { await db.close(); await drop(); } };
}

/** A draw whose sales window is over and whose draw time has come (minutes ago). */
async function newDraw(b: Bench, minutesAgo: number): Promise<DrawRow> {
  const drawAtMs = Date.now() - minutesAgo * 60_000;
  const publicId = `bench-${crypto.randomBytes(4).toString('hex')}`;
  const seed = b.vault.newSeed();
  const { draw } = await ensureDraw(b.db.pool, {
    publicId, gameId: GAME_ID, businessDate: new Date(drawAtMs).toISOString().slice(0, 10),
    openAtMs: drawAtMs - 3 * 3600_000, cutoffAtMs: drawAtMs - 60_000, drawAtMs,
    seedCommitment: seedCommitment(publicId, 'operator', seed), seedSealed: b.vault.seal(publicId, seed), seedKeyId: b.vault.keyId, beacon: null,
  });
  return draw;
}

/** Busy, total and stolen jiffies of the whole machine (as bench/bets.ts reads them). */
function machineJiffies(): { busy: number; total: number; steal: number } {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = cpu[3] + (cpu[4] ?? 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total, steal: cpu[7] ?? 0 };
  } catch {
    return { busy: NaN, total: NaN, steal: NaN };
  }
}

/** How busy the machine was between two readings, and how much the hypervisor took: other work on the two cores shows here. */
function machineBetween(a: ReturnType<typeof machineJiffies>, b: ReturnType<typeof machineJiffies>): string {
  const total = b.total - a.total;
  return `machine busy ${((100 * (b.busy - a.busy)) / total).toFixed(0)}%, steal ${((100 * (b.steal - a.steal)) / total).toFixed(1)}%, load average ${os.loadavg()[0].toFixed(1)}`;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const startedAt = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: Number(process.hrtime.bigint() - startedAt) / 1e9 };
}

/** Writes a draw's tickets, closes it; returns the setup time. */
async function sellAndClose(b: Bench, draw: DrawRow, o: Options, tickets: number, players: number): Promise<number> {
  const { seconds } = await timed(() =>
    writeFixture(b.sql, { drawId: draw.id, tickets, players, linesTable: o.linesTable, seed: o.seed + draw.id, receivedFromMs: draw.openAtMs + 1_000, linePriceMinor: LINE_PRICE_MINOR }, (n) => {
      if (tickets >= 100_000) process.stdout.write(`\r  tickets written: ${n.toLocaleString('en')}   `);
    }),
  );
  if (tickets >= 100_000) process.stdout.write('\n');
  const closed = await closeDueDraws(b.db.pool, 0, draw.id);
  if (closed.length !== 1) throw new Error(`draw ${draw.publicId} did not close`);
  return seconds;
}

/** The previous draw of the game, settled: its unwon jackpot is the big draw's rollover in. */
async function previousDraw(b: Bench, o: Options): Promise<number> {
  const draw = await newDraw(b, 120);
  await sellAndClose(b, draw, o, PREVIOUS_DRAW_TICKETS, 1_000);
  if (!(await b.runner.seal(draw.id))) throw new Error('previous draw not sealed');
  if ((await b.runner.draw(draw.id)) !== 'drawn') throw new Error('previous draw not drawn');
  if ((await b.runner.settle(draw.id)) !== 'settled') throw new Error('previous draw not settled');
  return rolloverBalance(b.db.pool, GAME_ID);
}

/**
 * As operator, a seed whose numbers (for this sealed root) are a line that was sold; the
 * draw's commitment and sealed seed are replaced by it. Returns the tries it took.
 */
async function chooseJackpotSeed(b: Bench, draw: DrawRow): Promise<number> {
  const sealed = (await drawById(b.db.pool, draw.id))!;
  const game = gameById(GAME_ID)!;
  const masks = await linesTableMasks(b.sql);
  for (let tries = 1; tries <= JACKPOT_SEED_TRIES_MAX; tries++) {
    const seed = b.vault.newSeed();
    const numbers = numbersFor({
      drawId: sealed.publicId, gameId: GAME_ID, drums: game.drums, operatorSeed: seed, auditors: [], beacon: null,
      ticketRoot: hexToBytes(sealed.seal!.ticketRoot), ticketCount: sealed.seal!.ticketCount, stakeTotalMinor: sealed.seal!.stakeTotalMinor,
    });
    const mask = game.drawnMask('standard', numbers);
    if (!masks.has(mask) || !(await lineIsSold(b.sql, draw.id, mask))) continue;
    await b.sql.query(`update draws set seed_commitment = $2, seed_sealed = $3 where id = $1 and status = 'sealed'`, [
      draw.id, Buffer.from(seedCommitment(sealed.publicId, 'operator', seed)), Buffer.from(b.vault.seal(sealed.publicId, seed)),
    ]);
    return tries;
  }
  throw new Error(`no sold line drawn in ${JACKPOT_SEED_TRIES_MAX} seeds`);
}

/**
 * The earlier settlement's read (DrawRunner.settle before 52f5d60, with ledger/drawSteps.ts
 * ticketPage of the time, whose query is repeated here): every ticket into JS a page at a
 * time, each line's tier by games/prizes.ts. Its writes are left out.
 */
async function jsBaseline(pool: pg.Pool, draw: DrawRow): Promise<{ tickets: number; winners: number }> {
  let tickets = 0;
  let winners = 0;
  for (let afterId = 0; ; ) {
    const { rows: page } = await pool.query(
      `select t.id, p.public_id as player, t.lines, t.cost_minor, (extract(epoch from t.received_at) * 1000)::int8 as received_ms
         from tickets t join players p on p.id = t.player_id
        where t.draw_id = $1 and t.id > $2
        order by t.id limit $3`,
      [draw.id, afterId, DRAW_TICKETS_PER_PAGE_MAX],
    );
    for (const t of page) {
      tickets++;
      if (ticketTierLines(LOTTO649_PRIZES, t.lines, draw.numbers!) !== null) winners++;
    }
    if (page.length < DRAW_TICKETS_PER_PAGE_MAX) return { tickets, winners };
    afterId = Number(page[page.length - 1].id);
  }
}

interface Phase {
  phase: string;
  seconds: number;
  rows: number;
  note: string;
}

async function runBigDraw(b: Bench, o: Options, rolloverInMinor: number): Promise<{ phases: Phase[]; draw: DrawRow; lines: number }> {
  const phases: Phase[] = [];
  const draw = await newDraw(b, 5);
  const setup = await sellAndClose(b, draw, o, o.tickets, o.players);
  const { rows } = await b.sql.query(`select count(*)::int8 as n, sum(line_count)::int8 as lines from tickets where draw_id = $1`, [draw.id]);
  const lines = Number(rows[0].lines);
  phases.push({ phase: 'setup (SQL fixture)', seconds: setup, rows: o.tickets, note: `${lines.toLocaleString('en')} lines, ${o.players.toLocaleString('en')} players` });
  const beforeSeal = machineJiffies();
  const seal = await timed(() => b.runner.seal(draw.id));
  if (!seal.value) throw new Error('not sealed');
  phases.push({ phase: 'seal', seconds: seal.seconds, rows: o.tickets, note: `Merkle root over every ticket; ${machineBetween(beforeSeal, machineJiffies())}` });
  const tries = o.jackpot ? await chooseJackpotSeed(b, draw) : 0;
  const drawn = await timed(() => b.runner.draw(draw.id));
  if (drawn.value !== 'drawn') throw new Error(`draw: ${drawn.value}`);
  const row = (await drawById(b.db.pool, draw.id))!;
  phases.push({ phase: 'draw', seconds: drawn.seconds, rows: 1, note: `numbers ${JSON.stringify(row.numbers)}${o.jackpot ? ` (operator seed chosen in ${tries} tries)` : ''}` });
  if (o.jsBaseline) {
    const js = await timed(() => jsBaseline(b.sql, row));
    phases.push({ phase: 'baseline: JS read + classify (old path, no writes)', seconds: js.seconds, rows: js.value.tickets, note: `${js.value.winners} winning tickets` });
  }
  const beforeSettle = machineJiffies();
  const settled = await timed(() => b.runner.settle(draw.id));
  if (settled.value !== 'settled') throw new Error(`settle: ${settled.value}`);
  const machine = machineBetween(beforeSettle, machineJiffies());
  const log = b.settledLogs[b.settledLogs.length - 1] ?? {};
  const rangesMs = b.settledLogs.filter((l) => l.msg === 'settlement range paid' && l.drawId === draw.publicId).map((l) => l.payMs);
  if (rangesMs.length > 0) console.log(`  pay ranges, ms each: ${rangesMs.join(' ')}`);
  phases.push({ phase: 'settle', seconds: settled.seconds, rows: o.tickets, note: `rollover in ${rolloverInMinor}; ${JSON.stringify(log.phasesMs ?? {})}; ${log.winningTickets} winning tickets; ${machine}` });
  return { phases, draw: row, lines };
}

function printPhases(phases: Phase[]): void {
  const f = (n: number) => n.toLocaleString('en', { maximumFractionDigits: n >= 100 ? 0 : 2 });
  console.log('\n| phase | seconds | rows | rows/s | note |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const p of phases) console.log(`| ${p.phase} | ${f(p.seconds)} | ${f(p.rows)} | ${f(p.rows / p.seconds)} | ${p.note} |`);
}

async function verify(b: Bench, draw: DrawRow, rolloverInMinor: number) {
  const expected = await timed(() => expectedSettlement(b.sql, draw.id, draw.numbers![0], rolloverInMinor));
  const checked = await checkSettlement(b.sql, draw.id, expected.value);
  const settled = (await drawById(b.db.pool, draw.id))!;
  const e = expected.value;
  if (settled.prizeTotalMinor !== checked.prizeTotalMinor) checked.mismatches.push(`draw records ${settled.prizeTotalMinor} paid, ticket prizes sum to ${checked.prizeTotalMinor}`);
  if (settled.flows?.rolloverOutMinor !== e.rolloverOutMinor) checked.mismatches.push(`rollover out ${settled.flows?.rolloverOutMinor}, expected ${e.rolloverOutMinor}`);
  if (settled.flows?.rolloverInMinor !== rolloverInMinor) checked.mismatches.push(`rollover in ${settled.flows?.rolloverInMinor}, expected ${rolloverInMinor}`);
  const ledger = await timed(() => checkLedger(b.db.pool, linePricesOf(allGames())));
  return { checked, settled, expectedSeconds: expected.seconds, ledger: ledger.value, ledgerSeconds: ledger.seconds };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (JACKPOT_CAP_MINOR !== LOTTO649_JACKPOT_CAP_MINOR) throw new Error('the bench\'s written-out jackpot cap differs from the game\'s');
  const database = process.env.DATABASE_URL ? 'postgres' : 'embedded PGlite';
  console.log(`bench:settle on ${database}: ${o.tickets.toLocaleString('en')} tickets, ${o.players.toLocaleString('en')} players, ${os.cpus().length} cpus`);
  const b = await openBench(o);
  try {
    const rolloverInMinor = await previousDraw(b, o);
    const { phases, draw, lines } = await runBigDraw(b, o, rolloverInMinor);
    const v = await verify(b, draw, rolloverInMinor);
    printPhases(phases);
    const seal = phases.find((p) => p.phase === 'seal')!.seconds;
    const settle = phases.find((p) => p.phase === 'settle')!.seconds;
    const e = v.checked.expected;
    console.log(`\nseal + settle: ${(seal + settle).toFixed(2)} s (target < 20 s at 1,000,000 tickets)`);
    console.log(`tiers (winning lines / per line): ${v.settled.prizeTiers!.map((t) => `${t.name} ${t.winningLines} × ${t.perLineMinor}`).join(', ')}`);
    console.log(`expected (independent, ${v.expectedSeconds.toFixed(1)} s): ${e.winningLines.join('/')} winning lines, ${e.winners.size} winning tickets; paid ${v.checked.prizeRows} prizes, ${v.checked.prizeTotalMinor} minor`);
    console.log(`flows: ${JSON.stringify(v.settled.flows)}`);
    console.log(`prizes = prize table applied to winners: ${v.checked.mismatches.length === 0 ? 'yes' : `NO\n  ${v.checked.mismatches.join('\n  ')}`}`);
    console.log(`ledger invariants (${v.ledgerSeconds.toFixed(1)} s): ${v.ledger.ok ? 'ok' : `BROKEN\n  ${v.ledger.violations.join('\n  ')}`}`);
    const outDir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `settle-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify({
      date: new Date().toISOString(), database, cpus: os.cpus().length, node: process.version, options: o, lines, phases,
      sealPlusSettleSeconds: seal + settle, tiers: v.settled.prizeTiers, flows: v.settled.flows, settleLog: b.settledLogs.at(-1),
      prizesMatch: v.checked.mismatches.length === 0, mismatches: v.checked.mismatches, ledgerOk: v.ledger.ok, violations: v.ledger.violations,
    }, null, 2));
    console.log(`results written to ${path.relative(ROOT, file)}`);
    if (v.checked.mismatches.length > 0 || !v.ledger.ok) process.exitCode = 1;
  } finally {
    await b.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
