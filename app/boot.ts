// app/boot.ts — assembles one server process: database, ledger, actors, rooms, HTTP.
// Used by server.ts, the tests and the benchmark, so all three run the same server.
//
// startServer tells the boot story in steps, each building what the next ones use and
// handing it over by name: open the ledger, the draw machinery, presence and matchmaking,
// the writer and the rooms, HTTP, the scheduler; shutdown undoes them in reverse. A bet's
// path is in the wiring: SalesRoom -> BetWriter.submit -> ledger; after the commit the
// writer calls the tallies (its commitListener) and the receipt signer, then answers the room.
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { LocalDriver, LocalPresence, matchMaker, Server, type MatchMakerDriver, type Presence } from '@colyseus/core';
import { BetWriter } from '../actors/BetWriter.ts';
import { ClockHealth } from '../actors/ClockHealth.ts';
import { DrawRunner } from '../actors/DrawRunner.ts';
import { DrawScheduler } from '../actors/DrawScheduler.ts';
import { DrawTallies } from '../actors/DrawTallies.ts';
import { LiveInfo } from '../actors/LiveInfo.ts';
import { ResultNotifier } from '../actors/ResultNotifier.ts';
import { Sessions } from '../actors/Sessions.ts';
import { AdvisoryLockLeadership, LocalLeadership, type Leadership } from '../actors/Leadership.ts';
import type { PresenceLink } from '../actors/presenceLink.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import {
  BET_POOL_CONNECTIONS_SINGLE_MODE,
  BET_WRITER_CONCURRENCY,
  MESSAGE_BYTES_MAX,
  SOCKET_BACKPRESSURE_BYTES_MAX,
  SOCKET_IDLE_TIMEOUT_SECONDS,
} from '../core/limits.ts';
import { SeedVault } from '../draw/vault.ts';
import { migrate } from '../ledger/migrate.ts';
import { sessionPlayer, type SessionPlayer } from '../ledger/players.ts';
import { salesRoomType } from '../rooms/SalesRoom.ts';
import { stageRoomType } from '../rooms/StageRoom.ts';
import { StageDraws } from '../actors/StageDraws.ts';
import { ClusterFigures } from '../actors/ClusterFigures.ts';
import { SeatBook } from '../rooms/seats.ts';
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
import { registerTicketApi } from './ticketApi.ts';
import { loadDrawKeys, type DrawKeys } from './keys.ts';
import { nativeSha256 } from './nativeCrypto.ts';
import { createMetrics, type Metrics } from '../core/metrics.ts';
import { assertLibraryInternals, listeningPort } from './libraryInternals.ts';
import { ComparisonWsTransport } from './wsTransport.ts';
import { NativeReceiptSigner } from './receiptSigner.ts';
import type { ProcessLiveness } from './redis.ts';
import { SandboxPaymentProvider, type PaymentProvider } from './payments.ts';
import { registerWalletApi } from './walletApi.ts';
import { LIMITS_PROMPT } from './api.ts';
import { syncPrizeRules } from '../ledger/prizeHolds.ts';
import { SandboxIdentityProvider, type IdentityProvider } from './identity.ts';
import { registerIdentityApi } from './identityApi.ts';
import { registerSecondFactorApi, SecondFactor } from './secondFactorApi.ts';
import { registerSessionTimeApi } from './sessionTimeApi.ts';
import { registerOperatorPlayersApi } from './operatorPlayersApi.ts';
import { registerReportsApi } from './reportsApi.ts';
import { SecretBox } from '../core/secretBox.ts';
import { AuditChainer } from '../actors/AuditChainer.ts';
import { LedgerWatch } from '../actors/LedgerWatch.ts';
import { observeProcess } from '../core/metrics.ts';
import { AUDIT_CHAIN_EVERY_MS } from '../core/limits.ts';
import { recordEvent } from '../ledger/audit.ts';
import { drawsOverdue } from '../ledger/draws.ts';
import { linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { operatorCount } from '../ledger/operators.ts';
import { OperatorGate, registerOperatorsApi } from './operatorsApi.ts';
import { registerInterventionsApi } from './interventionsApi.ts';
import { registerMonitorApi } from './monitorApi.ts';
import { registerWebApp, webDistDir } from './webApp.ts';
import { registerAuditApi } from './auditApi.ts';
import { GeoGate, type AddressLocator } from '../actors/GeoGate.ts';
import { RiskMonitor } from '../actors/RiskMonitor.ts';
import { anyPrizeChances } from '../actors/riskRules.ts';
import type { CommittedBatchListener } from '../actors/BetWriter.ts';
import { operatorsRoomType } from '../rooms/OperatorsRoom.ts';
import { registerRiskApi } from './riskApi.ts';

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
  /** Where addresses are (tests); geoip-lite's database otherwise (actors/GeoGate.ts). */
  locateAddress?: AddressLocator;
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
  /** The payment provider money goes through (reconciliation reads its records). */
  payments: PaymentProvider;
  /** Fraud and anomaly detection; absent when RISK_MONITOR=off. */
  risk?: RiskMonitor;
  /** Stops taking joins and bets, drains the writer, disposes rooms, closes the database. */
  shutdown(): Promise<void>;
}

