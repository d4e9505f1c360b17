// app/api.ts — the HTTP API: accounts, wallet, games and draws, matchmaking.
// Each handler validates, delegates to the ledger in a line or two, and replies.
import crypto from 'node:crypto';
import { matchMaker, createAuthContext } from '@colyseus/core';
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { AppError, ErrorCode } from '../core/errors.ts';
import {
  DEPOSIT_AMOUNT_MINOR_MAX,
  DEPOSIT_AMOUNT_MINOR_MIN,
  HTTP_RETRY_AFTER_SECONDS_UNAVAILABLE,
  IDEMPOTENCY_KEY_LENGTH_MAX,
  PLAYER_AGE_YEARS_MIN,
  SESSION_TTL_MS,
} from '../core/limits.ts';
import { DEFAULT_SCHEDULE_MODE, scheduleView, type ScheduleMode } from '../games/calendar.ts';
import { allGames, gameById } from '../games/index.ts';
import { listDraws, type DrawRow } from '../ledger/draws.ts';
import { auditorCommitments } from '../ledger/drawSteps.ts';
import type { Sessions } from '../actors/Sessions.ts';
import { findPlayerForLogin, insertPlayer, insertSession, playerProfile, type SessionPlayer } from '../ledger/players.ts';
import { completeDeposit, declineDeposit, depositRecord, insertDepositIntent } from '../ledger/wallet.ts';
import { hashSessionToken, isWellFormedToken, newSessionToken, type PasswordQueue } from './auth.ts';
import { bearerToken, errorBody, type HttpRequest, type HttpResponse, type HttpRoutes } from './http.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { PaymentProvider } from './payments.ts';
import type { AuthLimits } from './rateLimits.ts';
import { ageYears, bodyObject, checkTextDeep, integerField, isCalendarDate, stringField } from './validate.ts';

export interface ApiDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  payments: PaymentProvider;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  /** Ends sessions everywhere (logout). */
  sessions: Pick<Sessions, 'end'>;
  operatorCredentials?: string;
  isShuttingDown(): boolean;
  /** The schedule mode the draws are planned with (config SCHEDULE), for the catalogue; daily when absent. */
  schedule?: ScheduleMode;
  /** Every password hash and check goes through this bounded queue. */
  passwords: PasswordQueue;
  /** Per-address limits on registering and logging in, shared by the cluster. */
  authLimits: AuthLimits;
  /** The room types clients may join through matchmaking (those the server defined). */
  roomNames: readonly string[];
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]+$/;
const EXPOSED_MATCHMAKE_METHODS = new Set(['joinOrCreate', 'join', 'joinById', 'reconnect']);

/** A draw as everyone may see it: its commitments are public from creation, before sales open. */
export function drawView(d: DrawRow, auditors: { name: string; commitment: string }[] = []) {
  return {
    drawId: d.publicId,
    gameId: d.gameId,
    businessDate: d.businessDate,
    status: d.status,
    openAt: new Date(d.openAtMs).toISOString(),
    cutoffAt: new Date(d.cutoffAtMs).toISOString(),
    drawAt: new Date(d.drawAtMs).toISOString(),
    commitments: { operator: d.seedCommitment, auditors, beacon: d.beacon },
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
      tiers: (d.prizeTiers ?? []).map((t) => ({ name: t.name, winningLines: t.winningLines, perLineMinor: t.perLineMinor })),
    } || null,
    haltedReason: d.haltedReason,
  };
}

/** Basic-auth check against OPERATOR_CREDENTIALS; false when none are configured. */
export function isOperator(req: HttpRequest, expected: string | undefined): boolean {
  const given = req.headers.authorization?.startsWith('Basic ')
    ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8')
    : undefined;
  return expected !== undefined && given !== undefined && sameSecret(given, expected);
}

export function operatorRequired() {
  return { status: 401, body: errorBody(ErrorCode.UNAUTHORIZED, 'operator credentials required'), headers: { 'www-authenticate': 'Basic realm="operators"' } };
}

