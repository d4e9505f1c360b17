// app/boot.ts — assembles one server process: database, ledger, actors, rooms, HTTP.
// Used by server.ts, the tests and the benchmark, so all three run the same server.
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { LocalDriver, LocalPresence, matchMaker, Server } from '@colyseus/core';
import uWS from 'uWebSockets.js';
import { BetWriter } from '../actors/BetWriter.ts';
import { ClockHealth } from '../actors/ClockHealth.ts';
import { DrawRunner } from '../actors/DrawRunner.ts';
import { DrawScheduler } from '../actors/DrawScheduler.ts';
import { DrawTallies } from '../actors/DrawTallies.ts';
import { Sessions } from '../actors/Sessions.ts';
import { AdvisoryLockLeadership, LocalLeadership, type Leadership } from '../actors/Leadership.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { MESSAGE_BYTES_MAX } from '../core/limits.ts';
import { signWireReceipts } from '../draw/receiptWire.ts';
import { SeedVault } from '../draw/vault.ts';
import { migrate } from '../ledger/migrate.ts';
import { sessionPlayer } from '../ledger/players.ts';
import { SalesRoom } from '../rooms/SalesRoom.ts';
import { assertRoomInternals } from '../rooms/roomInternals.ts';
import { SeatBook } from '../rooms/seats.ts';
import { setRoomServices } from '../rooms/services.ts';
import { registerApi, sessionAuthenticator } from './api.ts';
import { colyseusLogger } from './colyseusLogger.ts';
import { provideWebSocketGlobal } from './webSocketGlobal.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './database.ts';
import { HttpRoutes, OwnHttpTransport } from './http.ts';
import { PasswordQueue } from './auth.ts';
import { TrustedProxies } from './clientAddress.ts';
import { AuthLimits, authLimitPolicy, type AuthLimitPolicy } from './rateLimits.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { beaconFromConfig } from '../core/beacon.ts';
import { registerDrawApi } from './drawApi.ts';
import { loadDrawKeys } from './keys.ts';
import { nativeSha256, nativeSigner } from './nativeCrypto.ts';
import { createMetrics } from '../core/metrics.ts';
import { isRedisOutageError } from './redis.ts';
import { SandboxPaymentProvider } from './payments.ts';

/** Bet batches in flight at once (ledger/bets.ts: two overlap all but the final pool credit). */
const BET_WRITER_CONCURRENCY = 2;

export interface StartOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** Embedded database only: keep it in memory (tests). */
  inMemoryDatabase?: boolean;
  /** Run the draw scheduler (tests that create their own draws turn it off). */
  scheduler?: boolean;
  /** Login and registration limits other than core/limits.ts's (tests). */
  authLimitPolicy?: AuthLimitPolicy;
}

export interface RunningServer {
  port: number;
  db: Database;
  betWriter: BetWriter;
  logger: Logger;
  /** The draw lifecycle: tests drive it step by step with scheduler.runDue(). */
  draws: { runner: DrawRunner; scheduler: DrawScheduler; publicKey: string; leadership: Leadership };
  clockHealth: ClockHealth;
  tallies: DrawTallies;
  /** The HTTP routes served (method and pattern). */
  httpRoutes: { method: string; pattern: string }[];
  /** Ends sessions everywhere (logout, suspension, password change: Sessions.end). */
  sessions: Sessions;
  /** Stops taking joins and bets, drains the writer, disposes rooms, closes the database. */
  shutdown(): Promise<void>;
}