/** What every step uses. */
interface Basics {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  db: Database;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const basics = await openLedger(options);
  const draws = drawMachinery(basics);
  const matchmaking = await presenceAndMatchmaking(basics);
  const geo = new GeoGate({ pool: basics.db.pool, clock: basics.clock, jurisdictions: basics.config.jurisdictions, locate: options.locateAddress });
  const selling = await writerAndRooms(basics, draws, matchmaking, geo);
  const http = await serveHttp(basics, draws, matchmaking, selling, options.authLimitPolicy);
  const lifecycle = await drawLifecycle(basics, draws, options.scheduler !== false);
  // A process killed without a goodbye leaves its rooms listed in Redis: forget it within
  // half a second (app/redis.ts), before its players come back asking for a shard.
  matchmaking.liveness?.start();
  logListening(basics, draws, http, lifecycle);
  return {
    port: http.port,
    db: basics.db,
    betWriter: selling.betWriter,
    logger: basics.logger,
    draws: { runner: draws.runner, scheduler: lifecycle.scheduler, publicKey: draws.keys.publicKey, leadership: lifecycle.leadership },
    clockHealth: lifecycle.clockHealth,
    tallies: selling.tallies,
    httpRoutes: http.routes.served,
    sessions: selling.sessions,
    payments: http.payments,
    risk: selling.risk,
    shutdown: shutdownOnce(basics, matchmaking, selling, http, lifecycle),
  };
}

/** The database, migrated, and what every later step logs and counts with. */
async function openLedger(options: StartOptions): Promise<Basics> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  // The baseline writes one transaction per bet, as many at once as it has connections.
  const betPoolMax = config.betWriteMode === 'single' ? BET_POOL_CONNECTIONS_SINGLE_MODE : BET_WRITER_CONCURRENCY + 1;
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, inMemory: options.inMemoryDatabase, betPoolMax, logger });
  const applied = await migrate(db.pool);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  return { config, clock: options.clock ?? systemClock, logger, metrics: createMetrics(), db };
}

interface DrawMachinery {
  keys: DrawKeys;
  vault: SeedVault;
  runner: DrawRunner;
}

/** The draw keys, the seed vault and the runner that takes a draw from open to settled. */
function drawMachinery({ config, clock, logger, metrics, db }: Basics): DrawMachinery {
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
  return { keys, vault, runner };
}

interface Matchmaking {
  presence: Presence;
  driver: MatchMakerDriver;
  /** Redis presence's connection state; absent in-process. */
  link?: PresenceLink;
  liveness?: ProcessLiveness;
}

