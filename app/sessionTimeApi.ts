// app/sessionTimeApi.ts — the player's reality check interval and session time limit
// (ledger/sessionTime.ts), self-service. A time limit shortens the sessions already open too;
// a reality check interval applies to the sales rooms joined from then on.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { sessionTimeSettings, setSessionTime } from '../ledger/sessionTime.ts';
import { accessCheck } from './access.ts';
import type { HttpRoutes } from './http.ts';
import { route, type AnyRouteSpec } from './routeSpec.ts';
import { schemas } from './schemas.ts';

export interface SessionTimeApiDeps {
  pool: pg.Pool;
  clock: Clock;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
}

export function registerSessionTimeApi(routes: HttpRoutes, deps: SessionTimeApiDeps): void {
  const table: AnyRouteSpec[] = [read(deps), change(deps)];
  const access = accessCheck(deps);
  for (const spec of table) routes.define(spec, access);
}

const read = (deps: SessionTimeApiDeps) =>
  route({
    method: 'GET',
    path: '/api/me/session-time',
    summary: 'Your reality check interval and session time limit (minutes, or null for none), and every change you asked for, newest first',
    security: 'session',
    responses: { 200: '{ realityCheckMinutes, sessionLimitMinutes, changes: [{ setting, value, askedAt }] }' },
    async handle({ player }) {
      invariant(player !== null, 'session time without its player');
      return { status: 200, body: await sessionTimeSettings(deps.pool, player.playerId) };
    },
  });

const change = (deps: SessionTimeApiDeps) =>
  route({
    method: 'POST',
    path: '/api/me/session-time',
    summary:
      'Set a reality check every 10..240 minutes of a session (time played and net result, to acknowledge before betting on) and a session time limit of 10..1440 minutes; null turns one off, an absent field leaves it',
    security: 'session',
    body: schemas.sessionTime,
    responses: { 200: '{ realityCheckMinutes, sessionLimitMinutes }: in force now' },
    async handle({ player, body }) {
      invariant(player !== null, 'session time without its player');
      return { status: 200, body: await setSessionTime(deps.pool, player.playerId, body, deps.clock.nowMs()) };
    },
  });
