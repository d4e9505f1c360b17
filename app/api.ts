// app/api.ts — the HTTP API: accounts, wallet, games and draws, matchmaking. One named
// route per endpoint, each a schema (app/schemas.ts), an access rule and a handler that
// delegates to the ledger in a line or two; the table at the end is the whole API.
import { matchMaker, createAuthContext } from '@colyseus/core';
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { AppError, ErrorCode, invariant } from '../core/errors.ts';
import { ADVANCE_DRAWS_MAX, DRAWS_LISTED_DEFAULT, DRAWS_LISTED_SINCE_MS, HTTP_RETRY_AFTER_SECONDS_UNAVAILABLE, PLAYER_AGE_YEARS_MIN, PLAYER_AGE_YEARS_PLAUSIBLE_MAX, SESSION_TTL_MS } from '../core/limits.ts';
import { DEFAULT_SCHEDULE_MODE, scheduleView, type ScheduleMode } from '../games/calendar.ts';
import { allGames, gameById, liabilityOfGame } from '../games/index.ts';
import { listDraws, type DrawRow } from '../ledger/draws.ts';
import { auditorCommitments } from '../ledger/drawSteps.ts';
import { interventionsOf, type Intervention } from '../ledger/interventions.ts';
import type { Sessions } from '../actors/Sessions.ts';
import { closedBecause, findJurisdiction, jurisdictionById, LIMIT_KINDS, LIMIT_PERIODS, type JurisdictionTable, type LimitTable } from '../games/jurisdictions.ts';
import { findPlayerForLogin, insertPlayer, insertSession, playerJurisdiction, playerProfile, type SessionPlayer } from '../ledger/players.ts';
import { exclusions, hasChosenLimits, limitChanges, playerLimits, requestExclusion, requestLimit, setInitialLimits } from '../ledger/protection.ts';
import { withTransaction } from '../ledger/transaction.ts';
import { accessCheck, SESSION_REQUIRED_MESSAGE, type OperatorAccess } from './access.ts';
import { hashSessionToken, isWellFormedToken, newSessionToken, type PasswordQueue } from './auth.ts';
import { bearerToken, errorBody, type HttpResponse, type HttpRoutes } from './http.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { openApiDocument } from './openapi.ts';
import type { AuthLimits } from './rateLimits.ts';
import type { GeoGate } from '../actors/GeoGate.ts';
import type { RiskMonitor } from '../actors/RiskMonitor.ts';
import type { SecondFactor } from './secondFactorApi.ts';
import { route, type AnyRouteSpec } from './routeSpec.ts';
import { EXPOSED_MATCHMAKE_METHODS, schemas } from './schemas.ts';
import { ageYears, checkTextDeep } from './validate.ts';

export interface ApiDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  /** Ends sessions everywhere (logout). */
  sessions: Pick<Sessions, 'end'>;
  operators: OperatorAccess;
  isShuttingDown(): boolean;
  /** The schedule mode the draws are planned with (config SCHEDULE), for the catalogue; daily when absent. */
  schedule?: ScheduleMode;
  /** Every password hash and check goes through this bounded queue. */
  passwords: PasswordQueue;
  /** Per-address limits on registering and logging in, shared by the cluster. */
  authLimits: AuthLimits;
  /** The room types clients may join through matchmaking (those the server defined). */
  roomNames: readonly string[];
  /** Where play is permitted and on what terms (config JURISDICTIONS_FILE). */
  jurisdictions: JurisdictionTable;
  /** Where a player logs in from, recorded (actors/GeoGate.ts). */
  geo: Pick<GeoGate, 'check'>;
  /** The optional second factor asked for at login (app/secondFactorApi.ts). */
  secondFactor: Pick<SecondFactor, 'atLogin'>;
  /** Hears where accounts register and log in from (shared address and device rules); absent when RISK_MONITOR=off. */
  risk?: Pick<RiskMonitor, 'onSighting'>;
}