/** Redis for a cluster, else in-process: where shards are listed and live totals travel. */
async function presenceAndMatchmaking({ config, logger }: Basics): Promise<Matchmaking> {
  // Players joining a draw while its next shard is being made each wait on one presence
  // channel (Colyseus' concurrent joinOrCreate): at a surge, up to a shard's worth of them.
  // Node's default of 10 listeners warned of a leak at every busy start (bench:day).
  const listenersMax = config.salesRoomClientsMax;
  if (!config.redisUrl) {
    const presence = new LocalPresence();
    presence.setMaxListeners(listenersMax);
    return { presence, driver: new LocalDriver() };
  }
  const { redisMatchmaking, ProcessLiveness } = await import('./redis.ts');
  const { presence, driver } = redisMatchmaking(config.redisUrl, logger);
  presence.setMaxListeners(listenersMax);
  return { presence, driver, link: presence, liveness: new ProcessLiveness(matchMaker, logger) };
}

interface Selling {
  tallies: DrawTallies;
  liveInfo: LiveInfo;
  results: ResultNotifier;
  sessions: Sessions;
  betWriter: BetWriter;
  authenticate: (token: unknown) => Promise<SessionPlayer | null>;
  salesRoom: ReturnType<typeof salesRoomType>;
  /** The live draw stage's rows, read once a second per draw this process shows. */
  stageDraws: StageDraws;
  stageRoom: ReturnType<typeof stageRoomType>;
  geo: GeoGate;
  risk?: RiskMonitor;
}

/** The bet writer and what it reports to, and the sales room class bound to them. */
async function writerAndRooms({ config, clock, logger, metrics, db }: Basics, draws: DrawMachinery, mm: Matchmaking, geo: GeoGate): Promise<Selling> {
  const { presence, link } = mm;
  const tallies = new DrawTallies({ pool: db.pool, presence, link, processId: crypto.randomUUID(), logger });
  const liveInfo = new LiveInfo(db.pool, logger);
  const results = new ResultNotifier({ pool: db.pool, presence, link, logger });
  await results.start();
  draws.runner.onSettled((drawId) => results.settled(drawId));
  const sessions = new Sessions({ pool: db.pool, presence, link, clock, logger });
  await sessions.start();
  const risk = riskMonitor({ config, clock, logger, metrics, db }, presence);
  if (risk) draws.runner.onSettled((drawId) => risk.onSettled(drawId));
  const betWriter = new BetWriter({
    pool: db.betPool,
    logger,
    metrics,
    mode: config.betWriteMode,
    flushDelayMsMax: config.betFlushDelayMs,
    // Two batches in flight overlap all but the final pool credit (see ledger/bets.ts); the
    // baseline runs as many single-bet transactions as the pool allows. PGlite has one connection.
    concurrency: Math.max(1, Math.min(config.betWriteMode === 'single' ? Infinity : BET_WRITER_CONCURRENCY, (db.betPool.options.max ?? 1) - 1)),
    commitListener: risk ? bothListeners(tallies, risk) : tallies,
    receiptSigner: new NativeReceiptSigner(draws.keys.signingKey),
  });
  const authenticate = sessionAuthenticator(db.pool, clock, sessionPlayer);
  const salesRoom = salesRoomType({
    pool: db.pool,
    clock,
    logger,
    betWriter,
    tallies,
    liveInfo,
    results,
    vault: draws.vault,
    authenticate,
    seats: new SeatBook(),
    sessions,
    geo,
    jurisdictions: config.jurisdictions,
    geoRecheckMs: config.geoRecheckSeconds * 1000,
    salesRoomClientsMax: config.salesRoomClientsMax,
    betRatePerSecond: config.betRatePerSecond,
    betRateBurst: config.betRateBurst,
  });
  const stageDraws = new StageDraws({ pool: db.pool, logger });
  const stageRoom = stageRoomType({ clock, logger, stageDraws, tallies, stageRoomClientsMax: config.stageRoomClientsMax });
  return { tallies, liveInfo, results, sessions, betWriter, authenticate, salesRoom, stageDraws, stageRoom, geo, risk };
}

