// app/interventionsApi.ts — the way out of a halted draw, by two operators (ledger/interventions.ts):
// one asks to resume it (once the missing input has arrived) or to void it (every ticket
// refunded once), with a reason; another approves. Both are in the draw's public record
// (GET /api/draws/:drawId, `interventions`) and in the audit log.
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { AppError, ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { approveIntervention, requestIntervention, withdrawIntervention, type InterventionOutcome } from '../ledger/interventions.ts';
import { accessCheck, operatorOf, type AccessDeps } from './access.ts';
import type { HttpResponse, HttpRoutes } from './http.ts';
import { route } from './routeSpec.ts';
import { schemas } from './schemas.ts';

export interface InterventionsApiDeps extends AccessDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
}

export function registerInterventionsApi(routes: HttpRoutes, deps: InterventionsApiDeps): void {
  const access = accessCheck(deps);
  for (const spec of [ask(deps), approve(deps), withdraw(deps)]) routes.define(spec, access);
}

const DECIDERS = ['admin'] as const;

/** The answer for an outcome: the intervention and the draw's status, or a refusal with its code. */
function answer(done: InterventionOutcome, okStatus: number): HttpResponse {
  switch (done.outcome) {
    case 'ok': {
      const i = done.intervention;
      return {
        status: okStatus,
        body: {
          interventionId: String(i.id),
          action: i.action,
          status: i.status,
          reason: i.reason,
          requestedBy: i.requestedBy,
          approvedBy: i.approvedBy,
          drawStatus: done.drawStatus,
        },
      };
    }
    case 'no_draw':
      throw new AppError(ErrorCode.NOT_FOUND, 'no such draw', 404);
    case 'not_halted':
      throw new AppError(ErrorCode.DRAW_NOT_HALTED, `the draw is ${done.status}, not halted`, 409);
    case 'input_missing':
      throw new AppError(ErrorCode.INPUT_MISSING, `still missing: the seed of ${done.missing.join(', ')}; a resume now would halt again`, 409);
    case 'pending_exists':
      throw new AppError(ErrorCode.ALREADY_EXISTS, `a request to ${done.intervention.action} (id ${done.intervention.id}, by ${done.intervention.requestedBy}) waits for approval: approve or withdraw it first`, 409);
    case 'not_pending':
      throw new AppError(ErrorCode.NOT_PENDING, 'no such request waits for approval on this draw', 409);
    case 'same_operator':
      throw new AppError(ErrorCode.SAME_OPERATOR, 'another operator must approve: you asked for it', 409);
  }
}

const ask = (deps: InterventionsApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/draws/:drawId/interventions',
    summary: 'Ask to resume a halted draw (its missing input has arrived) or to void it (every ticket refunded once): another operator must approve',
    security: 'operator',
    roles: DECIDERS,
    params: schemas.drawParams,
    body: schemas.interventionRequest,
    responses: {
      201: '{ interventionId, action, status: "pending", reason, requestedBy, drawStatus }',
      404: 'NOT_FOUND',
      409: 'DRAW_NOT_HALTED; INPUT_MISSING (a resume while an auditor seed is still missing); ALREADY_EXISTS (a request waits)',
    },
    async handle(caller) {
      const { params, body } = caller;
      const operator = operatorOf(caller).name;
      const done = await requestIntervention(deps.pool, params.drawId, body.action, body.reason, operator, deps.clock.nowMs());
      if (done.outcome === 'ok') deps.logger.warn({ drawId: params.drawId, action: body.action, operator }, 'halted draw: intervention asked');
      return answer(done, 201);
    },
  });

const approve = (deps: InterventionsApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/draws/:drawId/interventions/:interventionId/approve',
    summary: 'Approve another operator\'s request: the draw resumes (its leader draws it) or is voided (its leader refunds every ticket)',
    security: 'operator',
    roles: DECIDERS,
    params: schemas.interventionParams,
    responses: { 200: '{ interventionId, action, status: "done", approvedBy, drawStatus }', 404: 'NOT_FOUND', 409: 'SAME_OPERATOR; NOT_PENDING; DRAW_NOT_HALTED; INPUT_MISSING' },
    async handle(caller) {
      const { params } = caller;
      const operator = operatorOf(caller).name;
      const done = await approveIntervention(deps.pool, params.drawId, Number(params.interventionId), operator, deps.clock.nowMs());
      if (done.outcome === 'ok') deps.logger.warn({ drawId: params.drawId, action: done.intervention.action, operator, drawStatus: done.drawStatus }, 'halted draw: intervention approved');
      return answer(done, 200);
    },
  });

const withdraw = (deps: InterventionsApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/draws/:drawId/interventions/:interventionId/withdraw',
    summary: 'Take back a request nobody has approved yet',
    security: 'operator',
    roles: DECIDERS,
    params: schemas.interventionParams,
    responses: { 200: '{ interventionId, status: "withdrawn" }', 404: 'NOT_FOUND', 409: 'NOT_PENDING' },
    async handle({ params }) {
      return answer(await withdrawIntervention(deps.pool, params.drawId, Number(params.interventionId)), 200);
    },
  });
