// bench/settle.ts — seal, draw and settle draws of a million tickets, each phase timed.
//
//   npm run bench:settle [-- --tickets 1000000 --players 5000 --games lotto649,keno,pick3]
//
// Tickets are written through the bet path's own batch transaction (ledger/bets.ts
// writeBetBatch, 1,000 bets a batch), split evenly over one draw per game, two lines each,
// numbers drawn here at random (quick picks). Each draw is then closed, sealed, drawn and
// settled by the server's DrawRunner; the settlement is checked against the games' rules
// applied in JavaScript to the tickets as stored (per draw: winning tickets, prize total,
// winning lines per tier), and the ledger invariants are checked at the end.
//
// The same run settles a smaller lotto 6/49 draw (--baseline-tickets, 200,000) both ways:
// the set-based path, and the settlement before issue 12 (every ticket read into JavaScript,
// games/prizes.ts, ledger/settle.ts), for a same-machine ratio.
// Uses DATABASE_URL (a scratch database on that server); needs PostgreSQL.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DrawRunner } from '../actors/DrawRunner.ts';
import { openDatabase } from '../app/database.ts';
import { nativeSha256 } from '../app/nativeCrypto.ts';
import { CUTOFF_GRACE_MS } from '../core/limits.ts';
import { createLogger } from '../core/logger.ts';
import { systemClock } from '../core/clock.ts';
import { publicKeyOf } from '../draw/signature.ts';
import { SeedVault } from '../draw/vault.ts';
import { classOf } from '../games/catalogueKit.ts';
import { gameById, allGames } from '../games/index.ts';
import { lotto649 } from '../games/lotto649.ts';
import { allocatePrizes, ticketPrizeMinor, ticketTierLines } from '../games/prizes.ts';
import type { CatalogueGame, LineClass } from '../games/types.ts';
import { writeBetBatch, type BetToWrite } from '../ledger/bets.ts';
import { closeDueDraws, drawById, openDueDraws, type DrawRow } from '../ledger/draws.ts';
import { lockDrawInStatus, ticketPage } from '../ledger/drawSteps.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { migrate } from '../ledger/migrate.ts';
import { seedVerifiedPlayer } from './seedPlayer.ts';
import { recordSettlement } from '../ledger/settle.ts';
import { withTransaction } from '../ledger/transaction.ts';
import { completeDeposit, insertDepositIntent } from '../ledger/wallet.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import type pg from 'pg';

interface Options {
  tickets: number;
  players: number;
  games: string[];
  baselineTickets: number;
}

function options(argv: string[]): Options {
  const o: Options = { tickets: 1_000_000, players: 5_000, games: ['lotto649', 'keno', 'pick3'], baselineTickets: 200_000 };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--tickets') o.tickets = Number(value);
    else if (key === '--players') o.players = Number(value);
    else if (key === '--games') o.games = value.split(',');
    else if (key === '--baseline-tickets') o.baselineTickets = Number(value);
    else throw new Error(`unknown option ${key}`);
  }
  return o;
}

interface Phase {
  phase: string;
  game: string;
  tickets: number;
  seconds: number;
  ticketsPerSecond: number;
}

const LINES = 2;

async function createPlayers(pool: pg.Pool, count: number): Promise<{ playerId: number; walletAccountId: number }[]> {
  const out: { playerId: number; walletAccountId: number }[] = [];
  for (let i = 0; i < count; i++) {
    const p = await seedVerifiedPlayer(pool, `settle${i}@bench.test`, 'not-a-login');
    const intent = await insertDepositIntent(pool, p.id, `seed-${i}`, 100_000_000, 'sandbox', Date.now());
    if (!('id' in intent)) throw new Error(intent.message);
    await completeDeposit(pool, intent.id, `seed-${i}`);
    out.push({ playerId: Number(p.id), walletAccountId: 0 });
  }
  const { rows } = await pool.query(`select player_id, id from accounts where kind = 'player_wallet'`);
  const wallets = new Map(rows.map((r) => [Number(r.player_id), Number(r.id)]));
  return out.map((p) => ({ ...p, walletAccountId: wallets.get(p.playerId)! }));
}