/** The risk monitor (config RISK_MONITOR, RISK_RULES_FILE), with each game's odds of any prize per line. */
function riskMonitor({ config, clock, logger, metrics, db }: Basics, presence: Presence): RiskMonitor | undefined {
  if (!config.risk.enabled) return undefined;
  const chances = new Map(allGames().map((g) => [g.id, anyPrizeChances(g.odds())]));
  const monitor = new RiskMonitor({
    pool: db.pool,
    presence,
    clock,
    logger,
    metrics,
    rules: config.risk.rules,
    chanceOf: (gameId, betType) => chances.get(gameId)?.get(betType),
  });
  monitor.start();
  return monitor;
}

/** The live totals first (other processes wait for them), then the risk rules: each hears every commit. */
function bothListeners(first: CommittedBatchListener, second: CommittedBatchListener): CommittedBatchListener {
  return {
    onCommitted(bets) {
      first.onCommitted(bets);
      second.onCommitted(bets);
    },
  };
}

/** The interim operator check for the operators room: OPERATOR_CREDENTIALS as the token (see StartOptions). */

interface Http {
  server: Server;
  routes: HttpRoutes;
  identity: IdentityProvider;
  payments: PaymentProvider;
  stopPayoutRetries: () => void;
  authLimits: AuthLimits;
  port: number;
  limitStore: 'redis' | 'postgres' | 'memory';
  webSocketGlobal: ReturnType<typeof provideWebSocketGlobal>;
  /** Read by the matchmaking route: set once shutdown begins. */
  shuttingDown: { now: boolean };
  /** Closes the HTTP listener when it is not Colyseus' own transport (SOCKET_TRANSPORT=ws). */
  closeHttp: () => void;
}

/** The Colyseus server with the sales room, our HTTP routes, listening. */
async function serveHttp(
  basics: Basics,
  draws: DrawMachinery,
  mm: Matchmaking,
  selling: Selling,
  policy: AuthLimitPolicy | undefined,
): Promise<Http> {
  const { config, logger } = basics;
  // Colyseus' seat reconnection reads a global WebSocket that Node 20 lacks (app/webSocketGlobal.ts).
  const webSocketGlobal = provideWebSocketGlobal();
  const { transport, sockets } = socketTransports(config);
  // Every library internal we rely on, checked before anything listens (libraryInternals.ts).
  assertLibraryInternals({ transport, driver: mm.driver, presence: mm.presence });
  // Defence in depth behind our own matchmaking route: clients never create rooms.
  matchMaker.controller.exposedMethods = ['joinOrCreate', 'join', 'joinById', 'reconnect'];
  const server = new Server({
    transport: sockets,
    presence: mm.presence,
    driver: mm.driver,
    publicAddress: config.publicAddress,
    selectProcessIdToCreateRoom: mm.liveness?.selectProcessIdToCreateRoom,
    // One short line per Colyseus log call, through pino (app/colyseusLogger.ts).
    logger: colyseusLogger(logger),
    greet: false,
    gracefullyShutdown: false,
  });
  server.define('sales', selling.salesRoom).filterBy(['drawId']);
  // The live draw stage: anyone may watch, one room per draw (more past stageRoomClientsMax).
  server.define('stage', selling.stageRoom).filterBy(['drawId']);
  const gate = new OperatorGate(basics.db.pool, basics.clock, new SecretBox(draws.keys.seedKey, 'operator-totp'), config.metricsToken);
  server.define('operators', operatorsRoomType({ presence: mm.presence, logger, authenticateOperator: (token) => gate.authenticate(token) }));
  const shuttingDown = { now: false };
  const routes = new HttpRoutes(transport.app, logger, {
    trustedProxies: new TrustedProxies(config.trustedProxies),
    onAnswered: (status) => basics.metrics.httpResponses.inc({ class: `${Math.floor(status / 100)}xx` }),
  });
  const { authLimits, limitStore } = authLimitsFor(basics, policy);
  const ownUrl = { url: '' };
  const identity = identityProvider(basics, () => config.identity.callbackUrl ?? ownUrl.url);
  const payments = paymentProvider(basics, () => config.payments.callbackUrl ?? ownUrl.url);
  await registerRoutes(routes, basics, draws, selling, authLimits, shuttingDown, gate);
  registerIdentityApi(routes, { pool: basics.db.pool, clock: basics.clock, logger, provider: identity, authenticate: selling.authenticate, sessions: selling.sessions });
  const stopPayoutRetries = registerWalletApi(routes, {
    pool: basics.db.pool,
    clock: basics.clock,
    logger,
    provider: payments,
    authenticate: selling.authenticate,
    operators: gate,
    notices: selling.results,
    reviewAboveMinor: config.payments.withdrawalReviewAboveMinor,
    limitsPrompt: LIMITS_PROMPT,
    risk: selling.risk,
  });
  registerRiskApi(routes, { pool: basics.db.pool, logger, operators: gate, authenticate: selling.authenticate });
  registerWebApp(routes, logger, webDistDir());
  await syncPrizeRules(basics.db.pool, config.jurisdictions.jurisdictions);
  await listen(server, transport, config);
  const port = listeningPort(transport);
  ownUrl.url = `http://127.0.0.1:${port}`;
  const closeHttp = sockets === transport ? () => {} : () => transport.shutdown();
  return { server, routes, identity, payments, stopPayoutRetries, authLimits, port, limitStore, webSocketGlobal, shuttingDown, closeHttp };
}

