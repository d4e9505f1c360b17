// app/access.ts — who is calling: a player's session token (Bearer) or the operators'
// credentials (Basic, OPERATOR_CREDENTIALS). Routes name what they need (app/routeSpec.ts
// Security); this decides it before a route reads anything else.
import crypto from 'node:crypto';
import { AppError, ErrorCode } from '../core/errors.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { bearerToken, errorBody, type HttpRequest, type HttpResponse } from './http.ts';
import type { AccessCheck, Caller } from './routeSpec.ts';

export interface AccessDeps {
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  operatorCredentials?: string;
}

export const SESSION_REQUIRED_MESSAGE = 'missing, expired or revoked session token';

/** Basic-auth check against OPERATOR_CREDENTIALS; false when none are configured. */
export function isOperator(req: HttpRequest, expected: string | undefined): boolean {
  const given = req.headers.authorization?.startsWith('Basic ')
    ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8')
    : undefined;
  return expected !== undefined && given !== undefined && sameSecret(given, expected);
}

/** The operator's name: the user part of the Basic credentials the access check accepted. */
export function operatorName(req: HttpRequest): string {
  const given = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8') : '';
  return given.split(':')[0] || 'operator';
}

export function operatorRequired(): HttpResponse {
  return {
    status: 401,
    body: errorBody(ErrorCode.UNAUTHORIZED, 'operator credentials required'),
    headers: { 'www-authenticate': 'Basic realm="operators"' },
  };
}

/** The access check every route of the server goes through. */
export function accessCheck(deps: AccessDeps): AccessCheck {
  return async ({ security }, req: HttpRequest): Promise<Caller | HttpResponse> => {
    const operator = (security === 'operator' || security === 'sessionOrOperator') && isOperator(req, deps.operatorCredentials)
      ? { id: 0, name: operatorName(req), role: 'admin' as const }
      : null;
    if (security === 'operator') return operator ? { player: null, operator } : operatorRequired();
    if (operator) return { player: null, operator };
    const player = await deps.authenticate(bearerToken(req));
    if (!player) throw new AppError(ErrorCode.UNAUTHORIZED, SESSION_REQUIRED_MESSAGE, 401);
    if (player.scope !== 'play' && security !== 'withdrawSession') {
      throw new AppError(ErrorCode.EXCLUDED, 'this session was opened during a break or self-exclusion: it may withdraw your balance and read your statement, nothing else', 403);
    }
    return { player, operator: null };
  };
}

/** Constant-time comparison of two secrets of any length. */
function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