/** Writes `count` two-line quick-pick tickets of `game` into `draw`, a thousand a transaction. */
async function sellTickets(pool: pg.Pool, game: CatalogueGame, draw: DrawRow, count: number, players: { playerId: number; walletAccountId: number }[]): Promise<void> {
  const type = game.betTypes[0];
  for (let written = 0; written < count; ) {
    const size = Math.min(1_000, count - written);
    const bets: BetToWrite[] = [];
    for (let i = 0; i < size; i++) {
      const checked = game.validateBet({ betType: type.id, stakeMinor: type.stakesMinor[(written + i) % type.stakesMinor.length], lines: game.quickPick(type.id, LINES, crypto.randomInt) });
      if (!checked.ok) throw new Error(checked.reason);
      const { betType, stakeMinor, lines, lineMasks, costMinor } = checked.bet;
      const liability = game.liability;
      bets.push({
        ...players[(written + i) % players.length],
        drawId: draw.id,
        requestId: `b${draw.id}-${written + i}`,
        betType, stakeMinor, lines, lineMasks, costMinor,
        quickPick: true,
        receivedAtMs: Date.now(),
        // A bench load is not a liability test: capped far above what random lines reach.
        liability: liability && { capMinor: Number.MAX_SAFE_INTEGER, payouts: liability.of(checked.bet) },
      });
    }
    const client = await pool.connect();
    try {
      const results = await writeBetBatch(client, bets, CUTOFF_GRACE_MS);
      const refused = results.find((r) => r.status !== 'accepted');
      if (refused) throw new Error(`bench bet refused: ${JSON.stringify(refused)}`);
    } finally {
      client.release();
    }
    written += size;
  }
}

async function timed<T>(phases: Phase[], phase: string, game: string, tickets: number, f: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await f();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  phases.push({ phase, game, tickets, seconds, ticketsPerSecond: tickets / seconds });
  return result;
}

/** The draw's settlement recomputed in JavaScript from the stored tickets: winners, total, lines per tier. */
async function recompute(pool: pg.Pool, game: CatalogueGame, draw: DrawRow, rolloverInMinor: number) {
  const merged = new Map<string, LineClass>();
  const perTicket: { id: number; keys: string[] }[] = [];
  for (let afterId = 0; ; ) {
    const { rows } = await pool.query(
      `select id, bet_type, stake_minor, to_jsonb(line_masks::text[]) as masks from tickets where draw_id = $1 and id > $2 order by id limit 20000`,
      [draw.id, afterId],
    );
    for (const r of rows) {
      const keys: string[] = [];
      for (const mask of r.masks as string[]) {
        const cls = { betType: r.bet_type, stakeMinor: Number(r.stake_minor), lines: 1, ...classOf(game.maskSegments(r.bet_type), mask, game.drawnMask(r.bet_type, draw.numbers!)) };
        const key = JSON.stringify([cls.betType, cls.stakeMinor, cls.matches, cls.spots]);
        const seen = merged.get(key);
        merged.set(key, seen ? { ...seen, lines: seen.lines + 1 } : cls);
        keys.push(key);
      }
      perTicket.push({ id: Number(r.id), keys });
    }
    if (rows.length < 20000) break;
    afterId = Number(rows[rows.length - 1].id);
  }
  const settled = game.settle({ stakeTotalMinor: draw.seal!.stakeTotalMinor, rolloverInMinor, classes: [...merged.values()] });
  const perLine = new Map(settled.prizes.map((p) => [JSON.stringify([p.cls.betType, p.cls.stakeMinor, p.cls.matches, p.cls.spots]), p.perLineMinor]));
  let winners = 0;
  let total = 0;
  for (const t of perTicket) {
    const amount = t.keys.reduce((sum, k) => sum + (perLine.get(k) ?? 0), 0);
    if (amount > 0) winners++;
    total += amount;
  }
  return { winners, total, tierLines: settled.tiers.map((t) => t.winningLines) };
}