/** A draw as everyone may see it: its commitments are public from creation, before sales open. */
export function drawView(d: DrawRow, auditors: { name: string; commitment: string }[] = [], interventions: Intervention[] = []) {
  return {
    drawId: d.publicId,
    gameId: d.gameId,
    businessDate: d.businessDate,
    status: d.status,
    openAt: new Date(d.openAtMs).toISOString(),
    cutoffAt: new Date(d.cutoffAtMs).toISOString(),
    drawAt: new Date(d.drawAtMs).toISOString(),
    commitments: { operator: d.seedCommitment, auditors, beacon: d.beacon },
    // Fixed at creation: the ticket records its receipts sign and its seal commits to (draw/README.md §3).
    leafVersion: d.leafVersion,
    seal: d.seal && {
      ticketRoot: d.seal.ticketRoot,
      ticketCount: d.seal.ticketCount,
      stakeTotalMinor: d.seal.stakeTotalMinor,
      sealedAt: new Date(d.seal.sealedAtMs).toISOString(),
    },
    numbers: d.numbers,
    settlement: d.settledAtMs !== null && {
      settledAt: new Date(d.settledAtMs).toISOString(),
      prizeTotalMinor: d.prizeTotalMinor,
      ...d.flows,
      tiers: (d.prizeTiers ?? []).map((t) => ({ name: t.name, kind: t.kind ?? 'share', winningLines: t.winningLines, perLineMinor: t.perLineMinor, paidMinor: t.paidMinor ?? t.perLineMinor * t.winningLines })),
    } || null,
    haltedReason: d.haltedReason,
    haltedAt: d.haltedAtMs === null ? null : new Date(d.haltedAtMs).toISOString(),
    // A halted draw's way out, asked by one operator and approved by another (ledger/interventions.ts).
    interventions: interventions.map((i) => ({
      // What a second admin approves it by (POST …/interventions/:interventionId/approve).
      interventionId: String(i.id),
      action: i.action,
      reason: i.reason,
      status: i.status,
      requestedBy: i.requestedBy,
      requestedAt: new Date(i.requestedAtMs).toISOString(),
      approvedBy: i.approvedBy,
      approvedAt: i.approvedAtMs === null ? null : new Date(i.approvedAtMs).toISOString(),
    })),
    void: d.voidedAtMs !== null ? { voidedAt: new Date(d.voidedAtMs).toISOString(), refundsDoneAt: d.voidRefundedAtMs === null ? null : new Date(d.voidRefundedAtMs).toISOString() } : null,
  };
}

/** The API, in the order a player meets it. */
export function registerApi(routes: HttpRoutes, deps: ApiDeps): void {
  const table: AnyRouteSpec[] = [
    healthz(deps),
    metrics(deps),
    openApi(routes),
    register(deps),
    login(deps),
    logout(deps),
    me(deps),
    limits(deps),
    changeLimit(deps),
    exclude(deps),
    games(deps),
    draws(deps),
    matchmake(deps),
  ];
  const access = accessCheck(deps);
  for (const spec of table) routes.define(spec, access);
}

const healthz = (deps: ApiDeps) =>
  route({
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness for load balancers: 503 once shutting down',
    internal: true,
    responses: { 200: 'Serving', 503: 'Shutting down' },
    handle: () => ({ status: deps.isShuttingDown() ? 503 : 200, body: { ok: !deps.isShuttingDown() } }),
  });

const metrics = (deps: ApiDeps) =>
  route({
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics: for operators (admin, support), and for Prometheus with METRICS_TOKEN as its bearer token',
    security: 'operator',
    roles: ['admin', 'support'],
    scrape: true,
    internal: true,
    responses: { 200: 'Prometheus text format' },
    handle: async () => ({ status: 200, raw: { contentType: deps.metrics.registry.contentType, text: await deps.metrics.registry.metrics() } }),
  });

/** The document is built once, on first request: every route is registered by then. */
const openApi = (routes: HttpRoutes) => {
  let document: unknown;
  return route({
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document, generated from the schemas the routes parse with',
    responses: { 200: 'The OpenAPI document' },
    handle: () => ({ status: 200, body: (document ??= openApiDocument(routes.definitions)) }),
  });
};

