// test/support/harness.ts — a real server per test file, on real PostgreSQL when
// DATABASE_URL is set (a fresh database per file) or embedded PGlite otherwise.
import crypto from 'node:crypto';
import pg from 'pg';
import { Client, type Room } from '@colyseus/sdk';
import { loadConfig, type Config } from '../../app/config.ts';
import { startServer, type RunningServer, type StartOptions } from '../../app/boot.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import type { AuthLimitPolicy } from '../../app/rateLimits.ts';
import type { Clock } from '../../core/clock.ts';
import type { AddressLocator } from '../../actors/GeoGate.ts';
import type { DrawRunner } from '../../actors/DrawRunner.ts';
import { openDueDraws, type DrawRow } from '../../ledger/draws.ts';
import { createScratchDatabase } from './database.ts';

export interface TestServer {
  server: RunningServer;
  pool: pg.Pool;
  httpUrl: string;
  wsUrl: string;
  databaseKind: 'postgres' | 'pglite';
  /** The scratch database's URL on a real PostgreSQL (undefined on the embedded one). */
  databaseUrl?: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  clock?: Clock;
  env?: Record<string, string>;
  /**
   * A PostgreSQL URL to use as it is (the caller made the database and removes it), instead
   * of a fresh scratch database on DATABASE_URL: a route to it through a faulty network, say.
   */
  databaseUrl?: string;
  /** The server's logger (default: silent, or TEST_LOG_LEVEL to stdout). */
  logger?: Logger;
  /** Login and registration limits other than the defaults. */
  authLimitPolicy?: AuthLimitPolicy;
  /** Where addresses are, instead of geoip-lite's database. */
  locateAddress?: AddressLocator;
  /** Who an operator token belongs to, for the `operators` room (app/boot.ts StartOptions). */
  authenticateOperator?: StartOptions['authenticateOperator'];
}

/** Which server's draw runner creates draws on a pool (openDraw needs its seed key). */
const runners = new WeakMap<pg.Pool, DrawRunner>();

/** Fresh draw keys per test server: tests never touch a data directory's keys. */
export function testDrawKeys(): Record<string, string> {
  return { DRAW_SEED_KEY: crypto.randomBytes(32).toString('hex'), DRAW_SIGNING_KEY: crypto.randomBytes(32).toString('hex') };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const baseUrl = process.env.DATABASE_URL;
  const database = options.databaseUrl
    ? { url: options.databaseUrl, drop: async () => {} }
    : baseUrl
      ? await createScratchDatabase(baseUrl, 'lottery_test')
      : undefined;
  const config: Config = {
    // The sandbox identity provider decides at once: newPlayer() verifies every player.
    ...loadConfig({ ...testDrawKeys(), IDENTITY_SANDBOX_DELAY_MS: '0', PAYMENT_SANDBOX_DELAY_MS: '0', ...options.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    port: 0,
    databaseUrl: database?.url,
    // Tests must never share a Redis with anything else (see COLYSEUS-NOTES.md).
    redisUrl: options.env?.REDIS_URL,
  };
  const server = await startServer({
    config,
    clock: options.clock,
    inMemoryDatabase: !database,
    scheduler: false,
    logger: options.logger ?? createLogger(config.logLevel),
    authLimitPolicy: options.authLimitPolicy,
    locateAddress: options.locateAddress,
    authenticateOperator: options.authenticateOperator,
  });
  runners.set(server.db.pool, server.draws.runner);
  return {
    server,
    pool: server.db.pool,
    httpUrl: `http://127.0.0.1:${server.port}`,
    wsUrl: `ws://127.0.0.1:${server.port}`,
    databaseKind: server.db.kind,
    databaseUrl: database?.url,
    async close() {
      await server.shutdown();
      await database?.drop();
    },
  };
}

export async function http(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: Object.fromEntries(res.headers) };
}

/**
 * A 429 asking to wait longer than this is a per-address budget (minutes to an hour), not a
 * busy password queue (seconds; up to ten with three servers sharing two cores): not retried.
 */
const BUSY_RETRY_AFTER_SECONDS_MAX = 15;
const BUSY_RETRIES_MAX = 10;

/**
 * A POST as a well-behaved client sends it: a 429 whose Retry-After is a few seconds (the
 * password queue of a busy server, app/auth.ts) is sent again after that wait.
 */
async function postAsClient(base: string, path: string, body: unknown) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    const retryAfterSeconds = Number(res.headers.get('retry-after'));
    if (res.status !== 429 || attempt >= BUSY_RETRIES_MAX || !(retryAfterSeconds <= BUSY_RETRY_AFTER_SECONDS_MAX)) {
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }
    await new Promise((r) => setTimeout(r, retryAfterSeconds * 1000));
  }
}