/**
 * The uWS app that serves HTTP (on PORT), and the transport players' WebSockets use: the
 * same uWS app, or with SOCKET_TRANSPORT=ws Colyseus' default transport on SOCKET_PORT.
 */
function socketTransports(config: Config): { transport: OwnHttpTransport; sockets: OwnHttpTransport | ComparisonWsTransport } {
  const transport = new OwnHttpTransport({
    maxPayloadLength: MESSAGE_BYTES_MAX,
    // Without this uWS silently drops patches to a slow client; a clean close lets the SDK reconnect.
    // (typed as a number in this build's .d.ts; the addon reads it as a boolean)
    closeOnBackpressureLimit: 1,
    maxBackpressure: SOCKET_BACKPRESSURE_BYTES_MAX,
    idleTimeout: SOCKET_IDLE_TIMEOUT_SECONDS,
  });
  if (config.socketTransport === 'uws') return { transport, sockets: transport };
  // The same frame bound; a ping every idle timeout, a client gone after two unanswered.
  const sockets = new ComparisonWsTransport({ maxPayload: MESSAGE_BYTES_MAX, pingInterval: SOCKET_IDLE_TIMEOUT_SECONDS * 1000, pingMaxRetries: 2 });
  return { transport, sockets };
}

/** Colyseus listens on its transport; with the 'ws' one, the uWS app's HTTP routes listen on PORT too. */
async function listen(server: Server, transport: OwnHttpTransport, config: Config): Promise<void> {
  if (config.socketTransport === 'uws') return server.listen(config.port);
  await server.listen(config.socketPort);
  await new Promise<void>((resolve) => transport.listen(config.port, undefined, undefined, () => resolve()));
}

/**
 * The identity provider (config IDENTITY_*): the sandbox, calling back this process unless
 * IDENTITY_CALLBACK_URL names another way in; signed with IDENTITY_CALLBACK_SECRET, or a
 * secret of this process's own.
 */
function identityProvider({ config, logger, clock }: Basics, callbackBaseUrl: () => string): IdentityProvider {
  const secret = config.identity.callbackSecret ? Buffer.from(config.identity.callbackSecret, 'hex') : crypto.randomBytes(32);
  return new SandboxIdentityProvider({ secret, delayMs: config.identity.sandboxDelayMs, callbackBaseUrl, logger, clock });
}

/**
 * The payment provider (config PAYMENT_*): the sandbox, keeping its books in its own schema
 * and calling back this process unless PAYMENT_CALLBACK_URL names another way in; signed with
 * PAYMENT_WEBHOOK_SECRET, or a secret of this process's own.
 */
