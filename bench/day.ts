// bench/day.ts — a draw day on one machine: players arrive at a rate, rising toward the
// cutoff and crossing it, each waiting for their own reply.
//
//   npm run bench:day [-- --players 10000 --steps 0.1,0.25,0.5,0.75,1 --step-seconds 8
//                        --saturation-seconds 5 --in-flight 2000 --saturation-players 2000
//                        --decoding-players 1000 --compare ceiling,single,ws,cluster]
//
// 1. Seeds a population of verified, funded players with sessions (the ledger's own code).
// 2. Saturation, per variant: `--saturation-players` connect as real SDK clients, `--in-flight`
//    of them keep a bet each in flight, and durable bets/s, latency and CPU per bet are measured.
//    Variants: group commit on one process (the platform), then the comparisons that give
//    its numbers meaning: the ceiling (the same rooms answering without the database), one
//    transaction per bet, Colyseus' default `ws` transport instead of uWS, and two processes
//    over Redis.
// 3. The day: a fresh server, every player connected to the draws of four games, and an
//    open-loop schedule (bets sent at a set rate whatever the replies do) in steps of the
//    saturation rate up to the cutoff, then past it; with retries (a resend under the same
//    request id) and dropped connections that the SDK retakes, resending what was
//    unanswered. Then the draw's own steps run: close, seal, draw, settle.
// 4. Checks: every acknowledged ticket in the ledger once and nothing else, the ledger
//    balanced, the cutoff exact by the server's stamps. Table and JSON in bench/results, and
//    an SVG chart of offered and achieved rate and p99 over the day.
//
// Needs DATABASE_URL (a fresh database on that server, dropped after): the day's draws are
// made and watched while the server runs, which the embedded database, open in one process
// at a time, cannot share. The cluster variant uses REDIS_URL's server, database 14.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword, hashSessionToken, newSessionToken } from '../app/auth.ts';
import type { Database } from '../app/database.ts';
import { allGames } from '../games/index.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { insertSession } from '../ledger/players.ts';
import { ticketPublicId } from '../ledger/tickets.ts';
import { completeDeposit, insertDepositIntent } from '../ledger/wallet.ts';
import { benchDatabase, openBenchDraw, type BenchDatabase } from './benchDatabase.ts';
import { dayChartSvg } from './dayChart.ts';
import { DayLoad, windowFigures, type Seat } from './dayLoad.ts';
import { startServers, type Servers, type Variant } from './dayServers.ts';
import { killServerProcesses } from './serverProcess.ts';
import { machineJiffies, postgresCpuBetween, postgresCpuSeconds } from './machine.ts';
import { seedVerifiedPlayer } from './seedPlayer.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The day's games and the share of players in each. */
const GAMES: [string, number][] = [
  ['lotto649', 0.4],
  ['jackpot569', 0.2],
  ['keno', 0.2],
  ['pick4', 0.2],
];
const DEPOSIT_MINOR = 1_000_000;

interface Options {
  players: number;
  steps: number[];
  stepSeconds: number;
  afterCutoffSeconds: number;
  saturationSeconds: number;
  inFlight: number;
  /** Players connected in each saturation run (the first ones): the comparisons' clients. */
  saturationPlayers: number;
  /** Players that decode the live totals they receive (see DayLoad); the rest leave them unread. */
  decodingPlayers: number;
  compare: string[];
  /** Percent of bets a player sends again under the same request id (unsure of its reply). */
  retryPercent: number;
  /** Players whose connection drops during each step (the SDK retakes the seat). */
  dropsPerStep: number;
  drawAfterCutoffSeconds: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    players: 10_000,
    steps: [0.1, 0.25, 0.5, 0.75, 1],
    stepSeconds: 8,
    afterCutoffSeconds: 4,
    saturationSeconds: 5,
    inFlight: 2_000,
    saturationPlayers: 2_000,
    decodingPlayers: 1_000,
    compare: ['ceiling', 'single', 'ws', 'cluster'],
    retryPercent: 1,
    dropsPerStep: 20,
    drawAfterCutoffSeconds: 6,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase()) as keyof Options;
    const raw = argv[i + 1] ?? '';
    if (!(key in o)) throw new Error(`unknown option ${argv[i]}`);
    if (key === 'steps') o.steps = raw.split(',').map(Number);
    else if (key === 'compare') o.compare = raw.split(',').filter((v) => v && v !== 'none');
    else (o as any)[key] = Number(raw);
    const value = (o as any)[key];
    if ((Array.isArray(value) && value.some((v: unknown) => typeof v === 'number' && !(v > 0))) || (typeof value === 'number' && !(value >= 0))) throw new Error(`bad value for ${argv[i]}: ${raw}`);
  }
  return o;
}