const register = (deps: ApiDeps) =>
  route({
    method: 'POST',
    path: '/api/auth/register',
    summary: 'Open a player account',
    body: schemas.register,
    responses: {
      201: 'Registered: { playerId, jurisdiction, limitsPrompt? }: limitsPrompt asks a player who chose no limits of their own to set some',
      400: 'BAD_REQUEST',
      403: `UNDERAGE: under the jurisdiction's minimum age (at least ${PLAYER_AGE_YEARS_MIN}); JURISDICTION_BLOCKED: play is not permitted there; LIMIT_ABOVE_MAXIMUM`,
      409: 'EMAIL_TAKEN',
      429: 'RATE_LIMITED',
    },
    async handle({ req, body }) {
      const nowMs = deps.clock.nowMs();
      const age = ageYears(body.dateOfBirth, nowMs);
      if (age < 0 || age > PLAYER_AGE_YEARS_PLAUSIBLE_MAX) throw new AppError(ErrorCode.BAD_REQUEST, 'dateOfBirth is not plausible');
      const country = body.country.toUpperCase();
      const region = body.region?.trim().toUpperCase() || undefined;
      const closed = closedBecause(deps.jurisdictions, country, region);
      if (closed) throw new AppError(ErrorCode.JURISDICTION_BLOCKED, closed, 403);
      const jurisdiction = findJurisdiction(deps.jurisdictions, country, region)!;
      const minimumAge = Math.max(PLAYER_AGE_YEARS_MIN, jurisdiction.minimumAge);
      if (age < minimumAge) throw new AppError(ErrorCode.UNDERAGE, `players in ${jurisdiction.name} must be at least ${minimumAge}`, 403);
      const own = body.limits ?? {};
      checkWithinMaximum(own, jurisdiction.limits.maximum);
      await deps.authLimits.beforeRegister(req.remoteAddress);
      const passwordHash = await deps.passwords.hash(req.remoteAddress, body.password);
      const email = body.email.trim().toLowerCase();
      const created = await withTransaction(deps.pool, async (client) => {
        const player = await insertPlayer(client, { email, passwordHash, dateOfBirth: body.dateOfBirth, country, region, jurisdiction: jurisdiction.id, timeZone: jurisdiction.timeZone });
        if (!player) return null;
        await setInitialLimits(client, player.id, withoutOwn(jurisdiction.limits.default, own), nowMs, 'jurisdiction');
        await setInitialLimits(client, player.id, own, nowMs, 'player');
        return player;
      });
      if (!created) throw new AppError(ErrorCode.EMAIL_TAKEN, 'an account with this email exists', 409);
      deps.risk?.onSighting({ playerId: created.id, address: req.remoteAddress, device: body.device });
      deps.logger.info({ playerId: created.publicId, jurisdiction: jurisdiction.id }, 'player registered');
      const chosen = Object.keys(own).length > 0;
      return { status: 201, body: { playerId: created.publicId, jurisdiction: jurisdiction.id, ...(chosen ? {} : { limitsPrompt: LIMITS_PROMPT }) } };
    },
  });

/** Refuses limits of the player's own above their jurisdiction's maximum. */
function checkWithinMaximum(own: LimitTable, maximum: LimitTable): void {
  for (const kind of LIMIT_KINDS) {
    for (const period of LIMIT_PERIODS) {
      const amount = own[kind]?.[period];
      const max = maximum[kind]?.[period];
      if (amount !== undefined && max !== undefined && amount > max) {
        throw new AppError(ErrorCode.LIMIT_ABOVE_MAXIMUM, `limits.${kind}.${period} may be at most ${max} here`, 403);
      }
    }
  }
}

/** The jurisdiction's defaults for the kinds and periods the player did not choose. */
function withoutOwn(defaults: LimitTable, own: LimitTable): LimitTable {
  const out: LimitTable = {};
  for (const kind of LIMIT_KINDS) {
    for (const period of LIMIT_PERIODS) {
      const amount = defaults[kind]?.[period];
      if (amount !== undefined && own[kind]?.[period] === undefined) (out[kind] ??= {})[period] = amount;
    }
  }
  return out;
}

const LIMIT_CHANGES_LISTED_MAX = 200;