function paymentProvider({ config, logger, clock, db }: Basics, callbackBaseUrl: () => string): PaymentProvider {
  const secret = config.payments.webhookSecret ? Buffer.from(config.payments.webhookSecret, 'hex') : crypto.randomBytes(32);
  return new SandboxPaymentProvider({ pool: db.pool, secret, delayMs: config.payments.sandboxDelayMs, callbackBaseUrl, logger, clock });
}

/** Login limits shared by the cluster through Redis, else PostgreSQL; the embedded database serves one process. */
function authLimitsFor({ config, logger, db }: Basics, policy: AuthLimitPolicy | undefined) {
  const store = config.redisUrl
    ? ({ kind: 'redis', url: config.redisUrl } as const)
    : db.kind === 'postgres'
      ? ({ kind: 'postgres', pool: db.pool } as const)
      : ({ kind: 'memory' } as const);
  return { authLimits: AuthLimits.create(store, logger, policy ?? authLimitPolicy(config.authLimits)), limitStore: store.kind };
}

async function registerRoutes(routes: HttpRoutes, basics: Basics, draws: DrawMachinery, selling: Selling, authLimits: AuthLimits, shuttingDown: { now: boolean }, gate: OperatorGate) {
  const { config, clock, logger, metrics, db } = basics;
  const passwords = new PasswordQueue();
  registerOperatorsApi(routes, { pool: db.pool, clock, logger, gate, passwords, authLimits, authenticate: selling.authenticate, operators: gate, bootstrapToken: await bootstrapToken(basics) });
  registerInterventionsApi(routes, { pool: db.pool, clock, logger, authenticate: selling.authenticate, operators: gate });
  registerMonitorApi(routes, { authenticate: selling.authenticate, operators: gate });
  registerAuditApi(routes, { pool: db.pool, clock, authenticate: selling.authenticate, operators: gate, publicKey: draws.keys.publicKey });
  const { authenticate, sessions } = selling;
  // TOTP secrets are sealed under a key derived from the seed key, for that purpose alone.
  const secondFactor = new SecondFactor(db.pool, new SecretBox(draws.keys.seedKey, 'totp'), clock);
  registerSecondFactorApi(routes, { secondFactor, authenticate });
  registerSessionTimeApi(routes, { pool: db.pool, clock, authenticate });
  registerOperatorPlayersApi(routes, { pool: db.pool, clock, logger, sessions, operators: gate, authenticate });
  registerReportsApi(routes, { pool: db.pool, logger, operators: gate, authenticate });
  registerApi(routes, {
    pool: db.pool,
    clock,
    logger,
    metrics,
    authenticate,
    sessions,
    operators: gate,
    isShuttingDown: () => shuttingDown.now,
    schedule: config,
    jurisdictions: config.jurisdictions,
    geo: selling.geo,
    secondFactor,
    passwords,
    authLimits,
    roomNames: ['sales', 'operators', 'stage'],
    risk: selling.risk,
  });
  registerDrawApi(routes, { pool: db.pool, runner: draws.runner, publicKey: draws.keys.publicKey, operators: gate, authenticate });
  registerTicketApi(routes, {
    pool: db.pool,
    authenticate,
    receipts: new NativeReceiptSigner(draws.keys.signingKey),
    pseudonym: (drawPublicId, playerPublicId) => draws.vault.pseudonym(drawPublicId, playerPublicId),
  });
}

/**
 * The token that creates the first admin (app/operatorsApi.ts): OPERATOR_BOOTSTRAP_TOKEN, or
 * while no operator exists one made up now and written to this process's log, which only
 * whoever runs the server reads. Once an operator exists the route refuses whatever token.
 */
async function bootstrapToken({ config, logger, db }: Basics): Promise<string> {
  if (config.operatorBootstrapToken) return config.operatorBootstrapToken;
  const token = crypto.randomBytes(24).toString('base64url');
  if ((await operatorCount(db.pool)) === 0) {
    logger.warn({ bootstrapToken: token }, 'no operator exists: create the first admin with POST /api/operator/bootstrap and this token (README, "Operators")');
  }
  return token;
}