let playerCounter = 0;

/**
 * Registers, logs in, verifies (the sandbox provider, app/identity.ts) and optionally funds a
 * new player; returns the session token. `verify: false` leaves them unverified.
 */
export async function newPlayer(base: string, depositMinor = 0, options: { verify?: boolean } = {}): Promise<{ token: string; email: string }> {
  const email = `player${process.pid}_${++playerCounter}_${crypto.randomBytes(3).toString('hex')}@example.test`;
  const password = 'correct horse battery staple';
  const reg = await postAsClient(base, '/api/auth/register', { email, password, dateOfBirth: '1990-04-12', country: 'DE' });
  if (reg.status !== 201) throw new Error(`register failed: ${JSON.stringify(reg.body)}`);
  const login = await postAsClient(base, '/api/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  const token = login.body.token as string;
  if (options.verify !== false) await verifyIdentity(base, token);
  if (depositMinor > 0) {
    const status = await deposit(base, token, depositMinor, `seed-${playerCounter}`);
    if (status !== 'completed') throw new Error(`deposit ${status}`);
  }
  return { token, email };
}

/**
 * Deposits through the sandbox payment provider (the amount's last two digits decide how it
 * answers: app/payments.ts SANDBOX_PAYMENT_RULES) and waits for its webhook to settle the
 * deposit: completed, declined or failed.
 */
export async function deposit(base: string, token: string, amountMinor: number, idempotencyKey: string, waitForMs = 15_000): Promise<string> {
  const asked = await http(base, 'POST', '/api/wallet/deposits', { amount: amountMinor, idempotencyKey }, token);
  if (asked.status !== 202) throw new Error(`deposit refused: ${asked.status} ${JSON.stringify(asked.body)}`);
  const deadline = Date.now() + waitForMs;
  for (;;) {
    const now = await http(base, 'GET', `/api/wallet/deposits/${asked.body.depositId}`, undefined, token);
    if (now.status === 200 && now.body.status !== 'pending') return now.body.status;
    if (now.status !== 200 || Date.now() > deadline) throw new Error(`deposit still pending: ${JSON.stringify(now.body)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A player's row id and wallet account id, by email: what the ledger functions take. */
export async function playerIdsByEmail(pool: pg.Pool, email: string): Promise<{ playerId: number; walletAccountId: number }> {
  const { rows } = await pool.query(`select p.id, a.id as wallet from players p join accounts a on a.player_id = p.id and a.kind = 'player_wallet' where p.email = $1`, [email]);
  return { playerId: Number(rows[0].id), walletAccountId: Number(rows[0].wallet) };
}

/**
 * Asks the sandbox provider to verify the player (`documentNumber` decides how it answers:
 * app/identity.ts SANDBOX_IDENTITY_RULES) and waits for its callback to settle the status.
 */
export async function verifyIdentity(base: string, token: string, documentNumber = 'P1234567', waitForMs = 15_000): Promise<string> {
  const asked = await http(base, 'POST', '/api/me/identity', { givenName: 'Test', familyName: 'Player', documentNumber }, token);
  if (asked.status !== 202) throw new Error(`identity check refused: ${JSON.stringify(asked.body)}`);
  const deadline = Date.now() + waitForMs;
  for (;;) {
    const now = await http(base, 'GET', '/api/me/identity', undefined, token);
    if (now.status === 200 && now.body.status !== 'pending') return now.body.status;
    if (now.status !== 200 || Date.now() > deadline) throw new Error(`identity check still pending: ${JSON.stringify(now.body)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A lotto draw selling now, with its cutoff `cutoffInMs` from now (real time) and its draw
 * `drawAfterCutoffMs` later, created with its commitment by the server's draw runner.
 */
export async function openDraw(pool: pg.Pool, cutoffInMs = 60 * 60 * 1000, nowMs = Date.now(), drawAfterCutoffMs = 60 * 60 * 1000, gameId = 'lotto649'): Promise<DrawRow> {
  const runner = runners.get(pool);
  if (!runner) throw new Error('openDraw needs a pool of a server started by startTestServer');
  const publicId = `test-${crypto.randomBytes(5).toString('hex')}`;
  const { draw } = await runner.createDraw({
    publicId,
    gameId,
    businessDate: new Date(nowMs).toISOString().slice(0, 10),
    openAtMs: nowMs - 60_000,
    cutoffAtMs: nowMs + cutoffInMs,
    drawAtMs: nowMs + cutoffInMs + drawAfterCutoffMs,
  });
  await openDueDraws(pool);
  return { ...draw, status: 'open' };
}

/**
 * A draw of `gameId` created with its commitment but not yet selling ('scheduled'): what the
 * scheduler keeps ahead of the open one, and what advance play buys into.
 */
export async function scheduleDraw(pool: pg.Pool, times: { openAtMs: number; cutoffAtMs: number; drawAtMs: number }, gameId = 'lotto649'): Promise<DrawRow> {
  const runner = runners.get(pool);
  if (!runner) throw new Error('scheduleDraw needs a pool of a server started by startTestServer');
  const { draw } = await runner.createDraw({
    publicId: `test-${crypto.randomBytes(5).toString('hex')}`,
    gameId,
    businessDate: new Date(times.openAtMs).toISOString().slice(0, 10),
    ...times,
  });
  return draw;
}

export interface BetReply {
  type: 'bet:accepted' | 'bet:rejected';
  requestId: string | null;
  [key: string]: any;
}

/** A player's connection to a sales shard, collecting every bet reply. */
export class PlayerConnection {
  readonly replies: BetReply[] = [];
  private waiters = new Map<string, (r: BetReply) => void>();

  constructor(
    readonly client: Client,
    readonly room: Room,
  ) {
    for (const type of ['bet:accepted', 'bet:rejected'] as const) {
      room.onMessage(type, (message: any) => {
        const reply = { type, ...message } as BetReply;
        this.replies.push(reply);
        const key = reply.requestId ?? '';
        this.waiters.get(key)?.(reply);
        this.waiters.delete(key);
      });
    }
    room.onMessage('error', (message: any) => this.replies.push({ type: 'bet:rejected', requestId: null, ...message }));
  }

  static async join(wsUrl: string, token: string, drawId: string): Promise<PlayerConnection> {
    const client = new Client(wsUrl);
    client.auth.token = token;
    const room = await client.joinOrCreate('sales', { drawId });
    return new PlayerConnection(client, room);
  }

  /** Sends a bet and resolves with its reply (matched by requestId). */
  bet(message: Record<string, unknown>): Promise<BetReply> {
    const key = String(message.requestId ?? '');
    const reply = new Promise<BetReply>((resolve) => this.waiters.set(key, resolve));
    this.room.send('bet', message);
    return reply;
  }

  /** Resolves once `n` replies have arrived in total. */
  async waitForReplies(n: number, timeoutMs = 20_000): Promise<BetReply[]> {
    const start = Date.now();
    while (this.replies.length < n) {
      if (Date.now() - start > timeoutMs) throw new Error(`only ${this.replies.length} of ${n} replies after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.replies;
  }

  /** Writes a raw frame on the socket, past the SDK's encoding: for hostile-client tests. */
  sendRaw(frame: Uint8Array): void {
    (this.room as any).connection.transport.ws.send(frame);
  }

  /** The SDK's underlying socket (the `ws` package's WebSocket). */
  get socket(): any {
    return (this.room as any).connection.transport.ws;
  }

  async leave() {
    await this.room.leave().catch(() => {});
  }
}

/** A ROOM_DATA frame (Colyseus protocol 13) of a string type with raw msgpack bytes as payload. */
export function roomDataFrame(type: string, payload: Uint8Array = new Uint8Array()): Buffer {
  const name = Buffer.from(type, 'utf8');
  if (name.length > 31) throw new Error('type names over 31 bytes need a longer msgpack header');
  return Buffer.concat([Buffer.from([13, 0xa0 | name.length]), name, payload]);
}

export function line(...numbers: number[]): number[] {
  return numbers;
}
