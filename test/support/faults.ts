// test/support/faults.ts — a draw's sales on several real server processes while the
// database misbehaves, and the checks that nothing was lost, doubled, sold late or refused
// early. The fault itself (cut connections, a restart) is the caller's.
import crypto from 'node:crypto';
import pg from 'pg';
import type { Test } from 'tap';
import { DrawRunner } from '../../actors/DrawRunner.ts';
import { openDatabase, type Database } from '../../app/database.ts';
import { loadDrawKeys } from '../../app/keys.ts';
import { createLogger } from '../../core/logger.ts';
import { systemClock } from '../../core/clock.ts';
import { CUTOFF_GRACE_MS } from '../../core/limits.ts';
import { SeedVault } from '../../draw/vault.ts';
import { checkLedger, linePricesOf } from '../../ledger/invariants.ts';
import { allGames } from '../../games/index.ts';
import { ResilientPlayer, startServerProcess, stopServerProcess, type ServerProcess } from './cluster.ts';
import { newPlayer, testDrawKeys } from './harness.ts';
import { until } from './wait.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export interface FaultDay {
  db: Database;
  procs: ServerProcess[];
  players: ResilientPlayer[];
  draw: { id: number; publicId: string; cutoffAtMs: number; drawAtMs: number };
  /** Every request id sent, by player name. */
  sent: Map<string, Set<string>>;
  /** The cluster's draw keys (testDrawKeys): what rebuilds its players' pseudonyms and proofs. */
  keys: Record<string, string>;
  /** The environment every process was started with: what a process added later needs. */
  env: Record<string, string>;
  /** Processes players may join through: alive, and not draining. */
  joinable(): number[];
  /** Processes stopped on purpose (SIGTERM): the checks expect them gone and their shutdown logged. */
  drained: Set<ServerProcess>;
  /** Joins a funded player (`token`) to the draw and bets with it from now on. */
  addPlayer(name: string, token: string): Promise<ResilientPlayer>;
  close(): Promise<void>;
}

export interface FaultDayOptions {
  databaseUrl: string;
  processes: number;
  players: number;
  /** Sales left when the players start (ms). */
  salesMs: number;
  drawAfterCutoffMs: number;
  /**
   * A cluster meeting through Redis: players join through any live process (matchmaking
   * places them) and rejoin through another when theirs goes. Without it each player talks
   * to one process directly.
   */
  redisUrl?: string;
  /** More environment for every process (SALES_ROOM_CLIENTS_MAX, METRICS_TOKEN, ...). */
  env?: Record<string, string>;
}

/**
 * Starts `processes` servers on `databaseUrl` (no Redis: each player talks to one process
 * directly), creates one lotto draw closing `salesMs` from now, and joins funded players
 * to it, spread over the processes. The servers' own schedulers lead the draw.
 */