const limits = (deps: ApiDeps) =>
  route({
    method: 'GET',
    path: '/api/me/limits',
    summary: "The player's deposit, stake and loss limits (in force, pending, the jurisdiction's maximum), every change asked for, and every break and self-exclusion",
    security: 'session',
    responses: { 200: 'The limits' },
    async handle({ player }) {
      invariant(player !== null, 'limits without their player');
      const nowMs = deps.clock.nowMs();
      const jurisdiction = await jurisdictionOf(deps, player.playerId);
      const [current, changes, excluded] = await Promise.all([
        playerLimits(deps.pool, player.playerId, nowMs),
        limitChanges(deps.pool, player.playerId, LIMIT_CHANGES_LISTED_MAX),
        exclusions(deps.pool, player.playerId, LIMIT_CHANGES_LISTED_MAX),
      ]);
      const max = jurisdiction?.limits.maximum ?? {};
      return {
        status: 200,
        body: { jurisdiction: jurisdiction?.id ?? null, limits: current.map((l) => ({ ...l, maximumMinor: max[l.kind]?.[l.period] ?? null })), changes, exclusions: excluded },
      };
    },
  });

// A decrease takes effect at once; an increase or a removal 24 hours later (ledger/protection.ts).
const changeLimit = (deps: ApiDeps) =>
  route({
    method: 'POST',
    path: '/api/me/limits',
    summary: 'Set, lower, raise or remove one limit: lower at once, raise or remove 24 hours later',
    security: 'session',
    body: schemas.limitChange,
    responses: { 200: 'Recorded: { effectiveAt, immediate }', 403: 'LIMIT_ABOVE_MAXIMUM' },
    async handle({ player, body }) {
      invariant(player !== null, 'a limit without its player');
      const jurisdiction = await jurisdictionOf(deps, player.playerId);
      const outcome = await requestLimit(deps.pool, player.playerId, body, jurisdiction?.limits.maximum ?? {}, deps.clock.nowMs());
      if (outcome.status === 'refused') {
        const what = outcome.reason === 'maximum_set' ? 'cannot be removed: your jurisdiction sets a maximum of' : 'may be at most';
        throw new AppError(ErrorCode.LIMIT_ABOVE_MAXIMUM, `your ${body.kind} limit per ${body.period} ${what} ${outcome.maximumMinor}`, 403);
      }
      return { status: 200, body: { kind: body.kind, period: body.period, amountMinor: body.amountMinor, effectiveAt: outcome.effectiveAt, immediate: outcome.immediate } };
    },
  });

// Ends every session of the player, on every process, before answering (the logout path).
const exclude = (deps: ApiDeps) =>
  route({
    method: 'POST',
    path: '/api/me/exclusion',
    summary: 'Take a break (1 to 42 days) or exclude yourself (6, 12 or 60 months): no bets or deposits until it ends, and login only to withdraw; it cannot be shortened',
    security: 'session',
    body: schemas.exclusion,
    responses: { 200: 'Excluded: { kind, endsAt, excludedUntil, refunded: { tickets, amountMinor } }; every session of the player is ended, and every ticket bought in advance for a draw not yet open is refunded to the wallet' },
    async handle({ player, body }) {
      invariant(player !== null, 'an exclusion without its player');
      const request = body.kind === 'break' ? { kind: 'break' as const, days: body.days! } : { kind: 'self_exclusion' as const, months: body.months! as 6 | 12 | 60 };
      const done = await requestExclusion(deps.pool, player.playerId, request, deps.clock.nowMs(), liabilityOfGame);
      await deps.sessions.end({ playerId: player.playerId }, body.kind === 'break' ? 'on_break' : 'self_excluded');
      deps.logger.info({ playerId: player.publicId, kind: body.kind, until: new Date(done.excludedUntilMs).toISOString(), refunds: done.refunds }, 'player excluded');
      return {
        status: 200,
        body: {
          kind: body.kind,
          endsAt: new Date(done.endsAtMs).toISOString(),
          excludedUntil: new Date(done.excludedUntilMs).toISOString(),
          refunded: { tickets: done.refunds.tickets, amountMinor: done.refunds.amountMinor },
        },
      };
    },
  });

async function jurisdictionOf(deps: ApiDeps, playerId: number) {
  const id = await playerJurisdiction(deps.pool, playerId);
  return id === null ? undefined : jurisdictionById(deps.jurisdictions, id);
}