/** The settlement before issue 12, kept here as the baseline: every ticket read into JavaScript. */
async function settleTheOldWay(pool: pg.Pool, drawId: number): Promise<void> {
  await withTransaction(pool, async (client) => {
    const draw = await lockDrawInStatus(client, drawId, 'drawn');
    if (!draw) throw new Error('baseline draw not drawn');
    const counts = new Array<number>(lotto649.prizes.tiers.length).fill(0);
    const winners: { ticketId: number; tierLines: number[] }[] = [];
    let stake = 0;
    for (let afterId = 0; ; ) {
      const page = await ticketPage(client, draw.id, afterId, 10_000);
      for (const t of page) {
        stake += t.costMinor;
        const tierLines = ticketTierLines(lotto649.prizes, t.lines, draw.numbers!);
        if (!tierLines) continue;
        tierLines.forEach((n, i) => (counts[i] += n));
        winners.push({ ticketId: t.id, tierLines });
      }
      if (page.length < 10_000) break;
      afterId = page[page.length - 1].id;
    }
    const allocation = allocatePrizes(stake, lotto649.prizes, counts);
    const prizes = winners.map((w) => ({ ...w, amountMinor: ticketPrizeMinor(allocation, w.tierLines) })).filter((p) => p.amountMinor > 0);
    await recordSettlement(client, draw, allocation, prizes);
  }, { statementTimeoutMs: 600_000 });
}

/** Seals, draws and settles one draw (the baseline draw the old way), timing each phase and checking the prizes. */
async function runDraw(
  pool: pg.Pool,
  runner: DrawRunner,
  spec: { game: string; tickets: number; baseline: boolean },
  draw: DrawRow,
  phases: Phase[],
  checks: { game: string; ok: boolean; detail: string }[],
): Promise<void> {
  const game = gameById(spec.game)!;
  const label = spec.baseline ? `${spec.game} (baseline draw)` : spec.game;
  await timed(phases, 'seal', label, spec.tickets, () => runner.seal(draw.id));
  await timed(phases, 'draw', label, spec.tickets, () => runner.draw(draw.id));
  const drawn = (await drawById(pool, draw.id))!;
  if (spec.baseline) {
    await timed(phases, 'settle before issue 12 (JS)', label, spec.tickets, () => settleTheOldWay(pool, draw.id));
    return;
  }
  const rollover = await pool.query(`select balance_minor from accounts where code = $1`, [`rollover:${game.id}`]);
  const expected = await recompute(pool, game, drawn, Number(rollover.rows[0]?.balance_minor ?? 0));
  await timed(phases, 'settle (set-based SQL)', label, spec.tickets, () => runner.settle(draw.id));
  const settled = (await drawById(pool, draw.id))!;
  const { rows } = await pool.query(`select count(*)::int8 as n, coalesce(sum(amount_minor), 0)::int8 as total from ticket_prizes where draw_id = $1`, [draw.id]);
  const tierLines = settled.prizeTiers!.map((t) => t.winningLines);
  const ok = Number(rows[0].n) === expected.winners && Number(rows[0].total) === expected.total && JSON.stringify(tierLines) === JSON.stringify(expected.tierLines);
  checks.push({ game: game.id, ok, detail: `${rows[0].n} winning tickets paid ${rows[0].total}; rules in JS: ${expected.winners} paid ${expected.total}` });
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('bench:settle needs DATABASE_URL (a PostgreSQL server): a million tickets is not an embedded-database job');
  const scratch = await createScratchDatabase(serverUrl, 'lottery_settle');
  const logger = createLogger('warn');
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', logger });
  const phases: Phase[] = [];
  const checks: { game: string; ok: boolean; detail: string }[] = [];
  try {
    await migrate(db.pool);
    const signingKey = crypto.randomBytes(32);
    const runner = new DrawRunner({
      pool: db.pool,
      clock: systemClock,
      logger,
      vault: new SeedVault(crypto.randomBytes(32)),
      signingKey,
      publicKey: Buffer.from(publicKeyOf(signingKey)).toString('hex'),
      beacon: null,
      revealWaitMs: 0,
      // As the server runs it (app/boot.ts): OpenSSL's SHA-256 for the ticket tree.
      sha256: nativeSha256,
    });
    const players = await createPlayers(db.pool, o.players);
    const nowMs = Date.now();
    const specs = [...o.games.map((g) => ({ game: g, tickets: Math.floor(o.tickets / o.games.length), baseline: false })), { game: 'lotto649', tickets: o.baselineTickets, baseline: true }];
    const draws: { spec: (typeof specs)[number]; draw: DrawRow }[] = [];
    for (const [i, spec] of specs.entries()) {
      const { draw } = await runner.createDraw({
        publicId: `bench-${spec.game}-${i}`,
        gameId: spec.game,
        businessDate: new Date(nowMs).toISOString().slice(0, 10),
        openAtMs: nowMs - 60_000,
        cutoffAtMs: nowMs + 3 * 3600_000 + i,
        drawAtMs: nowMs + 4 * 3600_000 + i,
      });
      draws.push({ spec, draw });
    }
    await openDueDraws(db.pool);
    for (const { spec, draw } of draws) {
      await timed(phases, 'sell (bet batches)', spec.game, spec.tickets, () => sellTickets(db.pool, gameById(spec.game)!, draw, spec.tickets, players));
    }
    // Sales over: cutoff just after each draw's last ticket, draw time now; then close.
    await db.pool.query(
      `update draws d set cutoff_at = (select max(received_at) from tickets t where t.draw_id = d.id) + interval '1 millisecond', draw_at = clock_timestamp()
        where id = any($1)`,
      [draws.map((d) => d.draw.id)],
    );
    await closeDueDraws(db.pool, 0);
    for (const { spec, draw } of draws) await runDraw(db.pool, runner, spec, draw, phases, checks);
    const report = await checkLedger(db.pool, linePricesOf(allGames()));
    print(o, phases, checks, report.violations);
  } finally {
    await db.close();
    await scratch.drop();
  }
}

