// bench/bets.ts — durable bets per second and acknowledgement latency, group commit vs
// one transaction per bet, on the same server code.
//
//   npm run bench:bets [-- --clients 500 --players 500 --pipeline 8 --bets 150000 --baseline-bets 5000 --limits-first 1]
//
// For each mode it seeds a fresh database through the ledger code (players, sessions,
// funded wallets, an open draw), starts `server.ts` as its own process, drives it with
// SDK clients that keep `pipeline` bets in flight each, stops the server with SIGTERM,
// then checks that the database holds exactly the acknowledged tickets and that the
// ledger invariants hold. Uses DATABASE_URL when set (a fresh database per mode),
// embedded PGlite otherwise. Modes: lotto 6/49 alone; the same with every player under a
// stake and a loss limit in every period (none reached: each bet is checked, none refused);
// lotto, keno and pick-3 mixed; and the one-transaction-per-bet baseline.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type Room } from '@colyseus/sdk';
import { hashPassword, hashSessionToken, newSessionToken } from '../app/auth.ts';
import { openDatabase, type Database } from '../app/database.ts';
import { createLogger } from '../core/logger.ts';
import { seedCommitment } from '../draw/commit.ts';
import { LEAF_VERSION_CURRENT } from '../draw/encoding.ts';
import { SeedVault } from '../draw/vault.ts';
import { ensureDraw, openDueDraws } from '../ledger/draws.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { migrate } from '../ledger/migrate.ts';
import { ticketPublicId } from '../ledger/tickets.ts';
import { insertSession } from '../ledger/players.ts';
import { seedVerifiedPlayer } from './seedPlayer.ts';
import { completeDeposit, insertDepositIntent } from '../ledger/wallet.ts';
import { setInitialLimits } from '../ledger/protection.ts';
import type { LimitTable } from '../games/jurisdictions.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { startServerProcess, type ServerProcess } from './serverProcess.ts';
import { machineJiffies, percentile, postgresCpuBetween, postgresCpuSeconds } from './machine.ts';

/** Prometheus' bearer token for /metrics (METRICS_TOKEN): what the benchmark reads the server's own figures with. */
const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  clients: number;
  players: number;
  pipeline: number;
  bets: number;
  baselineBets: number;
  /** 1: the limits mode runs before lotto alone (see main). */
  limitsFirst: number;
}

function parseArgs(argv: string[]): Options {
  // A surge is many players with a few bets each in flight: one player per client.
  const o: Options = { clients: 500, players: 500, pipeline: 8, bets: 150_000, baselineBets: 5_000, limitsFirst: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase()) as keyof Options;
    const value = Number(argv[i + 1]);
    if (!(key in o) || !Number.isInteger(value) || value < 1) throw new Error(`bad argument ${argv[i]} ${argv[i + 1]}`);
    o[key] = value;
  }
  return o;
}

interface Seeded {
  env: Record<string, string>;
  /** One open draw per game of the mode (lotto 6/49 alone, or the mix). */
  drawIds: number[];
  drawPublicIds: string[];
  tokens: string[];
  reopen(): Promise<Database>;
  cleanup(): Promise<void>;
}

/**
 * Limits for the limits mode: a stake and a loss limit in every period, far above what a
 * player bets in the run (so none refuses a bet), which every bet is still checked against.
 */
function generousLimits(depositMinor: number): LimitTable {
  const amounts = { day: depositMinor * 10, week: depositMinor * 20, month: depositMinor * 40 };
  return { stake: amounts, loss: amounts };
}

