// test/support/cluster.ts — real server processes (server.ts through tsx: the sources under test; `npm start` runs
// the same code compiled by tsc, which test/serial/compiled-start.test.ts covers) on
// loopback, sharing one PostgreSQL database and one Redis: a cluster in a test.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type Room } from '@colyseus/sdk';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { Test } from 'tap';
import { openDatabase, type Database } from '../../app/database.ts';
import { createLogger } from '../../core/logger.ts';
import { seedCommitment } from '../../draw/commit.ts';
import { LEAF_VERSION_CURRENT } from '../../draw/encoding.ts';
import { SeedVault } from '../../draw/vault.ts';
import { ensureDraw, openDueDraws } from '../../ledger/draws.ts';
import { SalesCloseCode } from '../../rooms/closeCodes.ts';
import { createScratchDatabase } from './database.ts';
import { testDrawKeys } from './harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The same Redis server as `url`, database index `index`: a keyspace no other test uses. */
export function redisDatabase(url: string, index: number): string {
  const u = new URL(url);
  u.pathname = `/${index}`;
  return u.toString();
}

export interface ServerProcess {
  port: number;
  processId: string;
  url: string;
  child: ChildProcess;
  /** Every JSON log line the process wrote so far. */
  logs: any[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive: boolean;
}

/** Starts `server.ts` and resolves once it listens (its start-up log line names its process id). */
export async function startServerProcess(env: Record<string, string>, startTimeoutMs = 30_000, nodeArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-cluster-'));
  const child = spawn(process.execPath, ['--max-semi-space-size=64', ...nodeArgs, '--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', IDENTITY_SANDBOX_DELAY_MS: '0', PAYMENT_SANDBOX_DELAY_MS: '0', ...env, PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: any[] = [];
  let stderr = '';
  const proc: ServerProcess = {
    port,
    processId: '',
    url: `http://127.0.0.1:${port}`,
    child,
    logs,
    alive: true,
    exited: new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        proc.alive = false;
        fs.rmSync(dataDir, { recursive: true, force: true });
        resolve({ code, signal });
      }),
    ),
  };
  let buffered = '';
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server on ${port} did not start: ${stderr.slice(-2000)}`)), startTimeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let entry;
        try {
          entry = JSON.parse(text);
        } catch {
          continue;
        }
        logs.push(entry);
        if (entry.msg === 'lottery server listening') {
          proc.processId = entry.processId;
          clearTimeout(timer);
          resolve();
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server on ${port} exited with ${code} before listening: ${stderr.slice(-2000)}`));
    });
  });
  await listening;
  return proc;
}

/** Stops a process with SIGTERM and waits for it (SIGKILL after `timeoutMs`). */
export async function stopServerProcess(proc: ServerProcess, timeoutMs = 20_000) {
  if (!proc.alive) return proc.exited;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  const result = await proc.exited;
  clearTimeout(timer);
  return result;
}

export interface Ack {
  requestId: string;
  ticketId: string;
  duplicate: boolean;
  /** The server's receive time of the bet that bought the ticket. */
  receivedAt: number;
  /** When the acknowledgement reached this client (its clock). */
  ackedAtMs: number;
}

/** Answers that mean "not decided, ask again later with the same request id". */
const ASK_AGAIN = new Set(['SHUTTING_DOWN', 'SERVICE_UNAVAILABLE', 'SERVER_BUSY']);
/** How long a player waits before resending a bet the server could not decide. */
const ASK_AGAIN_DELAY_MS = 300;

/**
 * A player that keeps betting across process failures, as a real client would: each bet
 * has a request id; a bet without a reply is sent again, with the same id, after
 * reconnecting (SDK reconnection first; if the room is gone, matchmaking through any live
 * process). Every reply is recorded.
 */
export class ResilientPlayer {
  room: Room | undefined;
  /** Port of the process whose HTTP matchmaking placed this player (not where the room is). */
  joinedVia = 0;
  readonly acks = new Map<string, Ack>();
  readonly rejections: { requestId: string | null; code: string; receivedAt: number; message?: string }[] = [];
  /** Answers that asked for a resend (SERVICE_UNAVAILABLE, SERVER_BUSY, SHUTTING_DOWN), by code. */
  readonly askedAgain = new Map<string, number>();
  readonly pending = new Map<string, Record<string, unknown>>();
  rejoins = 0;
  /** How long each rejoin took, from losing the room to holding a new one (ms). */
  readonly rejoinMs: number[] = [];
  /** How long each rejoin took from the moment the socket dropped (SDK reconnection attempts included). */
  readonly dropToRejoinMs: number[] = [];
  /** Matchmaking attempts that failed while rejoining: when each began, the port asked and why. */
  readonly failedRejoinAttempts: { startedMs: number; port: number; message: string }[] = [];
  /** Receive times of bets answered "ask again": what a lookup after the draw is over reports. */
  private readonly askedAgainAt = new Map<string, number>();
  private droppedAtMs: number | undefined;
  private stopped = false;
  private rejoining: Promise<void> | undefined;
  private sequence = 0;

