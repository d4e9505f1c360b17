// app/secondFactorApi.ts — a player's optional second factor: a TOTP secret (RFC 6238,
// core/totp.ts) set up with an authenticator app, then asked for at every login. Set up in two
// steps, so a secret the app never received cannot lock the player out: the secret is shown,
// and turned on only once a code from it is given. Turning it off takes a current code.
// Every code is taken once (ledger/secondFactor.ts): a code seen over a shoulder, or sent twice,
// does not log in again.
import crypto from 'node:crypto';
import type pg from 'pg';
import { AppError, ErrorCode, invariant } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { SecretBox } from '../core/secretBox.ts';
import { base32Encode, matchTotp, otpauthUri } from '../core/totp.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { disableSecondFactor, enableSecondFactor, secondFactorState, setPendingSecret, takeStep } from '../ledger/secondFactor.ts';
import { accessCheck } from './access.ts';
import type { HttpRoutes } from './http.ts';
import { route, type AnyRouteSpec } from './routeSpec.ts';
import { schemas } from './schemas.ts';

export const TOTP_ISSUER = 'Lottery';
const SECRET_BYTES = 20;

/** The second factor as login and the routes use it. */
export class SecondFactor {
  constructor(
    private readonly pool: pg.Pool,
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  /** At login, after the password: 'none' (not on), 'ok' (a fresh code), 'required' (none given) or 'invalid'. */
  async atLogin(playerId: number, code: string | undefined): Promise<'none' | 'ok' | 'required' | 'invalid'> {
    const state = await secondFactorState(this.pool, playerId);
    if (state.secret === null) return 'none';
    if (code === undefined) return 'required';
    return (await this.take(playerId, state.publicId, state.secret, state.lastStep, code)) ? 'ok' : 'invalid';
  }

  async setUp(playerId: number): Promise<{ secret: string; otpauthUri: string }> {
    const state = await secondFactorState(this.pool, playerId);
    const secret = crypto.randomBytes(SECRET_BYTES);
    if (!(await setPendingSecret(this.pool, playerId, this.box.seal(context(state.publicId), secret)))) {
      throw new AppError(ErrorCode.TOTP_ALREADY_ENABLED, 'a second factor is already on: turn it off first (with a current code)', 409);
    }
    return { secret: base32Encode(secret), otpauthUri: otpauthUri(TOTP_ISSUER, state.email, secret) };
  }

  async enable(playerId: number, code: string): Promise<void> {
    const state = await secondFactorState(this.pool, playerId);
    if (state.secret !== null) throw new AppError(ErrorCode.TOTP_ALREADY_ENABLED, 'a second factor is already on', 409);
    if (state.pendingSecret === null) throw new AppError(ErrorCode.TOTP_NOT_SET_UP, 'set one up first: POST /api/me/totp/setup', 409);
    const secret = this.box.open(context(state.publicId), state.pendingSecret);
    const step = matchTotp(secret, code, this.clock.nowMs(), null);
    if (step === null) throw new AppError(ErrorCode.INVALID_TOTP, 'that code is not the current one for the secret being set up', 400);
    if (!(await enableSecondFactor(this.pool, playerId, state.pendingSecret, step, this.clock.nowMs()))) {
      throw new AppError(ErrorCode.TOTP_NOT_SET_UP, 'the secret being set up changed meanwhile: set up again', 409);
    }
  }

  async disable(playerId: number, code: string): Promise<void> {
    const state = await secondFactorState(this.pool, playerId);
    if (state.secret === null) throw new AppError(ErrorCode.TOTP_NOT_ENABLED, 'no second factor is on', 409);
    if (!(await this.take(playerId, state.publicId, state.secret, state.lastStep, code))) {
      throw new AppError(ErrorCode.INVALID_TOTP, 'that code is not a current, unused one', 400);
    }
    await disableSecondFactor(this.pool, playerId);
  }

  private async take(playerId: number, publicId: string, sealed: Buffer, lastStep: number | null, code: string): Promise<boolean> {
    const step = matchTotp(this.box.open(context(publicId), sealed), code, this.clock.nowMs(), lastStep);
    return step !== null && (await takeStep(this.pool, playerId, step));
  }
}

/** A secret opens only in its own player's row. */
const context = (playerPublicId: string) => `totp:${playerPublicId}`;

export interface SecondFactorApiDeps {
  secondFactor: SecondFactor;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
}

export function registerSecondFactorApi(routes: HttpRoutes, deps: SecondFactorApiDeps): void {
  const table: AnyRouteSpec[] = [setUp(deps), enable(deps), disable(deps)];
  const access = accessCheck(deps);
  for (const spec of table) routes.define(spec, access);
}

const setUp = (deps: SecondFactorApiDeps) =>
  route({
    method: 'POST',
    path: '/api/me/totp/setup',
    summary: 'Start setting up a second factor: a new TOTP secret for an authenticator app (base32 and otpauth:// URI); on only once a code from it is given',
    security: 'session',
    responses: { 200: '{ secret, otpauthUri }', 409: 'TOTP_ALREADY_ENABLED' },
    async handle({ player }) {
      invariant(player !== null, 'a second factor without its player');
      return { status: 200, body: await deps.secondFactor.setUp(player.playerId), headers: { 'cache-control': 'no-store' } };
    },
  });

const enable = (deps: SecondFactorApiDeps) =>
  route({
    method: 'POST',
    path: '/api/me/totp/enable',
    summary: 'Turn the second factor on with a current code from the secret being set up; every later login asks for a code',
    security: 'session',
    body: schemas.totpCode,
    responses: { 200: '{ enabled: true }', 400: 'INVALID_TOTP', 409: 'TOTP_NOT_SET_UP, TOTP_ALREADY_ENABLED' },
    async handle({ player, body }) {
      invariant(player !== null, 'a second factor without its player');
      await deps.secondFactor.enable(player.playerId, body.code);
      return { status: 200, body: { enabled: true } };
    },
  });

const disable = (deps: SecondFactorApiDeps) =>
  route({
    method: 'POST',
    path: '/api/me/totp/disable',
    summary: 'Turn the second factor off, with a current code',
    security: 'session',
    body: schemas.totpCode,
    responses: { 200: '{ enabled: false }', 400: 'INVALID_TOTP', 409: 'TOTP_NOT_ENABLED' },
    async handle({ player, body }) {
      invariant(player !== null, 'a second factor without its player');
      await deps.secondFactor.disable(player.playerId, body.code);
      return { status: 200, body: { enabled: false } };
    },
  });