export async function startFaultDay(o: FaultDayOptions): Promise<FaultDay> {
  const keys = testDrawKeys();
  const db = await openDatabase({ databaseUrl: o.databaseUrl, dataDir: '', poolMax: 3, logger: createLogger('silent') });
  const procs: ServerProcess[] = [];
  const players: ResilientPlayer[] = [];
  // Without Redis, whatever the environment says: each player talks to one process directly.
  const env = { ...keys, DATABASE_URL: o.databaseUrl, REDIS_URL: o.redisUrl ?? '', SCHEDULE: 'daily', BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000', ...o.env };
  const day: FaultDay = {
    db,
    procs,
    players,
    draw: undefined as never,
    sent: new Map(),
    keys,
    env,
    drained: new Set(),
    joinable: () => procs.filter((p) => p.alive && !day.drained.has(p)).map((p) => p.port),
    async addPlayer(name, token) {
      const port = procs[players.length % procs.length].port;
      // Each player stays with its process unless there is Redis to place it anywhere.
      const player = new ResilientPlayer(name, token, day.draw.publicId, o.redisUrl ? day.joinable : () => [port]);
      await player.join();
      players.push(player);
      day.sent.set(player.name, new Set());
      return player;
    },
    async close() {
      await Promise.all(players.map((p) => p.leave()));
      await Promise.all(procs.map((p) => stopServerProcess(p, 10_000)));
      await db.close();
    },
  };
  try {
    // One first, so the schema is in place.
    procs.push(await startServerProcess(env));
    procs.push(...(await Promise.all(Array.from({ length: o.processes - 1 }, () => startServerProcess(env)))));

    // Players first: on a busy machine their password checks take seconds, which must not
    // come out of the draw's short sales window.
    const tokens = await Promise.all(Array.from({ length: o.players }, async (_, i) => (await newPlayer(procs[i % procs.length].url, 1_000_000)).token));

    // The cluster's keys, so that the process leading the draw can reveal its seed.
    const runner = clusterDrawRunner(db.pool, keys);
    const nowMs = Date.now();
    const { draw } = await runner.createDraw({
      publicId: `fault-${crypto.randomBytes(4).toString('hex')}`,
      gameId: 'lotto649',
      businessDate: new Date(nowMs).toISOString().slice(0, 10),
      openAtMs: nowMs - 1_000,
      cutoffAtMs: nowMs + o.salesMs,
      drawAtMs: nowMs + o.salesMs + o.drawAfterCutoffMs,
    });
    day.draw = { id: draw.id, publicId: draw.publicId, cutoffAtMs: draw.cutoffAtMs, drawAtMs: draw.drawAtMs };
    const opened = await until(async () => (await db.pool.query(`select status from draws where id = $1`, [draw.id])).rows[0].status === 'open', 5_000, 50);
    if (!opened) throw new Error('no process opened the draw');

    for (let i = 0; i < o.players; i++) await day.addPlayer(`p${i}`, tokens[i]);
    return day;
  } catch (err) {
    await day.close();
    throw err;
  }
}

/** Keeps `inFlight` bets without a reply per player, one new bet per player per tick, until `untilMs`. */
export async function pumpBets(day: FaultDay, untilMs: number, inFlight = 4, tickMs = 40): Promise<void> {
  while (Date.now() < untilMs) {
    for (const p of day.players) {
      if (p.room && p.pending.size < inFlight) day.sent.get(p.name)!.add(p.bet());
    }
    await sleep(tickMs);
  }
}

/**
 * Waits (polling every few ms, up to `waitMs`) until some session on `databaseName` is
 * inside a transaction, then ends every session there: a cut that lands mid-batch rather
 * than between batches. Returns how many sessions were ended.
 */
export async function cutAllConnectionsMidTransaction(admin: pg.Client, databaseName: string, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const { rows } = await admin.query(
      `select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and xact_start is not null`,
      [databaseName],
    );
    if (rows[0].n > 0) break;
    await sleep(5);
  }
  return cutAllConnections(admin, databaseName);
}

/** Ends every backend session on `databaseName` but the caller's: what a fail-over does to a process. */
export async function cutAllConnections(admin: pg.Client, databaseName: string): Promise<number> {
  const { rows } = await admin.query(
    `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()) k`,
    [databaseName],
  );
  return rows[0].n;
}

/**
 * After the fault: every process alive, every bet answered (accepted before cutoff, or
 * refused as late if received at or after it), every acknowledged bet in the ledger once
 * with its ticket id and nothing else, and the draw closed, drawn and settled on time.
 */
export interface FaultDayChecks {
  /**
   * An outage the cutoff fell inside: bets received before the cutoff from `fromMs` on may be
   * refused DRAW_CLOSED (the fence fails closed when their commit comes after cutoff plus
   * grace), and the draw closes within seconds of `toMs` rather than of the cutoff.
   */
  cutoffOutage?: { fromMs: number; toMs: number };
  /** Bets may have been answered "ask again" (SERVICE_UNAVAILABLE after a long wait) and resent. */
  askedAgainAllowed?: boolean;
}