// Throttled per (address, account) and per address (app/rateLimits.ts), never per account
// alone: a guesser elsewhere cannot lock the owner out.
const login = (deps: ApiDeps) =>
  route({
    method: 'POST',
    path: '/api/auth/login',
    summary: 'Log in: a session token for the SDK and the API',
    body: schemas.login,
    responses: { 200: 'Logged in: { token, expiresAt, location: { permitted, country, region, reason } } (where you connect from; outside a permitted territory you may not join sales rooms); or, on a break or self-excluded with purpose "withdraw": { token, expiresAt, scope: "withdraw", excludedUntil }, a session that may only withdraw and read the statement', 401: 'INVALID_CREDENTIALS; TOTP_REQUIRED: send totp; INVALID_TOTP', 403: 'UNAUTHORIZED: the account is not active; EXCLUDED: on a break or self-excluded, until when', 429: 'RATE_LIMITED' },
    async handle({ req, body }) {
      const email = body.email.trim().toLowerCase();
      const address = req.remoteAddress;
      await deps.authLimits.beforeLogin(address, email);
      const player = await findPlayerForLogin(deps.pool, email);
      // An unknown email costs the same check as a wrong password (a decoy hash).
      const ok = await deps.passwords.verify(address, body.password, player?.passwordHash);
      if (!player || !ok) {
        await deps.authLimits.loginFailed(address, email);
        throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'email or password is wrong', 401);
      }
      // A wrong second factor counts as a failed login: guessing codes is throttled as passwords are.
      const second = await deps.secondFactor.atLogin(player.id, body.totp);
      if (second === 'required') throw new AppError(ErrorCode.TOTP_REQUIRED, 'this account has a second factor: send totp, your authenticator app\'s current code', 401);
      if (second === 'invalid') {
        await deps.authLimits.loginFailed(address, email);
        throw new AppError(ErrorCode.INVALID_TOTP, 'that code is not a current, unused one', 401);
      }
      await deps.authLimits.loginSucceeded(address, email);
      if (player.status !== 'active') throw new AppError(ErrorCode.UNAUTHORIZED, `account is ${player.status}`, 403);
      // Excluded, a player may still log in to take their balance out, and for nothing else.
      const excluded = player.excludedUntilMs !== null && player.excludedUntilMs > deps.clock.nowMs();
      if (excluded && body.purpose !== 'withdraw') {
        const until = new Date(player.excludedUntilMs!).toISOString();
        throw new AppError(ErrorCode.EXCLUDED, `you have excluded yourself from play until ${until}; to withdraw your balance, log in with "purpose": "withdraw"`, 403);
      }
      const token = newSessionToken();
      // A session time limit the player chose ends the session sooner (ledger/sessionTime.ts).
      const nowMs = deps.clock.nowMs();
      const expiresAtMs = nowMs + Math.min(SESSION_TTL_MS, (player.sessionLimitMinutes ?? Infinity) * 60_000);
      await insertSession(deps.pool, hashSessionToken(token), player.id, expiresAtMs, nowMs, excluded ? 'withdraw' : 'play');
      deps.risk?.onSighting({ playerId: player.id, address, device: body.device });
      if (excluded) return { status: 200, body: { token, expiresAt: new Date(expiresAtMs).toISOString(), scope: 'withdraw', excludedUntil: new Date(player.excludedUntilMs!).toISOString() } };
      // Recorded, and told: from outside a permitted territory they may look around, not play.
      const where = await deps.geo.check(player.id, address, 'login');
      const location = { permitted: where.permitted, country: where.country, region: where.region, reason: where.reason };
      return { status: 200, body: { token, expiresAt: new Date(expiresAtMs).toISOString(), location } };
    },
  });

// Ends the session in the ledger and its sockets in every process before answering, so a
// bet sent after this answer is refused (actors/Sessions.ts). A session that ended between
// the access check and here is a 401 too.
const logout = (deps: ApiDeps) =>
  route({
    method: 'POST',
    path: '/api/auth/logout',
    summary: 'End this session everywhere, its open sockets included',
    security: 'withdrawSession',
    responses: { 200: 'Logged out' },
    async handle({ req }) {
      const token = bearerToken(req);
      if (!isWellFormedToken(token) || (await deps.sessions.end({ tokenHash: hashSessionToken(token) }, 'logout')).length === 0) {
        throw new AppError(ErrorCode.UNAUTHORIZED, SESSION_REQUIRED_MESSAGE, 401);
      }
      return { status: 200, body: { ok: true } };
    },
  });