interface Lifecycle {
  clockHealth: ClockHealth;
  clusterFigures: ClusterFigures;
  leadership: Leadership;
  scheduler: DrawScheduler;
  auditChainer: AuditChainer;
  ledgerWatch: LedgerWatch;
}

/** The clock check and the scheduler that opens, seals, draws and settles draws on time. */
async function drawLifecycle({ config, clock, logger, metrics, db }: Basics, draws: DrawMachinery, runScheduler: boolean): Promise<Lifecycle> {
  const clockHealth = new ClockHealth(db.pool, clock, logger, metrics);
  await clockHealth.start();
  // The embedded database belongs to this process alone, so it leads every draw.
  const leadership: Leadership =
    db.kind === 'postgres' && config.databaseUrl ? new AdvisoryLockLeadership(config.databaseUrl, logger) : new LocalLeadership();
  const scheduler = new DrawScheduler({
    pool: db.pool,
    clock,
    logger,
    runner: draws.runner,
    leadership,
    metrics,
    schedule: { schedule: config.schedule, demoPeriodSeconds: config.demoPeriodSeconds },
    dbNowMs: () => clockHealth.dbNowMs(),
  });
  if (runScheduler) await scheduler.start();
  const auditChainer = new AuditChainer({ pool: db.pool, clock, logger, metrics, signingKey: draws.keys.signingKey, everyMs: AUDIT_CHAIN_EVERY_MS, signEveryMs: config.auditSignEverySeconds * 1000 });
  auditChainer.start();
  const ledgerWatch = new LedgerWatch({ pool: db.pool, logger, metrics, linePrices: linePricesOf(allGames()), everyMs: config.ledgerCheckEverySeconds * 1000 });
  ledgerWatch.start();
  // The console's cluster figures: read once a second from what metrics already count.
  const clusterFigures = new ClusterFigures({
    presence: matchMaker.presence,
    logger,
    processId: matchMaker.processId,
    nowMs: () => clock.nowMs(),
    local: () => ({ connections: matchMaker.stats.local.ccu, rooms: matchMaker.stats.local.roomCount }),
    betsReceived: async () => (await metrics.betsReceived.get()).values.reduce((sum, v) => sum + v.value, 0),
  });
  clusterFigures.start();
  observeProcess(metrics.registry, {
    rooms: () => matchMaker.stats.local.roomCount,
    connections: () => matchMaker.stats.local.ccu,
    pools: (): Record<string, { total: number; idle: number; waiting: number }> => {
      const of = (p: typeof db.pool) => ({ total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount });
      // The embedded database has one pool for both.
      return db.betPool === db.pool ? { main: of(db.pool) } : { main: of(db.pool), bets: of(db.betPool) };
    },
    overdue: () => drawsOverdue(db.pool),
  });
  await recordEvent(db.pool, { kind: 'config.loaded', actor: 'system', subject: `process:${matchMaker.processId}`, details: configRecord(config) });
  return { clockHealth, clusterFigures, leadership, scheduler, auditChainer, ledgerWatch };
}

/** Which uWS build loaded: the native addon, or the package's pure-JS fallback. */
function uwsBuild(): 'native' | 'fallback' {
  const require = createRequire(import.meta.url);
  return Object.keys(require.cache).some((k) => /uws_[a-z0-9_]+\.node$/.test(k)) ? 'native' : 'fallback';
}

