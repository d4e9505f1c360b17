// app/identityApi.ts — identity verification over HTTP: a player asks for a check and reads
// its progress; the provider answers through a signed callback (app/identity.ts), which
// the ledger applies at most once (ledger/identity.ts). A refused or withdrawn verification
// ends every session of the player, on every process, through the logout path; they may
// log in again, look around and ask for a new check, but not deposit or bet.
import type pg from 'pg';
import { AppError, ErrorCode, invariant } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Sessions } from '../actors/Sessions.ts';
import { applyIdentityDecision, beginIdentityCheck, identityCheckSent, identityRecord, type DecisionOutcome } from '../ledger/identity.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { accessCheck } from './access.ts';
import type { HttpRoutes } from './http.ts';
import type { IdentityProvider } from './identity.ts';
import { route, type AnyRouteSpec } from './routeSpec.ts';
import { schemas } from './schemas.ts';

export interface IdentityApiDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  provider: IdentityProvider;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  sessions: Pick<Sessions, 'end'>;
}

const LISTED_MAX = 50;
const PRIVATE = { 'cache-control': 'private, no-store' };

export function registerIdentityApi(routes: HttpRoutes, deps: IdentityApiDeps): void {
  const table: AnyRouteSpec[] = [identity(deps), askForCheck(deps), callback(deps)];
  const access = accessCheck(deps);
  for (const spec of table) routes.define(spec, access);
}

const identity = (deps: IdentityApiDeps) =>
  route({
    method: 'GET',
    path: '/api/me/identity',
    summary: "The player's identity status (unverified, pending, verified, refused, withdrawn), their latest checks and every status change, newest first",
    security: 'session',
    responses: { 200: '{ status, checks: [{ checkId, status, reason, documentLast4, requestedAt, decidedAt }], history: [{ at, from, to, kind, decision, applied, reason }] }' },
    async handle({ player }) {
      invariant(player !== null, 'identity without its player');
      return { status: 200, body: await identityRecord(deps.pool, player.playerId, LISTED_MAX), headers: PRIVATE };
    },
  });

const askForCheck = (deps: IdentityApiDeps) =>
  route({
    method: 'POST',
    path: '/api/me/identity',
    summary: 'Ask for your identity to be verified: the provider decides later (GET /api/me/identity shows it); until verified you may not deposit or bet',
    security: 'session',
    body: schemas.identityCheck,
    responses: {
      202: 'Asked: { checkId, status: "pending" }',
      409: 'ALREADY_VERIFIED, IDENTITY_CHECK_PENDING',
      503: 'SERVICE_UNAVAILABLE: the provider could not be reached; nothing changed, ask again',
    },
    async handle({ player, body }) {
      invariant(player !== null, 'an identity check without its player');
      const begun = await beginIdentityCheck(deps.pool, player.playerId, deps.provider.name, body, deps.clock.nowMs());
      if (!begun.started) throw new AppError(ErrorCode[begun.code], begun.message, 409);
      try {
        const { providerRef } = await deps.provider.submit({
          checkId: begun.checkId,
          playerRef: begun.playerPublicId,
          givenName: body.givenName,
          familyName: body.familyName,
          dateOfBirth: begun.dateOfBirth,
          country: begun.country,
          documentNumber: body.documentNumber,
        });
        await identityCheckSent(deps.pool, begun.checkRowId, { providerRef }, deps.clock.nowMs());
      } catch (err) {
        if (err instanceof AppError) throw err;
        const error = String((err as Error)?.message ?? err);
        deps.logger.warn({ playerId: player.publicId, checkId: begun.checkId, err: error }, 'identity provider unreachable');
        await identityCheckSent(deps.pool, begun.checkRowId, { error }, deps.clock.nowMs());
        throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'the identity provider could not be reached; nothing changed, ask again', 503);
      }
      return { status: 202, body: { checkId: begun.checkId, status: 'pending' } };
    },
  });

// Answered 2xx once recorded (applied, a duplicate, or ignored as stale), so the provider stops
// sending it; refused (4xx, logged) when the signature or the event is wrong.
const callback = (deps: IdentityApiDeps) =>
  route({
    method: 'POST',
    path: '/api/identity/callbacks/:provider',
    summary: "The identity provider's decisions, signed over the raw body (x-identity-signature: t=<unix seconds>,v1=<HMAC-SHA256 hex of t.body>)",
    params: schemas.identityProvider,
    responses: {
      200: 'Recorded: { outcomes }',
      400: 'BAD_REQUEST: not an event of the provider; UNKNOWN_EVENT: no such check, or it does not match',
      401: 'INVALID_SIGNATURE',
    },
    async handle({ req, params }) {
      if (params.provider !== deps.provider.name) throw new AppError(ErrorCode.NOT_FOUND, `no identity provider "${params.provider}" is configured`, 404);
      const reading = deps.provider.readCallback(req.headers, req.rawBody ?? Buffer.alloc(0), deps.clock.nowMs());
      if (!reading.ok) {
        deps.logger.warn({ provider: params.provider, from: req.remoteAddress, why: reading.why }, 'identity callback refused');
        throw new AppError(reading.status === 401 ? ErrorCode.INVALID_SIGNATURE : ErrorCode.BAD_REQUEST, reading.why, reading.status);
      }
      const outcomes: DecisionOutcome['outcome'][] = [];
      for (const decision of reading.decisions) {
        const done = await applyIdentityDecision(deps.pool, decision);
        outcomes.push(done.outcome);
        if (done.outcome === 'unknown_check' || done.outcome === 'mismatch') {
          deps.logger.warn({ provider: params.provider, eventId: decision.eventId, checkId: decision.checkId, outcome: done.outcome }, 'identity callback refused');
          throw new AppError(ErrorCode.UNKNOWN_EVENT, done.outcome === 'mismatch' ? 'the event does not match the check it names' : 'no check of ours has that id', 400);
        }
        if (done.outcome === 'applied' && (done.to === 'refused' || done.to === 'withdrawn')) {
          await deps.sessions.end({ playerId: done.playerId }, done.to === 'refused' ? 'identity_refused' : 'identity_withdrawn');
        }
        if (done.outcome === 'applied') deps.logger.info({ checkId: decision.checkId, from: done.from, to: done.to }, 'identity status changed');
      }
      return { status: 200, body: { outcomes } };
    },
  });