export async function checkFaultDay(t: Test, day: FaultDay, checks: FaultDayChecks = {}): Promise<void> {
  const { draw, players, db } = day;
  t.ok(await until(() => players.every((p) => p.pending.size === 0), 30_000, 100), 'every bet sent got a final answer');
  t.same(players.flatMap((p) => p.lookUpError ?? []), [], 'bets left without one when the room closed at draw time were looked up in the ticket history');
  const dead = day.procs.filter((p) => !p.alive && !day.drained.has(p));
  t.same(dead.map((p) => p.port), [], day.drained.size ? 'no server process died but those drained' : 'no server process died');
  const fatal = day.procs.flatMap((p) => p.logs.filter((l) => l.level >= 60 || (!day.drained.has(p) && /uncaught|shutting down/.test(l.msg ?? ''))));
  t.same(fatal.map((l) => l.msg), [], 'no process logged a fatal error or began shutting down');

  const sentCount = [...day.sent.values()].reduce((n, s) => n + s.size, 0);
  const acks = players.flatMap((p) => [...p.acks.values()]);
  const refusals = players.flatMap((p) => p.rejections);
  t.equal(acks.length + refusals.length, sentCount, `all ${sentCount} bets decided: ${acks.length} bought, ${refusals.length} refused`);
  t.same([...new Set(refusals.map((r) => r.code))].filter((c) => c !== 'DRAW_CLOSED'), [], 'nothing refused but for lateness');
  const outage = checks.cutoffOutage;
  const refusedEarly = refusals.filter((r) => r.receivedAt < draw.cutoffAtMs && !(outage && r.receivedAt >= outage.fromMs));
  t.same(refusedEarly, [], outage ? 'nothing received before the outage was refused as late' : 'nothing received before cutoff was refused as late');
  t.ok(acks.every((a) => a.receivedAt < draw.cutoffAtMs), 'nothing received at or after cutoff was bought');
  const askedAgain = new Map<string, number>();
  for (const p of players) for (const [code, n] of p.askedAgain) askedAgain.set(code, (askedAgain.get(code) ?? 0) + n);
  if (checks.askedAgainAllowed) t.comment(`answered "ask again" and resent: ${JSON.stringify(Object.fromEntries(askedAgain))}`);
  else t.same(Object.fromEntries(askedAgain), {}, 'no bet had to be resent: every outage was ridden out within a bet\'s wait');

  t.ok(
    await until(async () => (await db.pool.query(`select status from draws where id = $1`, [draw.id])).rows[0].status === 'settled', draw.drawAtMs - Date.now() + 20_000, 200),
    'the draw is settled',
  );
  const done = (await db.pool.query(`select closed_at, drawn_at, ticket_count from draws where id = $1`, [draw.id])).rows[0];
  const closeDueMs = Math.max(draw.cutoffAtMs + CUTOFF_GRACE_MS, outage?.toMs ?? 0);
  const closedLateMs = done.closed_at.getTime() - closeDueMs;
  t.ok(done.closed_at.getTime() >= draw.cutoffAtMs + CUTOFF_GRACE_MS && closedLateMs < 3_000, `closed ${closedLateMs} ms after ${outage ? 'the later of cutoff + grace and the end of the outage' : 'cutoff + grace'}`);
  t.ok(done.drawn_at.getTime() >= draw.drawAtMs, 'drawn at or after draw time');

  const { rows: tickets } = await db.pool.query(`select id, request_id, received_at from tickets where draw_id = $1`, [draw.id]);
  const byRequest = new Map(tickets.map((r) => [r.request_id, r]));
  t.equal(byRequest.size, tickets.length, 'one ticket per request id');
  const wrong = acks.filter((a) => `T${byRequest.get(a.requestId)?.id}` !== a.ticketId).map((a) => a.requestId);
  t.same(wrong, [], 'every acknowledged bet is in the ledger with the ticket id it was told');
  t.equal(tickets.length, acks.length, 'and the ledger holds nothing that was not acknowledged');
  t.ok(tickets.every((r) => r.received_at.getTime() < draw.cutoffAtMs), 'every ticket was received before cutoff');
  t.equal(Number(done.ticket_count), tickets.length, 'the seal counts exactly those tickets');
  t.same((await checkLedger(db.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
  // What an operator saw: the warnings and errors the processes logged, by message.
  const seen = new Map<string, number>();
  for (const l of day.procs.flatMap((p) => p.logs)) {
    if (l.level < 40) continue;
    const key = `${l.level === 40 ? 'warn' : 'error'} ${l.msg}${l.err?.message ? ` (${String(l.err.message).slice(0, 80)})` : ''}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  t.comment(`warnings and errors logged: ${JSON.stringify(Object.fromEntries(seen))}`);
}

/**
 * A runner holding a cluster's draw keys (testDrawKeys), to create draws with their
 * commitments as the scheduler does, so that whichever process leads a draw can reveal it.
 */
export function clusterDrawRunner(pool: pg.Pool, keys: Record<string, string>): DrawRunner {
  const drawKeys = loadDrawKeys({ seedKey: keys.DRAW_SEED_KEY, signingKey: keys.DRAW_SIGNING_KEY }, '', createLogger('silent'));
  return new DrawRunner({
    pool,
    clock: systemClock,
    logger: createLogger('silent'),
    vault: new SeedVault(drawKeys.seedKey),
    signingKey: drawKeys.signingKey,
    publicKey: drawKeys.publicKey,
    beacon: null,
    revealWaitMs: 60_000,
  });
}