function logListening({ config, logger, db }: Basics, draws: DrawMachinery, http: Http, lifecycle: Lifecycle) {
  if (config.socketTransport === 'ws') {
    logger.warn({ socketTransport: 'ws' }, 'SOCKET_TRANSPORT ws: Colyseus\' default transport for a comparison; slow clients are not closed at a backpressure bound (a benchmark, never a sale)');
  }
  if (config.betWriteMode === 'ceiling') {
    logger.warn({ betWriteMode: 'ceiling' }, 'BET_WRITE_MODE ceiling: bets are answered without the database and NOTHING IS RECORDED (a benchmark, never a sale)');
  }
  logger.info(
    {
      port: http.port,
      processId: matchMaker.processId,
      publicAddress: config.publicAddress,
      database: db.description,
      presence: config.redisUrl ? 'redis' : 'in-process',
      loginLimits: http.limitStore,
      transport: config.socketTransport === 'uws' ? `uWebSockets.js ${uwsBuild()}` : `ws on port ${config.socketPort}, HTTP on uWebSockets.js ${uwsBuild()}`,
      webSocketGlobal: http.webSocketGlobal,
      betWriteMode: config.betWriteMode,
      drawPublicKey: draws.keys.publicKey,
      schedule: config.schedule,
      leadership: db.kind === 'postgres' ? 'advisory locks' : 'local',
      clockOffsetMs: Math.round(lifecycle.clockHealth.offsetMs),
    },
    'lottery server listening',
  );
}

/** Stops in reverse: joins and bets first, so every bet already taken is written and answered. */
function shutdownOnce(basics: Basics, mm: Matchmaking, selling: Selling, http: Http, lifecycle: Lifecycle): () => Promise<void> {
  return async () => {
    if (http.shuttingDown.now) return;
    // No new joins (the matchmaking route checks this) and, once the writer stops, no
    // new bets: every bet already taken is written and answered first.
    http.shuttingDown.now = true;
    http.identity.close();
    http.payments.close();
    http.stopPayoutRetries();
    mm.liveness?.stop();
    await selling.betWriter.stop();
    // The alerts of the last bets are written before the database closes (bounded wait).
    await selling.risk?.stop();
    // Give up leadership at once so another process takes the draws over without waiting.
    await lifecycle.scheduler.stop();
    lifecycle.clockHealth.stop();
    lifecycle.clusterFigures.stop();
    await lifecycle.ledgerWatch.stop();
    await lifecycle.auditChainer.stop();
    await selling.sessions.stop();
    // Dispose rooms, remove them and this process from Redis, close sockets and presence.
    await http.server.gracefullyShutdown(false);
    http.closeHttp();
    await selling.tallies.stop();
    selling.liveInfo.stop();
    selling.stageDraws.stop();
    await selling.results.stop();
    await http.authLimits.close();
    await basics.db.close();
    basics.logger.info('server stopped');
  };
}

/**
 * The configuration a process started with, for the audit log: every setting that changes
 * what the server does, never a secret (keys, tokens, URLs with passwords are named only
 * by whether they are set).
 */
function configRecord(config: Config): Record<string, unknown> {
  return {
    database: config.databaseUrl ? 'postgres' : 'embedded',
    redis: config.redisUrl !== undefined,
    betWriteMode: config.betWriteMode,
    betFlushDelayMs: config.betFlushDelayMs,
    socketTransport: config.socketTransport,
    salesRoomClientsMax: config.salesRoomClientsMax,
    stageRoomClientsMax: config.stageRoomClientsMax,
    betRatePerSecond: config.betRatePerSecond,
    betRateBurst: config.betRateBurst,
    beacon: config.beacon,
    revealWaitSeconds: config.revealWaitSeconds,
    schedule: config.schedule,
    demoPeriodSeconds: config.demoPeriodSeconds,
    trustedProxies: config.trustedProxies,
    authLimits: config.authLimits,
    jurisdictions: config.jurisdictions.jurisdictions.map((j) => j.id),
    geoRecheckSeconds: config.geoRecheckSeconds,
    identityProvider: config.identity.provider,
    paymentProvider: config.payments.provider,
    withdrawalReviewAboveMinor: config.payments.withdrawalReviewAboveMinor,
    drawKeysFromEnvironment: config.drawSeedKey !== undefined && config.drawSigningKey !== undefined,
    metricsToken: config.metricsToken !== undefined,
    auditSignEverySeconds: config.auditSignEverySeconds,
    ledgerCheckEverySeconds: config.ledgerCheckEverySeconds,
    riskMonitor: config.risk.enabled,
    riskRules: config.risk.rules,
  };
}