const VARIANTS: Record<string, Variant> = {
  batch: { name: 'group commit, 1 process (the platform)', mode: 'batch', processes: 1 },
  ceiling: { name: 'ceiling: the same rooms, no database', mode: 'ceiling', processes: 1 },
  single: { name: 'one transaction per bet', mode: 'single', processes: 1 },
  cluster: { name: 'group commit, 2 processes over Redis', mode: 'batch', processes: 2 },
  ws: { name: 'group commit, Colyseus\' default `ws` transport', mode: 'batch', processes: 1, transport: 'ws' },
};

interface Population {
  tokens: string[];
  games: string[];
}

/** Verified, funded players with a session each, made through the ledger's code, 16 at a time. */
async function seedPopulation(db: Database, players: number): Promise<Population> {
  const passwordHash = await hashPassword('bench password, not secret');
  const nowMs = Date.now();
  const tokens = new Array<string>(players);
  let next = 0;
  const worker = async () => {
    while (next < players) {
      const i = next++;
      const p = await seedVerifiedPlayer(db.pool, `day${i}@bench.test`, passwordHash);
      const token = newSessionToken();
      await insertSession(db.pool, hashSessionToken(token), p.id, nowMs + 6 * 3600_000);
      const intent = await insertDepositIntent(db.pool, p.id, 'bench-seed', DEPOSIT_MINOR, 'sandbox', nowMs);
      if (!('id' in intent)) throw new Error(intent.message);
      await completeDeposit(db.pool, intent.id, `bench-seed-${i}`);
      tokens[i] = token;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  // Players take the games by their shares, interleaved so every slice of players has each.
  const games = tokens.map((_, i) => gameOf(i));
  return { tokens, games };
}

function gameOf(i: number): string {
  const f = (i * 0.618034) % 1;
  let acc = 0;
  for (const [game, share] of GAMES) if (f < (acc += share)) return game;
  return GAMES[0][0];
}

type DrawsByGame = Map<string, { id: number; publicId: string; cutoffAtMs: number; drawAtMs: number }>;

async function openDraws(bench: BenchDatabase, times: { openAtMs: number; cutoffAtMs: number; drawAtMs: number }): Promise<DrawsByGame> {
  const db = await bench.open();
  const draws: DrawsByGame = new Map();
  for (const [game] of GAMES) draws.set(game, await openBenchDraw(db, bench.vault, game, times));
  await db.close();
  return draws;
}

function seatsFor(pop: Population, draws: DrawsByGame, servers: Servers): Seat[] {
  return pop.tokens.map((token, i) => {
    const draw = draws.get(pop.games[i])!;
    return { token, game: pop.games[i], drawPublicId: draw.publicId, cutoffAtMs: draw.cutoffAtMs, url: servers.procs[i % servers.procs.length].url };
  });
}

/** The load generator's own event-loop delay: a late reply may be late here, not at the server. */
const generatorLoop = monitorEventLoopDelay({ resolution: 10 });
generatorLoop.enable();

/**
 * CPU and batch counters of everything that runs a bet, read together; and since the last
 * reading, the event-loop delays (p99 and worst, ms) of the servers and of this generator.
 */
async function counters(servers: Servers) {
  // The CPU first, at once; the servers' own counters follow as fast as a busy server answers.
  const now = { atMs: performance.now(), server: servers.cpuSeconds(), load: process.cpuUsage(), database: postgresCpuSeconds(), machine: machineJiffies() };
  const loadLoop = { p99Ms: generatorLoop.percentile(99) / 1e6, maxMs: generatorLoop.max / 1e6 };
  generatorLoop.reset();
  const scrapes = await servers.scrape();
  const sum = (name: string) => scrapes.reduce((n, m) => n + m.value(name), 0);
  const worst = (name: string) => Math.max(...scrapes.map((m) => 1000 * m.value(name)));
  const ackBuckets = new Map<number, number>();
  for (const m of scrapes) for (const [le, n] of m.buckets('lottery_bet_ack_seconds')) ackBuckets.set(le, (ackBuckets.get(le) ?? 0) + n);
  return {
    ...now,
    batchSum: sum('lottery_bet_batch_size_sum'),
    batchCount: sum('lottery_bet_batch_size_count'),
    ackBuckets,
    serverLoop: { p99Ms: worst('nodejs_eventloop_lag_p99_seconds'), maxMs: worst('nodejs_eventloop_lag_max_seconds') },
    loadLoop,
  };
}

/**
 * The server's own acknowledgement time between two readings (bet writer's queue to reply,
 * lottery_bet_ack_seconds): the bucket bound (ms) under which the q-th quantile falls.
 */
function serverAckQuantileMs(a: Counters, b: Counters, q: number): number {
  const bounds = [...b.ackBuckets.keys()].sort((x, y) => x - y);
  const total = (b.ackBuckets.get(Infinity) ?? 0) - (a.ackBuckets.get(Infinity) ?? 0);
  if (!(total > 0)) return NaN;
  for (const le of bounds) if ((b.ackBuckets.get(le) ?? 0) - (a.ackBuckets.get(le) ?? 0) >= q * total) return le * 1000;
  return Infinity;
}

type Counters = Awaited<ReturnType<typeof counters>>;

/** CPU per bet (ms) of each part, machine busy %, and mean batch between two readings, over `bets`. */
function costBetween(a: Counters, b: Counters, bets: number) {
  const load = process.cpuUsage(a.load);
  const perBet = (seconds: number) => (bets > 0 ? (1000 * seconds) / bets : NaN);
  return {
    serverCpuMsPerBet: perBet(b.server - a.server),
    databaseCpuMsPerBet: perBet(postgresCpuBetween(a.database, b.database)),
    loadCpuMsPerBet: perBet((load.user + load.system) / 1e6),
    machineBusyPercent: (100 * (b.machine.busy - a.machine.busy)) / (b.machine.total - a.machine.total),
    betsPerBatchMean: (b.batchSum - a.batchSum) / (b.batchCount - a.batchCount),
    serverAckP99Ms: serverAckQuantileMs(a, b, 0.99),
    serverLoopP99Ms: b.serverLoop.p99Ms,
    serverLoopMaxMs: b.serverLoop.maxMs,
    loadLoopP99Ms: b.loadLoop.p99Ms,
    loadLoopMaxMs: b.loadLoop.maxMs,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const progress = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/**
 * Saturation as bench:bets measures it: `inFlight` players keep a bet each in flight; after a
 * second's warm-up, `saturationSeconds` are measured. Durable bets/s and CPU per bet count the
 * acknowledgements that arrived in the window (a slow variant's replies to the window's own
 * bets come after it); latencies are those of the bets sent in it, once answered.
 */
async function closedLoop(load: DayLoad, servers: Servers, o: Options) {
  load.closedLoopStart(o.inFlight);
  await sleep(1_000);
  load.nextWindow();
  const acceptedBefore = load.acceptedTotal;
  const a = await counters(servers);
  await sleep(o.saturationSeconds * 1000);
  const b = await counters(servers);
  const acknowledged = load.acceptedTotal - acceptedBefore;
  const w = load.nextWindow();
  load.closedLoopStop();
  return { w, a, b, acknowledged, durableBetsPerSecond: acknowledged / ((b.atMs - a.atMs) / 1000) };
}

/** One variant at saturation: every player connected, `inFlight` of them with a bet in flight. */
async function saturate(key: string, o: Options, bench: BenchDatabase, pop: Population, draws: DrawsByGame) {
  const variant = VARIANTS[key];
  const servers = await startServers(variant, bench.env);
  const seats = seatsFor(pop, draws, servers).slice(0, Math.max(o.inFlight, o.saturationPlayers));
  const load = new DayLoad(seats, `sat-${key}`, o.decodingPlayers);
  const joinSeconds = await load.joinAll();
  const { w, a, b, acknowledged, durableBetsPerSecond } = await closedLoop(load, servers, o);
  const unanswered = await load.drain(60_000);
  await load.leaveAll();
  await servers.stop();
  progress(`${variant.name}: ${f(durableBetsPerSecond)} durable bets/s, ${unanswered} unanswered`);
  return {
    key,
    variant: variant.name,
    processes: variant.processes,
    joinSeconds,
    connections: seats.length,
    durableBetsPerSecond,
    rejected: w.rejected,
    ...windowFigures(w),
    ...costBetween(a, b, acknowledged),
    unanswered,
    faults: load.faults,
    tickets: variant.mode === 'ceiling' ? new Set<string>() : load.tickets,
  };
}

type Saturation = Awaited<ReturnType<typeof saturate>>;

interface StepResult {
  step: string;
  offeredPerSecond: number;
  sentPerSecond: number;
  durableBetsPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
  replies: number;
  duplicates: number;
  rejected: Record<string, number>;
  serverCpuMsPerBet: number;
  databaseCpuMsPerBet: number;
  loadCpuMsPerBet: number;
  machineBusyPercent: number;
  betsPerBatchMean: number;
  serverAckP99Ms: number;
  serverLoopP99Ms: number;
  serverLoopMaxMs: number;
  loadLoopP99Ms: number;
  loadLoopMaxMs: number;
}

/**
 * Sends at `ratePerSecond` for `seconds`, open loop: the due number of bets goes out each
 * millisecond or so whatever the replies do. Some bets are sent again under their request
 * id a little later, and `drops` players lose their connection at random moments.
 */
async function openLoop(load: DayLoad, ratePerSecond: number, untilMs: number, o: Options, drops: number) {
  const startMs = performance.now();
  const endMs = untilMs;
  const seconds = (endMs - startMs) / 1000;
  const dropAt = Array.from({ length: drops }, () => startMs + Math.random() * seconds * 1000).sort((a, b) => a - b);
  let sent = 0;
  for (let nowMs = startMs; nowMs < endMs; nowMs = performance.now()) {
    const due = Math.floor((ratePerSecond * (nowMs - startMs)) / 1000);
    for (; sent < due; sent++) {
      const bet = load.sendOne();
      if (!bet) {
        sent = due;
        break;
      }
      if (Math.random() * 100 < o.retryPercent) {
        const [c, requestId, message] = bet;
        setTimeout(() => load.resend(requestId, message, c), 20 + Math.random() * 300);
      }
    }
    while (dropAt.length > 0 && dropAt[0] <= nowMs) {
      dropAt.shift();
      load.drop(Math.floor(Math.random() * load.seats.length));
    }
    await sleep(1);
  }
}

/**
 * One step of the schedule, ending at `untilMs` (performance.now() time) whatever reading the
 * counters costs, so the steps stay where the fixed cutoff expects them.
 */
async function runStep(load: DayLoad, servers: Servers, label: string, rate: number, untilMs: number, o: Options, drops: number): Promise<StepResult> {
  load.nextWindow();
  const acceptedBefore = load.acceptedTotal;
  const aRead = counters(servers);
  await openLoop(load, rate, untilMs, o, drops);
  const a = await aRead;
  const b = await counters(servers);
  const seconds = (b.atMs - a.atMs) / 1000;
  const w = load.nextWindow();
  // Acknowledged while the step ran (whenever sent): what the platform achieved at this rate.
  const achieved = (load.acceptedTotal - acceptedBefore) / seconds;
  return {
    step: label,
    offeredPerSecond: rate,
    sentPerSecond: w.sent / seconds,
    durableBetsPerSecond: achieved,
    ...windowFigures(w),
    duplicates: w.duplicates,
    rejected: w.rejected,
    ...costBetween(a, b, achieved * seconds),
  };
}

/** The draws' own steps after the cutoff, as the ledger recorded them (seconds after cutoff). */
async function drawTimeline(bench: BenchDatabase, draws: DrawsByGame, waitMs: number) {
  const db = await bench.open();
  const ids = [...draws.values()].map((d) => d.id);
  const endMs = Date.now() + waitMs;
  let rows: any[] = [];
  for (;;) {
    ({ rows } = await db.pool.query(
      `select game_id, status, extract(epoch from cutoff_at) * 1000 as cutoff_ms, extract(epoch from closed_at) * 1000 as closed_ms,
              extract(epoch from sealed_at) * 1000 as sealed_ms, extract(epoch from drawn_at) * 1000 as drawn_ms,
              extract(epoch from settled_at) * 1000 as settled_ms, ticket_count
         from draws where id = any($1) order by id`,
      [ids],
    ));
    if (rows.every((r) => r.status === 'settled') || Date.now() > endMs) break;
    await sleep(200);
  }
  await db.close();
  const after = (r: any, col: string) => (r[col] === null ? NaN : (Number(r[col]) - Number(r.cutoff_ms)) / 1000);
  return rows.map((r) => ({ game: r.game_id, status: r.status, tickets: Number(r.ticket_count ?? 0), closedS: after(r, 'closed_ms'), sealedS: after(r, 'sealed_ms'), drawnS: after(r, 'drawn_ms'), settledS: after(r, 'settled_ms') }));
}

/** Server memory per connected player: resident and heap, before and after they joined. */
async function memoryOf(servers: Servers) {
  return { rssBytes: servers.rssBytes(), heapBytes: await servers.metric('nodejs_heap_size_used_bytes') };
}

/** The day: fresh server, every player on this day's draws, the open-loop schedule across the cutoff. */
async function runDay(o: Options, bench: BenchDatabase, pop: Population, joinSecondsBefore: number) {
  const servers = await startServers(VARIANTS.batch, bench.env);
  await sleep(2_000);
  const before = await memoryOf(servers);
  const scheduleSeconds = o.steps.length * o.stepSeconds;
  // Room for everyone to connect, an idle look, and saturation with them all, before the first step.
  // (The joins' estimate with a quarter more, then the idle look, saturation and its drain:
  // a run that overshoots stops with a message rather than measure other steps.)
  const startAtMs = Date.now() + Math.ceil(joinSecondsBefore * 1.25 + 15 + o.saturationSeconds) * 1000;
  const cutoffAtMs = startAtMs + scheduleSeconds * 1000;
  const draws = await openDraws(bench, { openAtMs: Date.now() - 60_000, cutoffAtMs, drawAtMs: cutoffAtMs + o.drawAfterCutoffSeconds * 1000 });
  const load = new DayLoad(seatsFor(pop, draws, servers), 'day', o.decodingPlayers);
  const joinSeconds = await load.joinAll();
  progress(`the day: ${load.connected} players joined in ${f(joinSeconds, 1)} s; the schedule starts in ${f((startAtMs - Date.now()) / 1000, 1)} s`);
  const connections = load.connected;
  // What holding the players costs with no bets: live totals, timers, pings.
  const idleFrom = { atMs: Date.now(), cpu: servers.cpuSeconds(), database: postgresCpuSeconds() };
  await sleep(3_000);
  const connected = await memoryOf(servers);
  const idleSeconds = (Date.now() - idleFrom.atMs) / 1000;
  const idle = { serverCorePercent: (100 * (servers.cpuSeconds() - idleFrom.cpu)) / idleSeconds, databaseCorePercent: (100 * postgresCpuBetween(idleFrom.database, postgresCpuSeconds())) / idleSeconds };
  // Saturation with every player connected: the rate the steps are shares of.
  const { w, a, b, acknowledged, durableBetsPerSecond } = await closedLoop(load, servers, o);
  await load.drain(30_000);
  const saturation = { durableBetsPerSecond, ...windowFigures(w), ...costBetween(a, b, acknowledged) };
  const saturationRate = saturation.durableBetsPerSecond;
  progress(`the day: saturation with all ${connections} players: ${f(saturationRate)} durable bets/s`);
  if (Date.now() > startAtMs - 1_000) throw new Error(`joining (${f(joinSeconds, 1)} s) and saturation took past the schedule's start: its cutoff is fixed, so the steps would not be the ones asked for`);
  await sleep(Math.max(0, startAtMs - Date.now()));
  load.startClock();
  const zeroMs = performance.now() - (Date.now() - startAtMs);
  const steps: StepResult[] = [];
  for (const [k, share] of o.steps.entries()) {
    steps.push(await runStep(load, servers, `${Math.round(share * 100)}% of saturation`, share * saturationRate, zeroMs + (k + 1) * o.stepSeconds * 1000, o, o.dropsPerStep));
  }
  const lastRate = o.steps[o.steps.length - 1] * saturationRate;
  steps.push(await runStep(load, servers, 'after the cutoff', lastRate, zeroMs + (scheduleSeconds + o.afterCutoffSeconds) * 1000, o, 0));
  progress(`the day: schedule done; waiting for ${load.outstanding} replies`);
  const unanswered = await load.drain(60_000);
  progress(`the day: ${unanswered} unanswered; waiting for the draws to settle`);
  const timeline = await drawTimeline(bench, draws, o.drawAfterCutoffSeconds * 1000 + 120_000);
  progress(`the day: draws ${timeline.map((r) => r.status).join(', ')}`);
  const memory = {
    connections,
    rssBytesPerPlayer: (connected.rssBytes - before.rssBytes) / pop.tokens.length,
    heapBytesPerPlayer: (connected.heapBytes - before.heapBytes) / pop.tokens.length,
    rssBytesBefore: before.rssBytes,
    rssBytesConnected: connected.rssBytes,
    idle,
  };
  progress('the day: leaving');
  await load.leaveAll();
  progress('the day: stopping the server');
  await servers.stop();
  const cutoffSecond = scheduleSeconds;
  return { steps, saturation, unanswered, timeline, memory, joinSeconds, load, cutoffSecond, draws, reconnects: load.reconnects, resends: load.resends, lateUnansweredAtClose: load.lateUnansweredAtClose, faults: load.faults, refusedBeforeCutoffByCode: load.refusedBeforeCutoffByCode };
}

/** Every acknowledged ticket in the ledger once, nothing else in those draws, and the ledger balanced. */
async function ledgerCheck(bench: BenchDatabase, drawIds: number[], acked: Set<string>) {
  const db = await bench.open();
  const { rows } = await db.pool.query<{ id: number }>('select id from tickets where draw_id = any($1)', [drawIds]);
  const inLedger = new Set(rows.map((r) => ticketPublicId(r.id)));
  const missing = [...acked].filter((id) => !inLedger.has(id)).length;
  const unacknowledged = [...inLedger].filter((id) => !acked.has(id)).length;
  const invariants = await checkLedger(db.pool, linePricesOf(allGames()));
  await db.close();
  return { acknowledged: acked.size, inLedger: inLedger.size, missing, unacknowledged, invariantsOk: invariants.ok, violations: invariants.violations.slice(0, 5) };
}

function f(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}
const codes = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || '-';

function printSaturation(sat: Saturation[]) {
  const base = sat.find((s) => s.key === 'batch')!;
  console.log('\nSaturation (closed loop), per variant:\n');
  console.log('| variant | processes | connections | durable bets/s | vs the platform | ack p50 ms | ack p99 ms | ack p99.9 ms | server CPU ms/bet | database CPU ms/bet | load gen CPU ms/bet | machine busy % | bets/batch | refused |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const s of sat) {
    console.log(
      `| ${s.variant} | ${s.processes} | ${s.connections} | ${f(s.durableBetsPerSecond)} | ${f(s.durableBetsPerSecond / base.durableBetsPerSecond, 2)} | ${f(s.p50, 1)} | ${f(s.p99, 1)} | ${f(s.p999, 1)} | ${f(s.serverCpuMsPerBet, 3)} | ${f(s.databaseCpuMsPerBet, 3)} | ${f(s.loadCpuMsPerBet, 3)} | ${f(s.machineBusyPercent)} | ${f(s.betsPerBatchMean)} | ${codes(s.rejected)} |`,
    );
  }
}

function printDay(day: Awaited<ReturnType<typeof runDay>>) {
  const s0 = day.saturation;
  console.log(`\nThe day: saturation with all ${day.memory.connections} players connected (closed loop, the steps' 100%): ${f(s0.durableBetsPerSecond)} durable bets/s, ack p50 ${f(s0.p50, 1)} ms, p99 ${f(s0.p99, 1)} ms; CPU ms/bet server ${f(s0.serverCpuMsPerBet, 3)}, database ${f(s0.databaseCpuMsPerBet, 3)}, load generator ${f(s0.loadCpuMsPerBet, 3)}; ${f(s0.betsPerBatchMean)} bets/batch`);
  console.log('\nThe day (open loop), per step:\n');
  console.log('| step | offered bets/s | sent bets/s | durable bets/s | ack p50 ms | ack p99 ms | ack p99.9 ms | server CPU ms/bet | database CPU ms/bet | load gen CPU ms/bet | machine busy % | bets/batch | resent (dup.) | refused |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const s of day.steps) {
    console.log(
      `| ${s.step} | ${f(s.offeredPerSecond)} | ${f(s.sentPerSecond)} | ${f(s.durableBetsPerSecond)} | ${f(s.p50, 1)} | ${f(s.p99, 1)} | ${f(s.p999, 1)} | ${f(s.serverCpuMsPerBet, 3)} | ${f(s.databaseCpuMsPerBet, 3)} | ${f(s.loadCpuMsPerBet, 3)} | ${f(s.machineBusyPercent)} | ${f(s.betsPerBatchMean)} | ${s.duplicates} | ${codes(s.rejected)} |`,
    );
  }
  console.log('\nWhere a reply\'s time goes, per step (ms): the server\'s own time from its writer\'s queue to the reply (p99 as the bucket bound it falls under), and the event-loop delays of the server and of the load generator, which also reads every reply:\n');
  console.log('| step | ack p99 at the client | ack p99 in the server (≤) | server event loop p99 / worst | load generator event loop p99 / worst |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const s of day.steps) console.log(`| ${s.step} | ${f(s.p99, 1)} | ${f(s.serverAckP99Ms)} | ${f(s.serverLoopP99Ms, 1)} / ${f(s.serverLoopMaxMs, 1)} | ${f(s.loadLoopP99Ms, 1)} / ${f(s.loadLoopMaxMs, 1)} |`);
  console.log('\nAfter the cutoff (seconds from the cutoff to each step of the draw):\n');
  console.log('| game | tickets | closed | sealed | drawn | settled | status |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of day.timeline) console.log(`| ${r.game} | ${r.tickets} | ${f(r.closedS, 2)} | ${f(r.sealedS, 2)} | ${f(r.drawnS, 2)} | ${f(r.settledS, 2)} | ${r.status} |`);
  const m = day.memory;
  console.log(`\nconnected players held by the one process: ${m.connections}; server memory per connected player: ${f(m.rssBytesPerPlayer / 1024, 1)} KB resident, ${f(m.heapBytesPerPlayer / 1024, 1)} KB of heap (RSS ${f(m.rssBytesBefore / 2 ** 20)} MB before they joined, ${f(m.rssBytesConnected / 2 ** 20)} MB with them)`);
  console.log(`holding them with no bets: server ${f(m.idle.serverCorePercent, 1)}% of a core, database ${f(m.idle.databaseCorePercent, 1)}%`);
  console.log(`players joined in ${f(day.joinSeconds, 1)} s; ${day.reconnects} dropped connections retaken, ${day.resends} bets resent under their request id; ${day.lateUnansweredAtClose} bets sent after the cutoff crossed their room's close unanswered`);
}

/** The targets of issue 17, each met or not, from this run's figures. */
function targets(variants: Saturation[], day: Awaited<ReturnType<typeof runDay>>, o: Options) {
  const base = variants.find((s) => s.key === 'batch')!;
  const ceiling = variants.find((s) => s.key === 'ceiling');
  const sat = day.saturation;
  const at = (share: number) => day.steps.find((s, i) => Math.abs(o.steps[i] - share) < 1e-9);
  const half = at(0.5);
  const full = at(1);
  return [
    { target: 'durable bets/s at saturation >= 80% of the no-database ceiling', value: ceiling ? base.durableBetsPerSecond / ceiling.durableBetsPerSecond : NaN, met: ceiling ? base.durableBetsPerSecond >= 0.8 * ceiling.durableBetsPerSecond : undefined },
    { target: 'p99 acknowledgement < 50 ms at half the saturation rate', value: half?.p99 ?? NaN, met: half ? half.p99 < 50 : undefined },
    { target: 'p99 acknowledgement < 250 ms at the saturation rate', value: full?.p99 ?? NaN, met: full ? full.p99 < 250 : undefined },
    // Against the closed-loop saturation with every player connected: the 100% step offers
    // that rate but, open loop on a busy machine, does not always reach it.
    {
      target: 'CPU per bet at half the saturation rate <= 1.3x its cost at saturation (server + database)',
      value: half ? (half.serverCpuMsPerBet + half.databaseCpuMsPerBet) / (sat.serverCpuMsPerBet + sat.databaseCpuMsPerBet) : NaN,
      met: half ? half.serverCpuMsPerBet + half.databaseCpuMsPerBet <= 1.3 * (sat.serverCpuMsPerBet + sat.databaseCpuMsPerBet) : undefined,
    },
    { target: '>= 20,000 connected players per process at <= 10 KB each', value: day.memory.connections, met: day.memory.connections >= 20_000 && day.memory.rssBytesPerPlayer <= 10 * 1024 },
  ];
}

function writeChart(day: Awaited<ReturnType<typeof runDay>>, o: Options, file: string) {
  const perSecond: { offered: number; achieved: number; p99Ms: number }[] = [];
  let second = 0;
  for (const [i, s] of day.steps.entries()) {
    const seconds = i < o.steps.length ? o.stepSeconds : o.afterCutoffSeconds;
    for (let k = 0; k < seconds; k++, second++) {
      const t = day.load.seconds[second];
      const sorted = [...(t?.latenciesMs ?? [])].sort((a, b) => a - b);
      perSecond.push({ offered: s.offeredPerSecond, achieved: t?.accepted ?? 0, p99Ms: sorted.length ? sorted[Math.floor(0.99 * sorted.length)] : NaN });
    }
  }
  const marks = [...o.steps.map((share, i) => ({ second: i * o.stepSeconds, label: `${Math.round(share * 100)}%` })), { second: day.cutoffSecond, label: 'cutoff' }];
  fs.writeFileSync(file, dayChartSvg(`bench:day, ${day.memory.connections} players: offered and durable bets/s, p99 acknowledgement`, perSecond, marks));
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!process.env.DATABASE_URL) {
    throw new Error('bench:day needs DATABASE_URL (a PostgreSQL server on this machine): the day\'s draws are made and watched while the server runs, and the embedded database is open in one process at a time');
  }
  const bench = await benchDatabase('lottery_day');
  console.log(`bench:day on ${bench.kind}: ${o.players} players, ${os.cpus().length} cores`);
  try {
    const seedStartMs = Date.now();
    const db = await bench.open();
    const pop = await seedPopulation(db, o.players);
    await db.close();
    console.log(`seeded ${o.players} players in ${f((Date.now() - seedStartMs) / 1000, 1)} s`);
    const satDraws = await openDraws(bench, { openAtMs: Date.now() - 60_000, cutoffAtMs: Date.now() + 6 * 3600_000, drawAtMs: Date.now() + 7 * 3600_000 });
    const keys = ['batch', ...o.compare.filter((k) => k in VARIANTS && (k !== 'cluster' || process.env.REDIS_URL))];
    if (o.compare.includes('cluster') && !keys.includes('cluster')) console.log('no REDIS_URL: the two-process variant is left out');
    const sat: Saturation[] = [];
    for (const key of keys) {
      sat.push(await saturate(key, o, bench, pop, satDraws));
    }
    const base = sat[0];
    // Joins take about as long per player as they did at saturation (runDay adds a margin).
    const day = await runDay(o, bench, pop, (base.joinSeconds * o.players) / base.connections);
    const acked = new Set([...sat.flatMap((s) => [...s.tickets]), ...day.load.tickets]);
    const ledger = await ledgerCheck(bench, [...satDraws.values(), ...day.draws.values()].map((d) => d.id), acked);
    printSaturation(sat);
    printDay(day);
    report(o, bench, sat, day, ledger);
  } finally {
    // Before its database goes: a server left by a failure would write to a dropped one.
    killServerProcesses();
    await bench.cleanup();
  }
}

function report(o: Options, bench: BenchDatabase, sat: Saturation[], day: Awaited<ReturnType<typeof runDay>>, ledger: Awaited<ReturnType<typeof ledgerCheck>>) {
  const faults = { ...day.faults, unanswered: day.unanswered + sat.reduce((n, s) => n + s.unanswered, 0) };
  for (const s of sat) for (const [k, v] of Object.entries(s.faults)) (faults as any)[k] += v;
  console.log(`\ncutoff exactness: received before the cutoff and refused for it: ${day.faults.refusedBeforeCutoff}; received after and accepted: ${day.faults.acceptedAfterCutoff} (other refusals before the cutoff: ${codes(day.refusedBeforeCutoffByCode)})`);
  console.log(`ledger: ${ledger.acknowledged} acknowledged tickets, ${ledger.inLedger} in the ledger, ${ledger.missing} acknowledged but missing, ${ledger.unacknowledged} never acknowledged; invariants ${ledger.invariantsOk ? 'hold' : 'BROKEN'}`);
  console.log(`replies: ${faults.ticketMismatch} resends answered with another ticket, ${faults.ticketShared} tickets given to two requests, ${faults.unanswered} bets unanswered`);
  const t = targets(sat, day, o);
  console.log('\n| target | this run | met |\n| --- | ---: | --- |');
  for (const x of t) console.log(`| ${x.target} | ${f(x.value, x.value < 10 ? 2 : 0)} | ${x.met === undefined ? 'not measured' : x.met ? 'yes' : 'no'} |`);
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const chart = path.join(outDir, `day-${stamp}.svg`);
  writeChart(day, o, chart);
  const json = path.join(outDir, `day-${stamp}.json`);
  const saturation = sat.map(({ tickets, ...s }) => ({ ...s, tickets: tickets.size }));
  const { load, draws, ...dayFigures } = day;
  fs.writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), database: bench.kind, cpus: os.cpus().length, node: process.version, options: o, saturation, day: { ...dayFigures, perSecond: load.seconds.map((s) => ({ sent: s.sent, accepted: s.accepted })) }, ledger, targets: t }, null, 2));
  console.log(`\nresults written to ${path.relative(ROOT, json)}, chart to ${path.relative(ROOT, chart)}`);
  const broken = ledger.missing > 0 || !ledger.invariantsOk || faults.ticketMismatch > 0 || faults.ticketShared > 0 || faults.unanswered > 0 || day.faults.refusedBeforeCutoff > 0 || day.faults.acceptedAfterCutoff > 0;
  if (broken) {
    console.error('CORRECTNESS CHECK FAILED');
    process.exitCode = 1;
  }
}

main()
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