const me = (deps: ApiDeps) =>
  route({
    method: 'GET',
    path: '/api/me',
    summary: "The player's profile and balance",
    security: 'withdrawSession',
    responses: { 200: 'The profile', 404: 'NOT_FOUND' },
    async handle({ player }) {
      const profile = await playerProfile(deps.pool, player!.playerId);
      if (!profile) throw new AppError(ErrorCode.NOT_FOUND, 'player not found', 404);
      return { status: 200, body: profile };
    },
  });

/** What registration and deposits answer a player with no limits of their own: the client shows it. */
export const LIMITS_PROMPT = {
  message: 'Set your own deposit, stake and loss limits per day, week and month: they help you stay in control. Lower ones apply at once.',
  set: 'POST /api/me/limits',
} as const;

const games = (deps: ApiDeps) =>
  route({
    method: 'GET',
    path: '/api/games',
    summary: 'The games on sale: bet types, stakes, drums, prize model, exact odds and draw schedules',
    responses: { 200: 'The catalogue' },
    handle: () => ({
      status: 200,
      body: allGames().map((g) => ({
        gameId: g.id,
        name: g.name,
        currency: g.currency,
        prizeModel: g.prizeModel,
        // Kept from before bet types, for lotto 6/49 clients: the first bet type's smallest stake and line limit.
        linePriceMinor: g.betTypes[0].stakesMinor[0],
        linesPerTicketMax: g.betTypes[0].linesPerTicketMax,
        betTypes: g.betTypes.map((b) => ({ id: b.id, name: b.name, description: b.description, stakesMinor: b.stakesMinor, linesPerTicketMax: b.linesPerTicketMax })),
        drums: g.drums,
        odds: g.odds(),
        liabilityCapMinor: g.liability?.capMinor ?? null,
        rafflePrizesMinor: g.raffle?.prizesMinor ?? null,
        // Advance play: a bet's `draws` may name this many draws, the room's and the ones after it.
        advanceDrawsMax: ADVANCE_DRAWS_MAX,
        // Every draw of the day, or the demo cycle: games/calendar.ts plans the draws from the same.
        schedule: scheduleView(g, deps.schedule ?? DEFAULT_SCHEDULE_MODE),
      })),
    }),
  });

const draws = (deps: ApiDeps) =>
  route({
    method: 'GET',
    path: '/api/draws',
    summary: "A game's draws from yesterday on, with their commitments and results",
    query: schemas.drawsQuery,
    responses: { 200: 'The draws', 404: 'NOT_FOUND: no such game' },
    async handle({ query }) {
      if (!gameById(query.game)) throw new AppError(ErrorCode.NOT_FOUND, `no game ${query.game.slice(0, 32)}`, 404);
      const limit = query.limit === undefined ? DRAWS_LISTED_DEFAULT : Number(query.limit);
      const found = await listDraws(deps.pool, query.game, deps.clock.nowMs() - DRAWS_LISTED_SINCE_MS, limit);
      const auditors = await auditorCommitments(deps.pool, found.map((d) => d.id));
      const interventions = await interventionsOf(deps.pool, found.map((d) => d.id));
      return { status: 200, body: found.map((d) => drawView(d, auditors.get(d.id), interventions.get(d.id))) };
    },
  });

