// app/access.ts — who is calling: a player's session token or an operator's (both Bearer; an
// operator's starts with "op_"). Routes name what they need (app/routeSpec.ts Security and
// roles); this decides it before a route reads anything else, and records every request an
// operator makes (or tries) in the audit log.
import crypto from 'node:crypto';
import { AppError, ErrorCode } from '../core/errors.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { bearerToken, type HttpRequest, type HttpResponse } from './http.ts';
import type { AccessCheck, AnyRouteSpec, Caller, OperatorCaller } from './routeSpec.ts';

/** The operators' side of access (app/operatorsApi.ts OperatorGate). */
export interface OperatorAccess {
  /** The operator of a live session token, or null. */
  authenticate(token: string): Promise<OperatorCaller | null>;
  /** Records an operator's request in the audit log: allowed, or refused for their role. */
  recordRequest(operator: OperatorCaller, req: HttpRequest, spec: RouteShape, allowed: boolean): Promise<void>;
  /** A Bearer token Prometheus scrapes /metrics with (METRICS_TOKEN); unset: operators only. */
  scrapeToken?: string;
}

export interface AccessDeps {
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  /** Absent where a module serves players only: an operator route there is refused. */
  operators?: OperatorAccess;
}

type RouteShape = Pick<AnyRouteSpec, 'security' | 'roles' | 'method' | 'path' | 'scrape' | 'operatorCookie'>;

export const SESSION_REQUIRED_MESSAGE = 'missing, expired or revoked session token';
export const OPERATOR_TOKEN_PREFIX = 'op_';
/** The cookie the room monitor's page is authenticated with (app/monitorApi.ts). */
export const MONITOR_COOKIE = 'lottery_operator';

/** The operator token in the monitor cookie, if the request carries one. */
function cookieToken(req: HttpRequest): string | undefined {
  const cookies = req.headers.cookie;
  if (!cookies || cookies.length > 4096) return undefined;
  for (const part of cookies.split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === MONITOR_COOKIE && value) return value;
  }
  return undefined;
}

export function isOperatorToken(token: string | undefined): token is string {
  return token !== undefined && token.startsWith(OPERATOR_TOKEN_PREFIX);
}

/** The operator calling: set whenever the access check let an operator route through. */
export function operatorOf(caller: Caller): OperatorCaller {
  if (!caller.operator) throw new AppError(ErrorCode.UNAUTHORIZED, 'operator session required', 401);
  return caller.operator;
}

/** The access check every route of the server goes through. */
export function accessCheck(deps: AccessDeps): AccessCheck {
  return async (spec, req: HttpRequest): Promise<Caller | HttpResponse> => {
    const { security } = spec;
    const token = bearerToken(req) ?? (spec.operatorCookie ? cookieToken(req) : undefined);
    if (security === 'operator' || security === 'sessionOrOperator') {
      if (spec.scrape && deps.operators?.scrapeToken !== undefined && token !== undefined && sameSecret(token, deps.operators.scrapeToken)) {
        return { player: null, operator: { id: 0, name: 'scraper', role: 'support' } };
      }
      if (isOperatorToken(token) || security === 'operator') return operatorCaller(deps.operators, spec, req, token);
    }
    const player = await deps.authenticate(token);
    if (!player) throw new AppError(ErrorCode.UNAUTHORIZED, SESSION_REQUIRED_MESSAGE, 401);
    if (player.scope !== 'play' && security !== 'withdrawSession') {
      throw new AppError(ErrorCode.EXCLUDED, 'this session was opened during a break or self-exclusion: it may withdraw your balance and read your statement, nothing else', 403);
    }
    return { player, operator: null };
  };
}

async function operatorCaller(operators: OperatorAccess | undefined, spec: RouteShape, req: HttpRequest, token: string | undefined): Promise<Caller> {
  const operator = operators && isOperatorToken(token) ? await operators.authenticate(token) : null;
  if (!operators || !operator) throw new AppError(ErrorCode.UNAUTHORIZED, 'operator session required: log in at POST /api/operator/login', 401);
  const allowed = spec.roles?.includes(operator.role) === true;
  await operators.recordRequest(operator, req, spec, allowed);
  if (!allowed) throw new AppError(ErrorCode.FORBIDDEN, `the ${operator.role} role may not ${spec.method} ${spec.path}`, 403);
  return { player: null, operator };
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