function print(o: Options, phases: Phase[], checks: { game: string; ok: boolean; detail: string }[], violations: string[]): void {
  console.log(`\n| phase | game | tickets | seconds | tickets/s |\n| --- | --- | ---: | ---: | ---: |`);
  for (const p of phases) console.log(`| ${p.phase} | ${p.game} | ${p.tickets} | ${p.seconds.toFixed(2)} | ${Math.round(p.ticketsPerSecond)} |`);
  const sum = (name: string) => phases.filter((p) => p.phase.startsWith(name) && !p.game.includes('baseline')).reduce((s, p) => s + p.seconds, 0);
  const sealSettle = sum('seal') + sum('settle (set');
  console.log(`\nseal + settle of ${o.tickets} tickets (${o.games.join(', ')}): ${sealSettle.toFixed(2)} s (target < 20 s)`);
  const oldRate = phases.find((p) => p.phase.startsWith('settle before'))?.ticketsPerSecond;
  const newRate = phases.filter((p) => p.phase.startsWith('settle (set')).reduce((s, p) => s + p.tickets, 0) / sum('settle (set');
  if (oldRate) console.log(`settlement rate, set-based / before issue 12 (same run): ${(newRate / oldRate).toFixed(1)}x (${Math.round(newRate)} vs ${Math.round(oldRate)} tickets/s)`);
  for (const c of checks) console.log(`prizes ${c.ok ? 'match' : 'DIFFER FROM'} the rules: ${c.game}: ${c.detail}`);
  console.log(`ledger invariants: ${violations.length === 0 ? 'ok' : violations.join('; ')}`);
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `settle-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ options: o, phases, sealPlusSettleSeconds: sealSettle, checks, violations }, null, 2));
  console.log(`\nwritten ${file}`);
  if (violations.length > 0 || checks.some((c) => !c.ok)) process.exitCode = 1;
}

await main();