async function seed(players: number, depositMinor: number, games: readonly string[], withLimits = false): Promise<Seeded> {
  const logger = createLogger('warn');
  const baseUrl = process.env.DATABASE_URL;
  let env: Record<string, string>;
  let reopen: () => Promise<Database>;
  let cleanup: () => Promise<void>;
  if (baseUrl) {
    const scratch = await createScratchDatabase(baseUrl, 'lottery_bench');
    env = { DATABASE_URL: scratch.url };
    reopen = () => openDatabase({ databaseUrl: scratch.url, dataDir: '', logger });
    cleanup = scratch.drop;
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-bench-'));
    env = { DATA_DIR: dataDir };
    reopen = () => openDatabase({ dataDir, logger });
    cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  }
  // The server signs receipts and seals seeds with these; the draw is committed with them.
  env.DRAW_SEED_KEY = crypto.randomBytes(32).toString('hex');
  env.DRAW_SIGNING_KEY = crypto.randomBytes(32).toString('hex');
  const vault = new SeedVault(Buffer.from(env.DRAW_SEED_KEY, 'hex'));
  const db = await reopen();
  await migrate(db.pool);
  const nowMs = Date.now();
  const created: { id: number; publicId: string }[] = [];
  for (const [i, gameId] of games.entries()) {
    const publicId = `bench-${gameId}-${crypto.randomBytes(4).toString('hex')}`;
    const seed = vault.newSeed();
    const { draw } = await ensureDraw(db.pool, {
      publicId,
      seedCommitment: seedCommitment(publicId, 'operator', seed),
      seedSealed: vault.seal(publicId, seed),
      seedKeyId: vault.keyId,
      beacon: null,
      leafVersion: LEAF_VERSION_CURRENT,
      gameId,
      businessDate: new Date(nowMs).toISOString().slice(0, 10),
      openAtMs: nowMs - 60_000,
      cutoffAtMs: nowMs + 6 * 3600_000 + i,
      drawAtMs: nowMs + 7 * 3600_000 + i,
    });
    created.push(draw);
  }
  await openDueDraws(db.pool);
  // One scrypt hash for every bench player: the benchmark measures bets, not logins.
  const passwordHash = await hashPassword('bench password, not secret');
  const tokens: string[] = [];
  for (let i = 0; i < players; i++) {
    const p = await seedVerifiedPlayer(db.pool, `bench${i}@bench.test`, passwordHash);
    if (withLimits) await setInitialLimits(db.pool, p.id, generousLimits(depositMinor), nowMs, 'player');
    const token = newSessionToken();
    await insertSession(db.pool, hashSessionToken(token), p.id, nowMs + 6 * 3600_000);
    const intent = await insertDepositIntent(db.pool, p.id, 'bench-seed', depositMinor, 'sandbox', Date.now());
    if (!('id' in intent)) throw new Error(intent.message);
    await completeDeposit(db.pool, intent.id, 'bench-seed');
    tokens.push(token);
  }
  await db.close();
  return { env, drawIds: created.map((d) => d.id), drawPublicIds: created.map((d) => d.publicId), tokens, reopen, cleanup };
}

interface RunningProcess extends ServerProcess {
  /** The server's own count of batches and bets, logged when it drains at shutdown. */
  writerStats(): { batches: number; bets: number; betsPerBatchMean: number; failedBatches: number } | undefined;
}

async function startServer(env: Record<string, string>): Promise<RunningProcess> {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  let writerStats: any;
  // The same Node flags as `npm start`, on the sources through tsx (as the baseline trees ran).
  const server = await startServerProcess(env, {
    nodeArgs: ['--max-semi-space-size=64', ...nodeArgs],
    onLog: (entry) => {
      if (entry.msg === 'bet writer drained') writerStats = entry;
    },
  });
  return { ...server, writerStats: () => writerStats };
}

interface ModeResult {
  mode: 'batch' | 'single' | 'mixed' | 'limits';
  bets: number;
  accepted: number;
  rejected: Record<string, number>;
  seconds: number;
  durableBetsPerSecond: number;
  latencyMsP50: number;
  latencyMsP99: number;
  latencyMsP999: number;
  ledgerTickets: number;
  ledgerMatchesAcks: boolean;
  ledgerInvariantsOk: boolean;
  serverCpuSeconds: number;
  loadCpuSeconds: number;
  /** CPU seconds of the local PostgreSQL server's processes (NaN for the embedded database). */
  databaseCpuSeconds: number;
  /** Share of all cores busy during the run (server, load generator, database, rest). */
  machineBusyPercent: number;
  /** Share of all cores' time taken by the hypervisor for other guests (steal). */
  machineStealPercent: number;
  betsPerBatchMean: number;
  /** Mean time from taking a batch off the queue to its commit, as the server measures it. */
  batchWriteMsMean: number;
  /** The server's event-loop lag (p99): how long a ready database reply can wait to be read. */
  eventLoopLagMsP99: number;
  failedBatches: number;
}