/** Which uWS build loaded: the native addon, or the package's pure-JS fallback. */
function uwsBuild(): 'native' | 'fallback' {
  const require = createRequire(import.meta.url);
  return Object.keys(require.cache).some((k) => /uws_[a-z0-9_]+\.node$/.test(k)) ? 'native' : 'fallback';
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  // The baseline writes one transaction per bet, as many at once as it has connections.
  const betPoolMax = config.betWriteMode === 'single' ? 10 : BET_WRITER_CONCURRENCY + 1;
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, inMemory: options.inMemoryDatabase, betPoolMax, logger });
  const applied = await migrate(db.pool);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');

  const metrics = createMetrics();
  const keys = loadDrawKeys({ seedKey: config.drawSeedKey, signingKey: config.drawSigningKey }, config.dataDir, logger);
  const vault = new SeedVault(keys.seedKey);
  const runner = new DrawRunner({
    pool: db.pool,
    clock,
    logger,
    metrics,
    vault,
    signingKey: keys.signingKey,
    publicKey: keys.publicKey,
    sha256: nativeSha256,
    beacon: beaconFromConfig(config, logger),
    revealWaitMs: config.revealWaitSeconds * 1000,
  });
  let presence, driver;
  let liveness: import('./redis.ts').ProcessLiveness | undefined;
  if (config.redisUrl) {
    const { redisMatchmaking, ProcessLiveness } = await import('./redis.ts');
    ({ presence, driver } = redisMatchmaking(config.redisUrl, logger));
    liveness = new ProcessLiveness(matchMaker, logger);
  } else {
    presence = new LocalPresence();
    driver = new LocalDriver();
  }
  const tallies = new DrawTallies(db.pool, presence, crypto.randomUUID(), logger);
  const sessions = new Sessions({ pool: db.pool, presence, clock, logger });
  await sessions.start();
  const signBatch = nativeSigner(keys.signingKey);
  const betWriter = new BetWriter({
    pool: db.betPool,
    logger,
    metrics,
    mode: config.betWriteMode,
    // Two batches in flight overlap all but the final pool credit (see ledger/bets.ts); the
    // baseline runs as many single-bet transactions as the pool allows. PGlite has one connection.
    concurrency: Math.max(1, Math.min(config.betWriteMode === 'single' ? Infinity : BET_WRITER_CONCURRENCY, (db.betPool.options.max ?? 1) - 1)),
    onCommitted: (bets) => tallies.onCommitted(bets),
    signReceipts: (tickets) => signWireReceipts(tickets, keys.signingKey, (message) => signBatch(message), nativeSha256),
  });
  const authenticate = sessionAuthenticator(db.pool, clock, sessionPlayer);
  setRoomServices({
    pool: db.pool,
    clock,
    logger,
    betWriter,
    tallies,
    vault,
    authenticate,
    seats: new SeatBook(),
    sessions,
    salesRoomClientsMax: config.salesRoomClientsMax,
    betRatePerSecond: config.betRatePerSecond,
    betRateBurst: config.betRateBurst,
  });

  // Colyseus' seat reconnection reads a global WebSocket that Node 20 lacks (app/webSocketGlobal.ts).
  const webSocketGlobal = provideWebSocketGlobal();
  const transport = new OwnHttpTransport({
    maxPayloadLength: MESSAGE_BYTES_MAX,
    // Without this uWS silently drops patches to a slow client; a clean close lets the SDK reconnect.
    // (typed as a number in this build's .d.ts; the addon reads it as a boolean)
    closeOnBackpressureLimit: 1,
    maxBackpressure: 1024 * 1024,
    idleTimeout: 60,
  });
  // Defence in depth behind our own matchmaking route: clients never create rooms.
  matchMaker.controller.exposedMethods = ['joinOrCreate', 'join', 'joinById', 'reconnect'];

  const server = new Server({
    transport,
    presence,
    driver,
    publicAddress: config.publicAddress,
    selectProcessIdToCreateRoom: liveness?.selectProcessIdToCreateRoom,
    // One short line per Colyseus log call, through pino (app/colyseusLogger.ts).
    logger: colyseusLogger(logger),
    greet: false,
    gracefullyShutdown: false,
  });
  assertRoomInternals();
  server.define('sales', SalesRoom).filterBy(['drawId']);

  let shuttingDown = false;
  const routes = new HttpRoutes(transport.app, logger, { trustedProxies: new TrustedProxies(config.trustedProxies) });
  // Shared by the cluster through Redis, else PostgreSQL; the embedded database serves one process.
  const limitStore = config.redisUrl
    ? ({ kind: 'redis', url: config.redisUrl } as const)
    : db.kind === 'postgres'
      ? ({ kind: 'postgres', pool: db.pool } as const)
      : ({ kind: 'memory' } as const);
  const authLimits = AuthLimits.create(limitStore, logger, options.authLimitPolicy ?? authLimitPolicy(config.authLimits));
  registerApi(routes, {
    pool: db.pool,
    clock,
    logger,
    metrics,
    payments: new SandboxPaymentProvider(),
    authenticate,
    sessions,
    operatorCredentials: config.operatorCredentials,
    isShuttingDown: () => shuttingDown,
    schedule: config,
    passwords: new PasswordQueue(),
    authLimits,
    roomNames: ['sales'],
  });
  registerDrawApi(routes, { pool: db.pool, runner, publicKey: keys.publicKey, operatorCredentials: config.operatorCredentials, authenticate });

  await server.listen(config.port);
  const listenSocket = (transport as any)._listeningSocket;
  const port = listenSocket ? uWS.us_socket_local_port(listenSocket) : config.port;

  const clockHealth = new ClockHealth(db.pool, clock, logger, metrics);
  await clockHealth.start();
  // The embedded database belongs to this process alone, so it leads every draw.
  const leadership: Leadership =
    db.kind === 'postgres' && config.databaseUrl ? new AdvisoryLockLeadership(config.databaseUrl, logger) : new LocalLeadership();
  const scheduler = new DrawScheduler({
    pool: db.pool,
    clock,
    logger,
    runner,
    leadership,
    metrics,
    schedule: { schedule: config.schedule, demoPeriodSeconds: config.demoPeriodSeconds },
    dbNowMs: () => clockHealth.dbNowMs(),
  });
  if (options.scheduler !== false) await scheduler.start();
  // A process killed without a goodbye leaves its rooms listed in Redis: forget it within
  // half a second (app/redis.ts), before its players come back asking for a shard.
  liveness?.start();

  logger.info(
    {
      port,
      processId: matchMaker.processId,
      publicAddress: config.publicAddress,
      database: db.description,
      presence: config.redisUrl ? 'redis' : 'in-process',
      loginLimits: limitStore.kind,
      transport: `uWebSockets.js ${uwsBuild()}`,
      webSocketGlobal,
      betWriteMode: config.betWriteMode,
      drawPublicKey: keys.publicKey,
      schedule: config.schedule,
      leadership: db.kind === 'postgres' ? 'advisory locks' : 'local',
      clockOffsetMs: Math.round(clockHealth.offsetMs),
    },
    'lottery server listening',
  );

  return {
    port,
    db,
    betWriter,
    logger,
    draws: { runner, scheduler, publicKey: keys.publicKey, leadership },
    clockHealth,
    tallies,
    httpRoutes: routes.served,
    sessions,
    async shutdown() {
      if (shuttingDown) return;
      // No new joins (the matchmaking route checks this) and, once the writer stops, no
      // new bets: every bet already taken is written and answered first.
      shuttingDown = true;
      liveness?.stop();
      await betWriter.stop();
      // Give up leadership at once so another process takes the draws over without waiting.
      await scheduler.stop();
      clockHealth.stop();
      await sessions.stop();
      // Dispose rooms, remove them and this process from Redis, close sockets and presence.
      await server.gracefullyShutdown(false);
      await tallies.stop();
      await authLimits.close();
      setRoomServices(undefined);
      await db.close();
      logger.info('server stopped');
    },
  };
}