  constructor(
    readonly name: string,
    readonly token: string,
    readonly drawId: string,
    /** Ports of processes believed alive (the test removes one it kills). */
    readonly ports: () => number[],
  ) {}

  async join(): Promise<void> {
    const deadline = Date.now() + 20_000;
    let lastError: unknown;
    while (Date.now() < deadline && !this.stopped) {
      const ports = this.ports();
      const port = ports[Math.floor(Math.random() * ports.length)];
      const attemptMs = Date.now();
      try {
        const client = new Client(`ws://127.0.0.1:${port}`);
        client.auth.token = this.token;
        const room = await client.joinOrCreate('sales', { drawId: this.drawId });
        this.attach(room);
        this.joinedVia = port;
        return;
      } catch (err) {
        lastError = err;
        if (this.rejoining) this.failedRejoinAttempts.push({ startedMs: attemptMs, port, message: String((err as Error)?.message ?? err) });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (!this.stopped) throw new Error(`${this.name} could not join: ${String((lastError as Error)?.message ?? lastError)}`);
  }

  private attach(room: Room): void {
    this.room = room;
    // As README advises a client: try the seat once or twice, quickly; if its process is gone
    // (connection refused), rejoin through matchmaking instead of retrying for a minute.
    room.reconnection.maxRetries = 2;
    room.reconnection.minDelay = 50;
    room.reconnection.maxDelay = 200;
    room.reconnection.minUptime = 0;
    room.onDrop(() => (this.droppedAtMs ??= Date.now()));
    room.onMessage('bet:accepted', (m: any) => {
      this.pending.delete(m.requestId);
      this.acks.set(m.requestId, { requestId: m.requestId, ticketId: m.ticketId, duplicate: m.duplicate, receivedAt: m.receivedAt, ackedAtMs: Date.now() });
    });
    room.onMessage('bet:rejected', (m: any) => {
      if (ASK_AGAIN.has(m.code)) {
        // Not decided: shutting down (it goes again after rejoining), or the ledger was away
        // or busy (it goes again shortly, same request id, as a client should).
        this.askedAgain.set(m.code, (this.askedAgain.get(m.code) ?? 0) + 1);
        this.askedAgainAt.set(m.requestId, m.receivedAt);
        if (m.code !== 'SHUTTING_DOWN') setTimeout(() => this.resend(m.requestId), ASK_AGAIN_DELAY_MS);
        return;
      }
      this.pending.delete(m.requestId);
      this.rejections.push({ requestId: m.requestId, code: m.code, receivedAt: m.receivedAt, message: m.message });
    });
    room.onMessage('error', () => {});
    room.onLeave((code: number) => {
      if (this.room !== room || this.stopped) return;
      this.room = undefined;
      if (code === SalesCloseCode.DRAW_OVER) this.lookUpPending().catch((err) => (this.lookUpError = String(err?.message ?? err)));
      else this.rejoin();
    });
  }

  /** The player's tickets in the draw, by request id, from the ticket history (every page). */
  private async ticketsOfDraw(): Promise<Map<string, { ticketId: string; receivedAt: string }>> {
    const found = new Map<string, { ticketId: string; receivedAt: string }>();
    let cursor: string | null = '';
    while (cursor !== null) {
      const query = `draw=${encodeURIComponent(this.drawId)}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(`http://127.0.0.1:${this.ports()[0]}/api/tickets?${query}`, { headers: { authorization: `Bearer ${this.token}` } });
      if (!res.ok) throw new Error(`${this.name}: ticket history answered ${res.status}`);
      const page = (await res.json()) as { tickets: { requestId: string; ticketId: string; receivedAt: string }[]; nextCursor: string | null };
      for (const ticket of page.tickets) found.set(ticket.requestId, ticket);
      cursor = page.nextCursor;
    }
    return found;
  }

  /** Why looking up the bets left without a final answer at draw time failed, if it did. */
  lookUpError: string | undefined;

  /**
   * The draw is over (4410) and a resend has nowhere to go: each bet still without a final
   * answer is looked up in the player's ticket history by its request id, as the README
   * tells a client to. Found: it was bought. Not found: it was not, and never will be.
   */
  private async lookUpPending(): Promise<void> {
    if (this.pending.size === 0) return;
    // The database may still be away (503, Retry-After): asked again, as a client would.
    let found: Map<string, { ticketId: string; receivedAt: string }> | undefined;
    for (let attempt = 0; !found; attempt++) {
      try {
        found = await this.ticketsOfDraw();
      } catch (err) {
        if (attempt >= 60) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    for (const requestId of [...this.pending.keys()]) {
      const ticket = found.get(requestId);
      if (ticket) this.acks.set(requestId, { requestId, ticketId: ticket.ticketId, duplicate: true, receivedAt: Date.parse(ticket.receivedAt), ackedAtMs: Date.now() });
      else this.rejections.push({ requestId, code: 'DRAW_CLOSED', receivedAt: this.askedAgainAt.get(requestId) ?? Number.NaN, message: 'not in the ticket history once the draw was over' });
      this.pending.delete(requestId);
    }
  }

  private rejoin(): void {
    if (this.rejoining) return;
    this.rejoins++;
    const startedMs = Date.now();
    this.rejoining = this.join()
      .then(() => {
        this.rejoinMs.push(Date.now() - startedMs);
        if (this.droppedAtMs !== undefined) this.dropToRejoinMs.push(Date.now() - this.droppedAtMs);
        this.droppedAtMs = undefined;
        // Everything without a reply goes again, same request ids: at most one ticket each.
        for (const message of this.pending.values()) this.room?.send('bet', message);
      })
      .catch(() => {})
      .finally(() => (this.rejoining = undefined));
  }

  /** Sends one new bet (quick pick). */
  bet(): string {
    const requestId = `${this.name}-${++this.sequence}`;
    const message = { requestId, quickPick: 1 };
    this.pending.set(requestId, message);
    this.room?.send('bet', message);
    return requestId;
  }

  private resend(requestId: string): void {
    const message = this.pending.get(requestId);
    if (message && this.room && !this.stopped) this.room.send('bet', message);
  }

  /** Sends again every bet still without a reply (after a SHUTTING_DOWN answer, say). */
  resendPending(): void {
    if (!this.room) return;
    for (const message of this.pending.values()) this.room.send('bet', message);
  }

  async leave(): Promise<void> {
    this.stopped = true;
    const room = this.room;
    this.room = undefined;
    // A room whose process is gone never answers a leave: do not wait for it forever.
    if (room) await Promise.race([room.leave().catch(() => {}), new Promise((r) => setTimeout(r, 2_000))]);
  }
}

/** A lotto draw selling for the next hour, created and opened in a cluster's shared ledger. */
export async function openClusterDraw(pool: pg.Pool, seedKeyHex: string, prefix: string): Promise<string> {
  const nowMs = Date.now();
  const vault = new SeedVault(Buffer.from(seedKeyHex, 'hex'));
  const publicId = `${prefix}-${nowMs}`;
  await ensureDraw(pool, {
    publicId,
    gameId: 'lotto649',
    businessDate: new Date(nowMs).toISOString().slice(0, 10),
    openAtMs: nowMs - 60_000,
    cutoffAtMs: nowMs + 3_600_000 + 7,
    drawAtMs: nowMs + 7_200_000 + 7,
    seedCommitment: seedCommitment(publicId, 'operator', vault.newSeed()),
    seedSealed: vault.seal(publicId, vault.newSeed()),
    seedKeyId: vault.keyId,
    beacon: null,
    leafVersion: LEAF_VERSION_CURRENT,
  });
  await openDueDraws(pool);
  return publicId;
}

export interface Cluster {
  /** What every process is started with: one pair of draw keys, the scratch database, the Redis database. */
  env: Record<string, string>;
  /** The cluster's draw seed key (hex): openClusterDraw makes draws any process may lead. */
  seedKeyHex: string;
  /** The shared ledger, through the app's own database module. */
  db: Database;
  procs: ServerProcess[];
}

/**
 * `processes` real server processes on a scratch database of DATABASE_URL's server and Redis
 * database `redisIndex` of REDIS_URL's (emptied first and after: each test file its own index),
 * the first started alone, as it migrates. Everything is killed and removed at the test's end.
 */
export async function startCluster(t: Test, o: { databaseUrl: string; redisUrl: string; redisIndex: number; name: string; processes: number; env?: Record<string, string> }): Promise<Cluster> {
  const redisDb = redisDatabase(o.redisUrl, o.redisIndex);
  const redis = new Redis(redisDb);
  await redis.flushdb();
  const scratch = await createScratchDatabase(o.databaseUrl, o.name);
  const keys = testDrawKeys();
  const env = { ...keys, DATABASE_URL: scratch.url, REDIS_URL: redisDb, ...o.env };
  const procs: ServerProcess[] = [];
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolMax: 2, logger: createLogger('silent') });
  t.teardown(async () => {
    for (const p of procs) if (p.alive) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await db.close();
    await scratch.drop();
    await redis.flushdb();
    await redis.quit();
  });
  procs.push(await startServerProcess(env)); // first alone: it migrates
  for (let i = 1; i < o.processes; i++) procs.push(await startServerProcess(env));
  return { env, seedKeyHex: keys.DRAW_SEED_KEY, db, procs };
}