/** Connects `count` SDK clients to the draw's sales rooms, each as one of the seeded players. */
async function joinClients(url: string, count: number, tokens: string[], drawPublicIds: string[]) {
  const rooms = [];
  for (let i = 0; i < count; i++) {
    const client = new Client(url);
    client.auth.token = tokens[i % tokens.length];
    rooms.push(await client.joinOrCreate('sales', { drawId: drawPublicIds[i % drawPublicIds.length] }));
  }
  return rooms;
}

/**
 * The c-th client's bet message: lotto 6/49 lines as before issue 12, or in the mix, by the
 * game of the client's draw (clients take the draws in turn): a five-spot keno line at 1.00,
 * a pick-3 straight at 1.00 (spread over the 1,000 combinations, far below their cap).
 */
function betMessage(game: string, seq: number): Record<string, unknown> {
  const a = 1 + (seq % 44);
  if (game === 'keno') return { stake: 100, lines: [[a, a + 7, a + 14, a + 21, a + 28]] };
  if (game === 'pick3') return { betType: 'straight', stake: 100, lines: [[seq % 10, Math.floor(seq / 10) % 10, Math.floor(seq / 100) % 10]] };
  return { lines: [[a, a + 1, a + 2, a + 3, a + 4, a + 5]] };
}

interface LoadTally {
  issued: number;
  latencies: number[];
  acked: Set<string>;
  rejected: Record<string, number>;
}

/**
 * Keeps `pipeline` bets in flight on one client until it has sent `quota`, each reply
 * releasing the next bet: closed-loop load at saturation.
 */
function driveClient(room: Room<any>, c: number, quota: number, pipeline: number, tally: LoadTally, game: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const sentAt = new Map<string, number>();
    let seq = 0;
    let done = 0;
    const sendNow = () => {
      if (seq >= quota) return;
      const requestId = `c${c}-${seq++}`;
      tally.issued++;
      sentAt.set(requestId, performance.now());
      room.send('bet', { requestId, ...betMessage(game, seq + c) });
    };
    // Replies arrive in bursts (one per committed batch); send the follow-up bets of
    // a burst in one write so the load generator spends its CPU on bets, not syscalls.
    const socket = (room as any).connection?.transport?.ws?._socket;
    let owed = 0;
    const sendNext = () => {
      if (owed++ > 0) return;
      setImmediate(() => {
        socket?.cork();
        while (owed > 0) {
          owed--;
          sendNow();
        }
        socket?.uncork();
      });
    };
    const onReply = (message: any, ok: boolean) => {
      tally.latencies.push(performance.now() - (sentAt.get(message.requestId) ?? NaN));
      sentAt.delete(message.requestId);
      if (ok) tally.acked.add(message.ticketId);
      else tally.rejected[message.code] = (tally.rejected[message.code] ?? 0) + 1;
      if (++done === quota) resolve();
      else sendNext();
    };
    room.onMessage('bet:accepted', (m: any) => onReply(m, true));
    room.onMessage('bet:rejected', (m: any) => onReply(m, false));
    if (quota === 0) resolve();
    for (let i = 0; i < pipeline; i++) sendNext();
  });
}

/** CPU counters of everything that runs a bet: server, load generator, database, machine. */
function cpuCounters(server: RunningProcess) {
  return { server: server.cpuSeconds(), load: process.cpuUsage(), machine: machineJiffies(), database: postgresCpuSeconds() };
}

