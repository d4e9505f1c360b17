// app/operatorPlayersApi.ts — an operator suspends a player's account, lifts the suspension or
// closes it. Recorded with its reason (ledger/players.ts setPlayerStatus); a suspension or
// closure ends every session of the player, on every process, before the answer (the logout
// path), and login answers UNAUTHORIZED until the account is active again.
import type pg from 'pg';
import { AppError, ErrorCode } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Sessions } from '../actors/Sessions.ts';
import { setPlayerStatus, type SessionPlayer } from '../ledger/players.ts';
import { accessCheck, operatorOf, type OperatorAccess } from './access.ts';
import type { HttpRoutes } from './http.ts';
import { route } from './routeSpec.ts';
import { schemas } from './schemas.ts';

export interface OperatorPlayersApiDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  sessions: Pick<Sessions, 'end'>;
  operators: OperatorAccess;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
}

export function registerOperatorPlayersApi(routes: HttpRoutes, deps: OperatorPlayersApiDeps): void {
  routes.define(setStatus(deps), accessCheck(deps));
}

const setStatus = (deps: OperatorPlayersApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/players/:playerId/status',
    summary: "Suspend a player's account, make it active again, or close it for good, with a reason: a suspension or closure ends every session of the player at once",
    security: 'operator',
    roles: ['admin', 'support'],
    params: schemas.playerParams,
    body: schemas.playerStatus,
    responses: { 200: '{ playerId, from, to }', 404: 'NOT_FOUND: no such player, or the account is closed' },
    async handle(caller) {
      const { params, body } = caller;
      const operator = operatorOf(caller).name;
      const done = await setPlayerStatus(deps.pool, params.playerId, { status: body.status, reason: body.reason, operator }, deps.clock.nowMs());
      if (!done) throw new AppError(ErrorCode.NOT_FOUND, 'no such player, or the account is closed', 404);
      if (done.to !== 'active') await deps.sessions.end({ playerId: done.playerId }, done.to === 'suspended' ? 'suspended' : 'closed');
      deps.logger.info({ playerId: params.playerId, from: done.from, to: done.to, operator }, 'player status changed');
      return { status: 200, body: { playerId: params.playerId, from: done.from, to: done.to } };
    },
  });