export function registerApi(routes: HttpRoutes, deps: ApiDeps): void {
  const { pool, clock } = deps;

  async function requirePlayer(req: HttpRequest): Promise<SessionPlayer> {
    const player = await deps.authenticate(bearerToken(req));
    if (!player) throw new AppError(ErrorCode.UNAUTHORIZED, 'missing, expired or revoked session token', 401);
    return player;
  }

  routes.get('/healthz', () => ({ status: deps.isShuttingDown() ? 503 : 200, body: { ok: !deps.isShuttingDown() } }));

  routes.get('/metrics', async (req) => {
    if (!isOperator(req, deps.operatorCredentials)) return operatorRequired();
    return { status: 200, raw: { contentType: deps.metrics.registry.contentType, text: await deps.metrics.registry.metrics() } };
  });

  routes.post('/api/auth/register', async (req) => {
    const body = bodyObject(req.body, ['email', 'password', 'dateOfBirth', 'country', 'region']);
    const email = stringField(body, 'email', 3, 254, EMAIL_PATTERN).trim().toLowerCase();
    const password = stringField(body, 'password', 10, 128, undefined, 'secret');
    const dateOfBirth = stringField(body, 'dateOfBirth', 10, 10);
    if (!isCalendarDate(dateOfBirth)) throw new AppError(ErrorCode.BAD_REQUEST, 'dateOfBirth must be a date YYYY-MM-DD');
    const age = ageYears(dateOfBirth, clock.nowMs());
    if (age < 0 || age > 130) throw new AppError(ErrorCode.BAD_REQUEST, 'dateOfBirth is not plausible');
    if (age < PLAYER_AGE_YEARS_MIN) throw new AppError(ErrorCode.UNDERAGE, `players must be at least ${PLAYER_AGE_YEARS_MIN}`, 403);
    const country = stringField(body, 'country', 2, 2, /^[A-Za-z]{2}$/).toUpperCase();
    const region = body.region === undefined ? undefined : stringField(body, 'region', 1, 64);
    await deps.authLimits.beforeRegister(req.remoteAddress);
    const passwordHash = await deps.passwords.hash(req.remoteAddress, password);
    const created = await insertPlayer(pool, { email, passwordHash, dateOfBirth, country, region });
    if (!created) throw new AppError(ErrorCode.EMAIL_TAKEN, 'an account with this email exists', 409);
    deps.logger.info({ playerId: created.publicId }, 'player registered');
    return { status: 201, body: { playerId: created.publicId } };
  });

  // Throttled per (address, account) and per address (app/rateLimits.ts), never per account
  // alone: a guesser elsewhere cannot lock the owner out.
  routes.post('/api/auth/login', async (req) => {
    const body = bodyObject(req.body, ['email', 'password']);
    const email = stringField(body, 'email', 3, 254).trim().toLowerCase();
    const password = stringField(body, 'password', 1, 128, undefined, 'secret');
    const address = req.remoteAddress;
    await deps.authLimits.beforeLogin(address, email);
    const player = await findPlayerForLogin(pool, email);
    // An unknown email costs the same check as a wrong password (a decoy hash).
    const ok = await deps.passwords.verify(address, password, player?.passwordHash);
    if (!player || !ok) {
      await deps.authLimits.loginFailed(address, email);
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'email or password is wrong', 401);
    }
    await deps.authLimits.loginSucceeded(address, email);
    if (player.status !== 'active') throw new AppError(ErrorCode.UNAUTHORIZED, `account is ${player.status}`, 403);
    const token = newSessionToken();
    const expiresAtMs = clock.nowMs() + SESSION_TTL_MS;
    await insertSession(pool, hashSessionToken(token), player.id, expiresAtMs);
    return { status: 200, body: { token, expiresAt: new Date(expiresAtMs).toISOString() } };
  });

  routes.post('/api/auth/logout', async (req) => {
    const token = bearerToken(req);
    // Ends the session in the ledger and closes its sockets in every process before
    // answering: a bet sent after this answer is refused (actors/Sessions.ts).
    if (!isWellFormedToken(token) || (await deps.sessions.end({ tokenHash: hashSessionToken(token) }, 'logout')).length === 0) {
      throw new AppError(ErrorCode.UNAUTHORIZED, 'missing, expired or revoked session token', 401);
    }
    return { status: 200, body: { ok: true } };
  });

  routes.get('/api/me', async (req) => {
    const player = await requirePlayer(req);
    const profile = await playerProfile(pool, player.playerId);
    if (!profile) throw new AppError(ErrorCode.NOT_FOUND, 'player not found', 404);
    return { status: 200, body: profile };
  });

  routes.post('/api/wallet/deposits', async (req) => {
    const player = await requirePlayer(req);
    const body = bodyObject(req.body, ['amount', 'idempotencyKey']);
    const amountMinor = integerField(body, 'amount', DEPOSIT_AMOUNT_MINOR_MIN, DEPOSIT_AMOUNT_MINOR_MAX);
    const key = stringField(body, 'idempotencyKey', 1, IDEMPOTENCY_KEY_LENGTH_MAX, IDEMPOTENCY_KEY_PATTERN);
    const intent = await insertDepositIntent(pool, player.playerId, key, amountMinor, deps.payments.name);
    if (intent.conflict) throw new AppError(ErrorCode.IDEMPOTENCY_CONFLICT, 'idempotencyKey was used with another amount', 409);
    let record = await depositRecord(pool, intent.id, !intent.existing);
    if (record.status === 'pending') {
      // New, or left pending by a crash: the provider dedupes on our deposit id.
      const charge = await deps.payments.charge({ depositId: intent.publicId, amountMinor, currency: 'EUR', playerRef: player.publicId });
      if (charge.status === 'completed') await completeDeposit(pool, intent.id, charge.providerRef);
      else await declineDeposit(pool, intent.id, charge.reason);
      record = await depositRecord(pool, intent.id, !intent.existing);
    }
    if (record.status === 'declined') {
      return { status: 402, body: { ...errorBody(ErrorCode.PAYMENT_DECLINED, `payment declined: ${record.declineReason}`), deposit: record } };
    }
    return { status: record.created ? 201 : 200, body: record };
  });

  routes.get('/api/games', () => ({
    status: 200,
    body: allGames().map((g) => ({
      gameId: g.id,
      name: g.name,
      currency: g.currency,
      linePriceMinor: g.linePriceMinor,
      linesPerTicketMax: g.linesPerTicketMax,
      line: g.lineSpec,
      // Every draw of the day, or the demo cycle: games/calendar.ts plans the draws from the same.
      schedule: scheduleView(g, deps.schedule ?? DEFAULT_SCHEDULE_MODE),
    })),
  }));

  routes.get('/api/draws', async (req) => {
    const gameId = req.query.get('game');
    if (!gameId) throw new AppError(ErrorCode.BAD_REQUEST, 'query parameter game is required');
    if (!gameById(gameId)) throw new AppError(ErrorCode.NOT_FOUND, `no game ${gameId.slice(0, 32)}`, 404);
    const limitRaw = req.query.get('limit') ?? '20';
    if (!/^\d{1,3}$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > 100) {
      throw new AppError(ErrorCode.BAD_REQUEST, 'limit must be 1..100');
    }
    // Yesterday's draws stay listed so players can find recent results.
    const draws = await listDraws(pool, gameId, clock.nowMs() - 24 * 60 * 60 * 1000, Number(limitRaw));
    const auditors = await auditorCommitments(pool, draws.map((d) => d.id));
    return { status: 200, body: draws.map((d) => drawView(d, auditors.get(d.id))) };
  });

  // Matchmaking, as Colyseus serves it but with our body limit and without `create`:
  // clients may only join shards, never make rooms with options of their choosing.
  routes.post('/matchmake/:method/:roomName', async (req) => {
    if (deps.isShuttingDown()) throw new AppError(ErrorCode.SHUTTING_DOWN, 'server is shutting down', 503);
    const { method, roomName } = req.params;
    if (!EXPOSED_MATCHMAKE_METHODS.has(method)) throw new AppError(ErrorCode.NOT_FOUND, `no matchmaking method ${method.slice(0, 32)}`, 404);
    // joinById and reconnect name a room id; the others a room type we defined.
    const byRoomId = method === 'joinById' || method === 'reconnect';
    if (!byRoomId && !deps.roomNames.includes(roomName)) throw new AppError(ErrorCode.NOT_FOUND, `no room type ${roomName.slice(0, 32)}`, 404);
    const options = req.body ?? {};
    if (typeof options !== 'object' || Array.isArray(options)) throw new AppError(ErrorCode.BAD_REQUEST, 'join options must be an object');
    checkTextDeep(options, 'options');
    try {
      const reservation = await matchMaker.controller.invokeMethod(
        method,
        roomName,
        options as Record<string, unknown>,
        createAuthContext({ headers: req.headers, remoteAddress: req.remoteAddress }),
      );
      return { status: 200, body: reservation };
    } catch (err) {
      return matchmakeFailure(err);
    }
  });
}

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

/** Constant-time comparison of two secrets of any length. */
function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** Resolves a session token to its player, or null. */
export function sessionAuthenticator(pool: pg.Pool, clock: Clock, lookup: typeof import('../ledger/players.ts').sessionPlayer) {
  return async (token: unknown): Promise<SessionPlayer | null> => {
    if (!isWellFormedToken(token)) return null;
    return lookup(pool, hashSessionToken(token), clock.nowMs());
  };
}
