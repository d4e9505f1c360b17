// bench/history-index.ts — what the history's index (migration 009, tickets_player_received)
// costs the bet path, measured on the bet path's own transaction.
//
//   DATABASE_URL=postgres://… npx tsx bench/history-index.ts [-- --rounds 300 --players 2000]
//
// Two fresh databases, migrated alike, one with the index dropped. Each gets the same
// players (funded through the ledger) and an open lotto 6/49 draw; then batches of 1,000
// two-line bets go through ledger/bets.ts writeBetBatch, one batch to each database in turn
// (the order alternating every round), each batch timed from its BEGIN to its COMMIT. On a
// shared 2-core machine the load of the moment moves a whole bench:bets run by ±50%; taken
// batch by batch and side by side, that drift falls on both databases alike, and the ratio
// of their times is the index's cost. The first 20 rounds warm up and are not counted.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from '../app/database.ts';
import { CUTOFF_GRACE_MS } from '../core/limits.ts';
import { createLogger } from '../core/logger.ts';
import { seedCommitment } from '../draw/commit.ts';
import { SeedVault } from '../draw/vault.ts';
import { gameById } from '../games/index.ts';
import { writeBetBatch, type BetToWrite } from '../ledger/bets.ts';
import { ensureDraw, openDueDraws } from '../ledger/draws.ts';
import { migrate } from '../ledger/migrate.ts';
import { seedVerifiedPlayer } from './seedPlayer.ts';
import { completeDeposit, insertDepositIntent } from '../ledger/wallet.ts';
import { createScratchDatabase, type ScratchDatabase } from '../test/support/database.ts';
import { LEAF_VERSION_CURRENT } from '../draw/encoding.ts';

const BATCH_BETS = 1_000;
const WARM_UP_ROUNDS = 20;

interface Side {
  name: string;
  db: Database;
  scratch: ScratchDatabase;
  players: { playerId: number; walletAccountId: number }[];
  drawId: number;
  written: number;
  batchMs: number[];
}

function options(argv: string[]): { rounds: number; players: number } {
  const o = { rounds: 300, players: 2_000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '') as keyof typeof o;
    if (!(key in o) || !(Number(argv[i + 1]) > 0)) throw new Error(`bad argument ${argv[i]} ${argv[i + 1]}`);
    o[key] = Number(argv[i + 1]);
  }
  if (o.rounds <= WARM_UP_ROUNDS) throw new Error(`--rounds must be more than the ${WARM_UP_ROUNDS} warm-up rounds`);
  return o;
}

async function side(name: string, withIndex: boolean, playerCount: number): Promise<Side> {
  const scratch = await createScratchDatabase(process.env.DATABASE_URL!, 'lottery_index');
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', logger: createLogger('warn') });
  await migrate(db.pool);
  if (!withIndex) await db.pool.query('drop index tickets_player_received');
  const players: Side['players'] = [];
  for (let i = 0; i < playerCount; i++) {
    const p = await seedVerifiedPlayer(db.pool, `index${i}@bench.test`, 'not-a-login');
    const intent = await insertDepositIntent(db.pool, p.id, `seed-${i}`, 100_000_000, 'sandbox', Date.now());
    if (!('id' in intent)) throw new Error(intent.message);
    await completeDeposit(db.pool, intent.id, `seed-${i}`);
    players.push({ playerId: Number(p.id), walletAccountId: 0 });
  }
  const { rows } = await db.pool.query(`select player_id, id from accounts where kind = 'player_wallet'`);
  const wallets = new Map(rows.map((r) => [Number(r.player_id), Number(r.id)]));
  for (const p of players) p.walletAccountId = wallets.get(p.playerId)!;
  const vault = new SeedVault(crypto.randomBytes(32));
  const seed = vault.newSeed();
  const nowMs = Date.now();
  const publicId = `index-${name.replace(/\W+/g, '-')}`;
  const { draw } = await ensureDraw(db.pool, {
    publicId,
    gameId: 'lotto649',
    businessDate: new Date(nowMs).toISOString().slice(0, 10),
    openAtMs: nowMs - 60_000,
    cutoffAtMs: nowMs + 6 * 3600_000,
    drawAtMs: nowMs + 7 * 3600_000,
    seedCommitment: seedCommitment(publicId, 'operator', seed),
    seedSealed: vault.seal(publicId, seed),
    seedKeyId: vault.keyId,
    beacon: null,
    leafVersion: LEAF_VERSION_CURRENT,
  });
  await openDueDraws(db.pool);
  return { name, db, scratch, players, drawId: draw.id, written: 0, batchMs: [] };
}

