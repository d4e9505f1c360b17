// app/riskApi.ts — operators read the risk alerts (actors/RiskMonitor.ts) and review them:
// dismissing one lifts the betting freeze it caused, confirming keeps it (ledger/risk.ts,
// one transaction each, recorded in the audit log by migration 022's and 023's triggers).
// The live feed of new alerts is the `operators` room (rooms/OperatorsRoom.ts).
import type pg from 'pg';
import { AppError, ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { listAlerts, reviewAlert } from '../ledger/risk.ts';
import { accessCheck, operatorOf, type OperatorAccess } from './access.ts';
import type { HttpRoutes } from './http.ts';
import { route, type AnyRouteSpec } from './routeSpec.ts';
import { ALERTS_PAGE_DEFAULT, schemas } from './schemas.ts';

export interface RiskApiDeps {
  pool: pg.Pool;
  logger: Logger;
  operators: OperatorAccess;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
}

const PRIVATE = { 'cache-control': 'private, no-store' };

export function registerRiskApi(routes: HttpRoutes, deps: RiskApiDeps): void {
  const table: AnyRouteSpec[] = [alerts(deps), review(deps)];
  const access = accessCheck(deps);
  for (const spec of table) routes.define(spec, access);
}

const alerts = (deps: RiskApiDeps) =>
  route({
    method: 'GET',
    path: '/api/operator/alerts',
    summary: 'Risk alerts, newest first, a page at a time: filter by status and rule; `before` is the last alertId of the previous page',
    security: 'operator',
    roles: ['admin', 'support'],
    query: schemas.alertsQuery,
    responses: { 200: '{ alerts: [{ alertId, rule, severity, player, draw, details, status, raisedAt, reviewedBy, reviewedAt, reviewNote, frozeBetting }], nextBefore }', 400: 'INVALID_LIMIT, INVALID_CURSOR' },
    async handle({ query }) {
      const limit = query.limit ?? ALERTS_PAGE_DEFAULT;
      const page = await listAlerts(deps.pool, { status: query.status, rule: query.rule, limit, beforeId: query.before });
      const nextBefore = page.length === limit ? page[page.length - 1].alertId : null;
      return { status: 200, body: { alerts: page, nextBefore }, headers: PRIVATE };
    },
  });

const review = (deps: RiskApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/alerts/:alertId/review',
    summary: "Review an open risk alert: dismiss it (a false alarm: the player's betting, if this alert froze it, is open again at once) or confirm it (the freeze stays)",
    security: 'operator',
    roles: ['admin', 'support'],
    params: schemas.alertParams,
    body: schemas.alertReview,
    responses: { 200: 'The alert as reviewed, and unfroze: whether betting was opened again', 404: 'NOT_FOUND', 409: 'ALREADY_REVIEWED: the alert was reviewed already' },
    async handle(caller) {
      const { params, body } = caller;
      const name = operatorOf(caller).name;
      const done = await reviewAlert(deps.pool, params.alertId, { decision: body.decision, operator: name, note: body.note });
      if (done.outcome === 'unknown') throw new AppError(ErrorCode.NOT_FOUND, 'no such alert', 404);
      if (done.outcome === 'already_reviewed') throw new AppError(ErrorCode.ALREADY_REVIEWED, `the alert was ${done.status} already`, 409);
      deps.logger.info({ alertId: params.alertId, operator: name, decision: body.decision, unfroze: done.unfrozePlayerId !== null }, 'risk alert reviewed');
      return { status: 200, body: { alert: done.alert, unfroze: done.unfrozePlayerId !== null }, headers: PRIVATE };
    },
  });