// Matchmaking, as Colyseus serves it but with our body limit and without `create`:
// clients may only join shards, never make rooms with options of their choosing.
const matchmake = (deps: ApiDeps) =>
  route({
    method: 'POST',
    path: '/matchmake/:method/:roomName',
    summary: 'Colyseus matchmaking (the SDK calls it): a seat reservation in a room',
    params: schemas.matchmakeParams,
    body: schemas.joinOptions,
    responses: { 200: 'A seat reservation', 401: 'UNAUTHORIZED', 403: 'LOCATION_NOT_PERMITTED: you connect from outside the territories where play is permitted; GAME_NOT_OFFERED: not sold in your jurisdiction', 404: 'NOT_FOUND: no such method, room type or room' },
    async handle({ req, params, body }) {
      if (deps.isShuttingDown()) throw new AppError(ErrorCode.SHUTTING_DOWN, 'server is shutting down', 503);
      const { method, roomName } = params;
      if (!(EXPOSED_MATCHMAKE_METHODS as readonly string[]).includes(method)) {
        throw new AppError(ErrorCode.NOT_FOUND, `no matchmaking method ${method.slice(0, 32)}`, 404);
      }
      // joinById and reconnect name a room id; the others a room type we defined.
      const byRoomId = method === 'joinById' || method === 'reconnect';
      if (!byRoomId && !deps.roomNames.includes(roomName)) throw new AppError(ErrorCode.NOT_FOUND, `no room type ${roomName.slice(0, 32)}`, 404);
      const options = body ?? {};
      checkTextDeep(options, 'options');
      try {
        const auth = createAuthContext({ headers: req.headers, remoteAddress: req.remoteAddress });
        // Colyseus takes the first hop of X-Real-IP, X-Forwarded-For or X-Client-IP from anyone,
        // which a client writes as it likes: where they are is our address (TRUSTED_PROXY only).
        auth.ip = req.remoteAddress;
        return { status: 200, body: await matchMaker.controller.invokeMethod(method, roomName, options, auth) };
      } catch (err) {
        return matchmakeFailure(err);
      }
    },
  });

/** Colyseus' matchmaking codes (@colyseus/shared-types ErrorCode) as our statuses, codes and words. */
const COLYSEUS_MATCHMAKE_ERRORS: Record<number, [number, ErrorCode, string]> = {
  520: [404, ErrorCode.NOT_FOUND, 'no such room type'], // MATCHMAKE_NO_HANDLER
  521: [404, ErrorCode.NOT_FOUND, 'no room to join for these options'], // MATCHMAKE_INVALID_CRITERIA
  522: [404, ErrorCode.NOT_FOUND, 'no such room, or it is full, locked or gone'], // MATCHMAKE_INVALID_ROOM_ID
  // No process to create the room in, a room elsewhere that did not answer, shutting down.
  523: [503, ErrorCode.SERVICE_UNAVAILABLE, 'matchmaking could not place you right now; try again'], // MATCHMAKE_UNHANDLED
  524: [404, ErrorCode.NOT_FOUND, 'the seat to reconnect to has expired; join again'], // MATCHMAKE_EXPIRED
  525: [401, ErrorCode.UNAUTHORIZED, 'missing, expired or revoked session token'], // AUTH_FAILED
  4217: [400, ErrorCode.BAD_REQUEST, 'invalid join options'], // INVALID_PAYLOAD
};

/**
 * A failed matchmaking request as a proper answer. Our rooms refuse with an HTTP status
 * and "CODE: message"; Colyseus with its own codes (5xx numbers that are no HTTP status,
 * so never passed on as one). Anything else is thrown on: a database that is away becomes
 * a 503, a bug (APPLICATION_ERROR, 526, included) a logged 500.
 */
export function matchmakeFailure(err: unknown): HttpResponse {
  const code = (err as { code?: unknown })?.code;
  const known = typeof code === 'number' ? COLYSEUS_MATCHMAKE_ERRORS[code] : undefined;
  if (known) {
    const retry = known[0] === 503 ? { 'retry-after': String(HTTP_RETRY_AFTER_SECONDS_UNAVAILABLE) } : undefined;
    return { status: known[0], headers: retry, body: errorBody(known[1], known[2]) };
  }
  const [, ours, message] = /^([A-Z_]+): (.*)$/s.exec(String((err as Error)?.message)) ?? [];
  const isOurs = ours !== undefined && Object.hasOwn(ErrorCode, ours);
  if (typeof code === 'number' && code >= 400 && code < 500 && isOurs) return { status: code, body: errorBody(ours, message) };
  if (code === 503 && isOurs) return { status: 503, headers: { 'retry-after': String(HTTP_RETRY_AFTER_SECONDS_UNAVAILABLE) }, body: errorBody(ours, message) };
  throw err;
}

/** Resolves a session token to its player, or null. */
export function sessionAuthenticator(pool: pg.Pool, clock: Clock, lookup: typeof import('../ledger/players.ts').sessionPlayer) {
  return async (token: unknown): Promise<SessionPlayer | null> => {
    if (!isWellFormedToken(token)) return null;
    return lookup(pool, hashSessionToken(token), clock.nowMs());
  };
}