/** One batch of two-line quick picks, players in turn, timed from BEGIN to COMMIT. */
async function batch(s: Side): Promise<void> {
  const lotto649 = gameById('lotto649')!;
  const type = lotto649.betTypes[0];
  const bets: BetToWrite[] = [];
  for (let i = 0; i < BATCH_BETS; i++) {
    const n = s.written + i;
    const checked = lotto649.validateBet({ betType: type.id, stakeMinor: type.stakesMinor[0], lines: lotto649.quickPick(type.id, 2, crypto.randomInt) });
    if (!checked.ok) throw new Error(checked.reason);
    const { betType, stakeMinor, lines, lineMasks, costMinor } = checked.bet;
    bets.push({ ...s.players[n % s.players.length], drawId: s.drawId, requestId: `r${n}`, betType, stakeMinor, lines, lineMasks, costMinor, quickPick: true, receivedAtMs: Date.now() });
  }
  const client = await s.db.betPool.connect();
  try {
    const startMs = performance.now();
    const results = await writeBetBatch(client, bets, CUTOFF_GRACE_MS);
    s.batchMs.push(performance.now() - startMs);
    if (results.some((r) => r.status !== 'accepted')) throw new Error(`${s.name}: a bench bet was refused`);
  } finally {
    client.release();
  }
  s.written += BATCH_BETS;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

async function main() {
  const o = options(process.argv.slice(2));
  const without = await side('without the index', false, o.players);
  const withIndex = await side('with the index', true, o.players);
  try {
    for (let round = 0; round < o.rounds; round++) {
      for (const s of round % 2 === 0 ? [without, withIndex] : [withIndex, without]) await batch(s);
    }
    const counted = (s: Side) => s.batchMs.slice(WARM_UP_ROUNDS);
    const paired = counted(without).map((ms, i) => counted(withIndex)[i] / ms);
    const { rows } = await withIndex.db.pool.query(
      `select pg_relation_size('tickets')::int8 as heap, pg_relation_size('tickets_player_received')::int8 as history_index,
              pg_relation_size('tickets_player_id_request_id_key')::int8 as request_index`,
    );
    const report = {
      date: new Date().toISOString(),
      cpus: os.cpus().length,
      options: o,
      ticketsEach: without.written,
      batchMsMedian: { without: median(counted(without)), with: median(counted(withIndex)) },
      batchMsMean: { without: mean(counted(without)), with: mean(counted(withIndex)) },
      withOverWithoutMedianOfPairs: median(paired),
      withOverWithoutOfMedians: median(counted(withIndex)) / median(counted(without)),
      relationBytes: { tickets: Number(rows[0].heap), tickets_player_received: Number(rows[0].history_index), tickets_player_id_request_id_key: Number(rows[0].request_index) },
    };
    console.log(`| database | batches counted | batch ms median | batch ms mean |\n| --- | ---: | ---: | ---: |`);
    for (const s of [without, withIndex]) console.log(`| ${s.name} | ${counted(s).length} | ${median(counted(s)).toFixed(1)} | ${mean(counted(s)).toFixed(1)} |`);
    console.log(`\nwith / without, median of the ${paired.length} side-by-side pairs: ${report.withOverWithoutMedianOfPairs.toFixed(3)}; of the medians: ${report.withOverWithoutOfMedians.toFixed(3)}`);
    console.log(`sizes after ${without.written} tickets (MB): tickets ${(report.relationBytes.tickets / 2 ** 20).toFixed(1)}, tickets_player_received ${(report.relationBytes.tickets_player_received / 2 ** 20).toFixed(1)}, (player, request id) ${(report.relationBytes.tickets_player_id_request_id_key / 2 ** 20).toFixed(1)}`);
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `history-index-${report.date.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(report, null, 2));
    console.log(`results written to ${path.relative(path.dirname(dir), file)}`);
  } finally {
    for (const s of [without, withIndex]) {
      await s.db.close();
      await s.scratch.drop();
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