function cpuSince(server: RunningProcess, start: ReturnType<typeof cpuCounters>) {
  const loadCpu = process.cpuUsage(start.load);
  const machine = machineJiffies();
  const total = machine.total - start.machine.total;
  return {
    serverCpuSeconds: server.cpuSeconds() - start.server,
    loadCpuSeconds: (loadCpu.user + loadCpu.system) / 1e6,
    databaseCpuSeconds: process.env.DATABASE_URL ? postgresCpuBetween(start.database, postgresCpuSeconds()) : NaN,
    machineBusyPercent: (100 * (machine.busy - start.machine.busy)) / total,
    machineStealPercent: (100 * (machine.steal - start.machine.steal)) / total,
  };
}

/** What the server measured of itself during the run, from its Prometheus metrics. */
async function serverMetrics(port: number) {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` },
  }).then((r) => r.text());
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    eventLoopLagMsP99: 1000 * metric('nodejs_eventloop_lag_p99_seconds'),
    batchWriteMsMean: (1000 * metric('lottery_bet_commit_seconds_sum')) / metric('lottery_bet_commit_seconds_count'),
  };
}

/** Every acknowledged ticket is in the ledger exactly once, nothing else is, and the ledger balances. */
async function ledgerAgainstAcks(seeded: Seeded, acked: Set<string>) {
  const db = await seeded.reopen();
  const { rows } = await db.pool.query<{ id: number }>('select id from tickets where draw_id = any($1)', [seeded.drawIds]);
  const inLedger = new Set(rows.map((r) => ticketPublicId(r.id)));
  const ledgerMatchesAcks = inLedger.size === acked.size && [...acked].every((id) => inLedger.has(id));
  const invariants = await checkLedger(db.pool, linePricesOf(allGames()));
  await db.close();
  await seeded.cleanup();
  return { ledgerTickets: inLedger.size, ledgerMatchesAcks, ledgerInvariantsOk: invariants.ok };
}

const MIX = ['lotto649', 'keno', 'pick3'];

async function runMode(mode: 'batch' | 'single', o: Options, totalBets: number, games: readonly string[] = ['lotto649'], withLimits = false): Promise<ModeResult> {
  const perPlayerBets = Math.ceil(totalBets / o.players);
  const seeded = await seed(o.players, Math.min(1_000_000, perPlayerBets * 200 + 10_000), games, withLimits);
  const server = await startServer({
    ...seeded.env,
    BET_WRITE_MODE: mode,
    METRICS_TOKEN: BENCH_METRICS_TOKEN,
    BET_RATE_PER_SECOND: '100000',
    BET_RATE_BURST: '100000',
  });
  const rooms = await joinClients(`ws://127.0.0.1:${server.port}`, o.clients, seeded.tokens, seeded.drawPublicIds);

  const tally: LoadTally = { issued: 0, latencies: [], acked: new Set(), rejected: {} };
  const cpuStart = cpuCounters(server);
  const startMs = performance.now();
  const quotaOf = (c: number) => Math.floor(totalBets / o.clients) + (c < totalBets % o.clients ? 1 : 0);
  await Promise.all(rooms.map((room, c) => driveClient(room, c, quotaOf(c), o.pipeline, tally, games[c % games.length])));
  const seconds = (performance.now() - startMs) / 1000;
  const measured = await serverMetrics(server.port);
  const cpu = cpuSince(server, cpuStart);
  for (const room of rooms) await room.leave().catch(() => {});
  const exitCode = await server.stop();
  if (exitCode !== 0) throw new Error(`server exited with ${exitCode}`);
  const ledger = await ledgerAgainstAcks(seeded, tally.acked);

  const latencies = tally.latencies.sort((a, b) => a - b);
  return {
    mode: games.length > 1 ? 'mixed' : withLimits ? 'limits' : mode,
    bets: tally.issued,
    accepted: tally.acked.size,
    rejected: tally.rejected,
    seconds,
    durableBetsPerSecond: tally.acked.size / seconds,
    latencyMsP50: percentile(latencies, 50),
    latencyMsP99: percentile(latencies, 99),
    latencyMsP999: percentile(latencies, 99.9),
    ...ledger,
    ...cpu,
    betsPerBatchMean: server.writerStats()?.betsPerBatchMean ?? NaN,
    failedBatches: server.writerStats()?.failedBatches ?? NaN,
    ...measured,
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const database = process.env.DATABASE_URL ? 'postgres' : 'embedded PGlite';
  console.log(`bench:bets on ${database}: ${o.clients} clients over ${o.players} players, pipeline ${o.pipeline}`);
  // The first mode of a run is often its slowest here: --limits-first 1 runs the limits mode
  // before lotto alone, so a series can alternate the order and the ratio's bias cancels.
  const runLimits = () => runMode('batch', o, o.bets, ['lotto649'], true);
  const early = o.limitsFirst ? await runLimits() : undefined;
  const batch = await runMode('batch', o, o.bets);
  const limits = early ?? (await runLimits());
  const mixed = await runMode('batch', o, o.bets, MIX);
  const single = await runMode('single', o, o.baselineBets);
  const ratio = batch.durableBetsPerSecond / single.durableBetsPerSecond;
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(n >= 100 ? 0 : 2) : '-');
  console.log('');
  console.log('| mode | bets | accepted | seconds | durable bets/s | ack p50 ms | ack p99 ms | ack p99.9 ms | server CPU s | load gen CPU s | database CPU s | machine busy % | steal % | bets/batch | batch write ms | loop lag p99 ms | ledger = acks | invariants |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  const names = { batch: 'group commit', limits: 'group commit, every player under stake and loss limits', mixed: `group commit, ${MIX.join(' + ')}`, single: 'one tx per bet (baseline)' };
  for (const r of [batch, limits, mixed, single]) {
    console.log(
      `| ${names[r.mode]} | ${r.bets} | ${r.accepted} | ${f(r.seconds)} | ${f(r.durableBetsPerSecond)} | ${f(r.latencyMsP50)} | ${f(r.latencyMsP99)} | ${f(r.latencyMsP999)} | ${f(r.serverCpuSeconds)} | ${f(r.loadCpuSeconds)} | ${f(r.databaseCpuSeconds)} | ${f(r.machineBusyPercent)} | ${f(r.machineStealPercent)} | ${f(r.betsPerBatchMean)} | ${f(r.batchWriteMsMean)} | ${f(r.eventLoopLagMsP99)} | ${r.ledgerMatchesAcks ? 'yes' : 'NO'} | ${r.ledgerInvariantsOk ? 'ok' : 'BROKEN'} |`,
    );
  }
  console.log(`\ngroup commit / baseline throughput ratio: ${ratio.toFixed(1)}x`);
  console.log(`mixed games / lotto 6/49 alone (same run): ${(mixed.durableBetsPerSecond / batch.durableBetsPerSecond).toFixed(3)}`);
  const limitsOverLotto = limits.durableBetsPerSecond / batch.durableBetsPerSecond;
  console.log(`under limits / without (same run): ${limitsOverLotto.toFixed(3)} bets/s, ${(limits.serverCpuSeconds / batch.serverCpuSeconds).toFixed(3)} server CPU, ${(limits.databaseCpuSeconds / batch.databaseCpuSeconds).toFixed(3)} database CPU`);
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `bets-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), database, cpus: os.cpus().length, node: process.version, options: o, batch, limits, mixed, single, ratio, mixedGames: MIX, mixedOverLotto: mixed.durableBetsPerSecond / batch.durableBetsPerSecond, limitsOverLotto }, null, 2),
  );
  console.log(`results written to ${path.relative(ROOT, file)}`);
  if ([batch, limits, mixed, single].some((r) => !r.ledgerMatchesAcks || !r.ledgerInvariantsOk) || limits.accepted !== limits.bets) {
    console.error('LEDGER CHECK FAILED');
    process.exit(1);
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
