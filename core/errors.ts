// core/errors.ts — stable, machine-readable error codes shared by HTTP and rooms.

export const ErrorCode = {
  BAD_MESSAGE: 'BAD_MESSAGE',
  BAD_REQUEST: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  UNDERAGE: 'UNDERAGE',
  INVALID_SELECTION: 'INVALID_SELECTION',
  DRAW_CLOSED: 'DRAW_CLOSED',
  DRAW_NOT_OPEN: 'DRAW_NOT_OPEN',
  WRONG_DRAW: 'WRONG_DRAW',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVER_BUSY: 'SERVER_BUSY',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  FORBIDDEN: 'FORBIDDEN',
  DRAW_NOT_SEALED: 'DRAW_NOT_SEALED',
  DRAW_NOT_DRAWN: 'DRAW_NOT_DRAWN',
  TOO_LATE: 'TOO_LATE',
  TOO_EARLY: 'TOO_EARLY',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  COMMITMENT_MISMATCH: 'COMMITMENT_MISMATCH',
  /** The ledger cannot be reached right now; nothing was recorded. Retry (same requestId / key). */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** A requestId already used for a different bet: the original ticket stands, this one is not bought. */
  REQUEST_ID_CONFLICT: 'REQUEST_ID_CONFLICT',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The session behind a connection ended (logout, expiry, account closed): log in again. */
  SESSION_ENDED: 'SESSION_ENDED',
  // --- Sockets, seats and sessions (issue 10) ---
  /** A player asked for more seats than one player may hold (core/limits.ts, rooms/seats.ts). */
  TOO_MANY_SEATS: 'TOO_MANY_SEATS',
  // --- Games (issue 12) ---
  /** A fixed-odds combination has reached the house's liability cap for this draw. */
  SOLD_OUT: 'SOLD_OUT',
  /** The bet type is not one of the game's (GET /api/games lists them). */
  INVALID_BET_TYPE: 'INVALID_BET_TYPE',
  /** The stake is not one the bet type offers. */
  INVALID_STAKE: 'INVALID_STAKE',
  /** Advance play: `draws` is not a whole number 1..ADVANCE_DRAWS_MAX (core/limits.ts). */
  INVALID_DRAWS: 'INVALID_DRAWS',
  /** Advance play: the game has fewer draws scheduled after this one than the purchase asks for. */
  ADVANCE_UNAVAILABLE: 'ADVANCE_UNAVAILABLE',
  // --- Ticket history (issue 12) ---
  /** A history cursor that is malformed or is not one of this player's: start again without it. */
  INVALID_CURSOR: 'INVALID_CURSOR',
  /** A history period (`from`, `to`) that is not an ISO 8601 instant within bounds, or that ends before it starts. */
  INVALID_PERIOD: 'INVALID_PERIOD',
  /** A page size outside its bounds. */
  INVALID_LIMIT: 'INVALID_LIMIT',
  // --- Player protection (issue 13) ---
  /** Play is not permitted in the player's territory (config/jurisdictions.json). */
  JURISDICTION_BLOCKED: 'JURISDICTION_BLOCKED',
  /** The bet or deposit would cross one of the player's deposit, stake or loss limits. */
  LIMIT_REACHED: 'LIMIT_REACHED',
  /** A limit above the jurisdiction's maximum, or the removal of one that has a maximum. */
  LIMIT_ABOVE_MAXIMUM: 'LIMIT_ABOVE_MAXIMUM',
  /** The player is on a break or has excluded themselves: no login, bets or deposits until it ends. */
  EXCLUDED: 'EXCLUDED',
  /** The player's identity is not verified (POST /api/me/identity): no deposits or bets until it is. */
  KYC_REQUIRED: 'KYC_REQUIRED',
  /** A verification was asked for while the player is already verified. */
  ALREADY_VERIFIED: 'ALREADY_VERIFIED',
  /** A verification was asked for while one is under way. */
  IDENTITY_CHECK_PENDING: 'IDENTITY_CHECK_PENDING',
  /** The draw's game is not among those the player's jurisdiction offers. */
  GAME_NOT_OFFERED: 'GAME_NOT_OFFERED',
  /** A reality check was shown and not yet acknowledged (reality_check:ack): no bets until it is. */
  REALITY_CHECK_PENDING: 'REALITY_CHECK_PENDING',
  /** The player connects from outside the territories where play is permitted (actors/GeoGate.ts). */
  LOCATION_NOT_PERMITTED: 'LOCATION_NOT_PERMITTED',
  /** The account has a second factor: log in again with `totp`, the authenticator app's current code. */
  TOTP_REQUIRED: 'TOTP_REQUIRED',
  /** A TOTP code that is not a current, unused one. */
  INVALID_TOTP: 'INVALID_TOTP',
  /** A second factor is already on. */
  TOTP_ALREADY_ENABLED: 'TOTP_ALREADY_ENABLED',
  /** No second factor is being set up (POST /api/me/totp/setup first). */
  TOTP_NOT_SET_UP: 'TOTP_NOT_SET_UP',
  /** No second factor is on. */
  TOTP_NOT_ENABLED: 'TOTP_NOT_ENABLED',
  /** A provider's callback whose signature is missing, wrong, or too old or new. */
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  /** A provider's callback about no check of ours, or not matching the check it names. */
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  /** A withdrawal or held prize an operator decides on was decided already. */
  NOT_IN_REVIEW: 'NOT_IN_REVIEW',
  // --- Operations (issue 15) ---
  /** The last active admin cannot be disabled or demoted. */
  LAST_ADMIN: 'LAST_ADMIN',
  /** A halted draw's intervention: the draw is not halted, or not in the state the action needs. */
  DRAW_NOT_HALTED: 'DRAW_NOT_HALTED',
  /** A resume while a committed input (an auditor's seed) is still missing. */
  INPUT_MISSING: 'INPUT_MISSING',
  /** A second operator must approve: the one who asked cannot. */
  SAME_OPERATOR: 'SAME_OPERATOR',
  /** No intervention waits for approval (none asked, or already approved or withdrawn). */
  NOT_PENDING: 'NOT_PENDING',
  // --- Risk (issue 15) ---
  /** The player's betting is paused pending a review of a risk alert (actors/RiskMonitor.ts); login, deposits and withdrawals stay open. */
  BETTING_FROZEN: 'BETTING_FROZEN',
  /** A risk alert an operator reviews was reviewed already. */
  ALREADY_REVIEWED: 'ALREADY_REVIEWED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An expected, reportable failure (a late bet, a bad body): never a bug. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly httpStatus: number = 400,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A broken invariant: a bug. Callers must not continue. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

/**
 * Throws InvariantError unless `condition` holds. Where it runs for every bet, pass the
 * message as a function: a template literal is built on every call, even when it holds.
 */
export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new InvariantError(typeof message === 'string' ? message : message());
}

/**
 * An expected refusal that says when to try again (HTTP `Retry-After`, whole seconds): a rate
 * limit, a full password queue, a database that is away.
 */
export class RetryLaterError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    httpStatus: number,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message, httpStatus);
    this.name = 'RetryLaterError';
  }
}
