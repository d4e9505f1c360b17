// app/operatorsApi.ts — operator accounts: the first admin's bootstrap, login with a password
// and a mandatory TOTP code, logout, and the admin's management of the others.
//
// Bootstrap: while no operator exists, POST /api/operator/bootstrap with the bootstrap token
// (OPERATOR_BOOTSTRAP_TOKEN, or one the server generates and logs at start) creates the first
// admin and answers their TOTP secret once. After that the route answers 409 for good and
// admins create everyone else. Sessions are checked in the database on every request, so a
// logout, a role change or a disabled account takes effect on the next request everywhere.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { AppError, ErrorCode } from '../core/errors.ts';
import { OPERATOR_SESSION_TTL_MS } from '../core/limits.ts';
import type { Logger } from '../core/logger.ts';
import type { SecretBox } from '../core/secretBox.ts';
import { base32Encode, matchTotp, otpauthUri } from '../core/totp.ts';
import { recordEvent } from '../ledger/audit.ts';
import {
  bootstrapAdmin,
  changeOperator,
  findOperatorForLogin,
  insertOperator,
  insertOperatorSession,
  listOperators,
  operatorOfSession,
  revokeOperatorSession,
  takeOperatorStep,
  type OperatorAccount,
} from '../ledger/operators.ts';
import { accessCheck, OPERATOR_TOKEN_PREFIX, operatorOf, sameSecret, type AccessDeps, type OperatorAccess } from './access.ts';
import { hashSessionToken, type PasswordQueue } from './auth.ts';
import { bearerToken, type HttpRequest, type HttpRoutes } from './http.ts';
import type { AuthLimits } from './rateLimits.ts';
import { route, type AnyRouteSpec, type OperatorCaller } from './routeSpec.ts';
import { schemas } from './schemas.ts';

const TOTP_ISSUER = 'Lottery operators';
const TOTP_SECRET_BYTES = 20;
/** Body fields never written to the audit log. */
const SECRET_FIELDS = new Set(['password', 'code', 'token', 'seed', 'totp']);
/** A recorded request body is cut to this many characters of JSON. */
const RECORDED_BODY_CHARS_MAX = 2_000;
const RECORDED_BODY_DEPTH_MAX = 16;

/** Operator sessions and the record of their requests. */
export class OperatorGate implements OperatorAccess {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    readonly scrapeToken?: string,
  ) {}

  async authenticate(token: string): Promise<OperatorCaller | null> {
    if (!/^op_[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const operator = await operatorOfSession(this.pool, hashSessionToken(token), this.clock.nowMs());
    return operator && { id: operator.id, name: operator.name, role: operator.role };
  }

  async recordRequest(operator: OperatorCaller, req: HttpRequest, spec: { method: string; path: string }, allowed: boolean): Promise<void> {
    if (operator.id === 0) return; // the metrics scraper: its scrapes are not actions
    await recordEvent(this.pool, {
      kind: allowed ? 'operator.request' : 'operator.refused',
      actor: operator.name,
      subject: `operator:${operator.name}`,
      details: { role: operator.role, method: spec.method, route: spec.path, params: req.params, query: recordedBody(Object.fromEntries(req.query)), address: req.remoteAddress, body: recordedBody(req.body) },
    });
  }

  /** A fresh TOTP secret for `name`: sealed for the database, and shown once to its owner. */
  newSecret(name: string): { sealed: Buffer; secret: string; otpauthUri: string } {
    const secret = crypto.randomBytes(TOTP_SECRET_BYTES);
    return { sealed: this.box.seal(context(name), secret), secret: base32Encode(secret), otpauthUri: otpauthUri(TOTP_ISSUER, name, secret) };
  }

  openSecret(name: string, sealed: Buffer): Buffer {
    return this.box.open(context(name), sealed);
  }
}

const context = (name: string) => `operator:${name}`;

function recordedBody(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  // Deeper than any body a route accepts: not walked at all (serializing it could exhaust the stack).
  if (depthOf(body, 0) > RECORDED_BODY_DEPTH_MAX) return { unrecorded: `nested deeper than ${RECORDED_BODY_DEPTH_MAX} levels` };
  const redacted = JSON.stringify(body, (key, value) => (SECRET_FIELDS.has(key) ? '[redacted]' : value));
  return redacted.length <= RECORDED_BODY_CHARS_MAX ? JSON.parse(redacted) : { truncated: redacted.slice(0, RECORDED_BODY_CHARS_MAX) };
}

/** How deep a parsed JSON value nests, counted up to one past the maximum. */
function depthOf(value: unknown, depth: number): number {
  if (depth > RECORDED_BODY_DEPTH_MAX || value === null || typeof value !== 'object') return depth;
  let deepest = depth + 1;
  for (const v of Object.values(value)) deepest = Math.max(deepest, depthOf(v, depth + 1));
  return deepest;
}

export interface OperatorsApiDeps extends AccessDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  gate: OperatorGate;
  passwords: PasswordQueue;
  authLimits: AuthLimits;
  /** Accepted by the bootstrap route while no operator exists. */
  bootstrapToken: string;
}

export function registerOperatorsApi(routes: HttpRoutes, deps: OperatorsApiDeps): void {
  const access = accessCheck(deps);
  const specs: AnyRouteSpec[] = [bootstrap(deps), login(deps), logout(deps), me(), list(deps), create(deps), change(deps)];
  for (const spec of specs) routes.define(spec, access);
}

const view = (o: OperatorAccount) => ({ name: o.name, role: o.role, status: o.status, createdBy: o.createdBy, createdAt: new Date(o.createdAtMs).toISOString() });

const bootstrap = (deps: OperatorsApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/bootstrap',
    summary: 'Create the first admin, once, while no operator exists: with the bootstrap token the server was given or logged at start',
    body: schemas.operatorBootstrap,
    responses: { 201: '{ name, role: "admin", totp: { secret, otpauthUri } }: add the secret to an authenticator app now, it is not shown again', 401: 'UNAUTHORIZED: wrong bootstrap token', 409: 'ALREADY_EXISTS: operators exist; an admin creates the others' },
    async handle({ body, req }) {
      await deps.authLimits.beforeLogin(req.remoteAddress, 'operator-bootstrap');
      if (!sameSecret(body.token, deps.bootstrapToken)) {
        await deps.authLimits.loginFailed(req.remoteAddress, 'operator-bootstrap');
        throw new AppError(ErrorCode.UNAUTHORIZED, 'wrong bootstrap token', 401);
      }
      const passwordHash = await deps.passwords.hash(req.remoteAddress, body.password);
      const totp = deps.gate.newSecret(body.name);
      if (!(await bootstrapAdmin(deps.pool, { name: body.name, passwordHash, totpSealed: totp.sealed }))) {
        throw new AppError(ErrorCode.ALREADY_EXISTS, 'operators exist already: the bootstrap is over; an admin creates the others', 409);
      }
      deps.logger.warn({ operator: body.name }, 'first admin created through the bootstrap');
      return { status: 201, body: { name: body.name, role: 'admin', totp: { secret: totp.secret, otpauthUri: totp.otpauthUri } } };
    },
  });

// Throttled as player logins are (app/rateLimits.ts), per (address, name) and per address.
const login = (deps: OperatorsApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/login',
    summary: 'Log an operator in: name, password and the current TOTP code, all three; a session token (op_…) for 8 hours',
    body: schemas.operatorLogin,
    responses: { 200: '{ token, expiresAt, operator: { name, role } }', 401: 'INVALID_CREDENTIALS: name, password or code wrong (one answer for all three)', 429: 'RATE_LIMITED' },
    async handle({ body, req }) {
      const address = req.remoteAddress;
      const key = `operator:${body.name}`;
      await deps.authLimits.beforeLogin(address, key);
      const found = await findOperatorForLogin(deps.pool, body.name);
      const passwordOk = await deps.passwords.verify(address, body.password, found?.passwordHash);
      const step = found && passwordOk && found.status === 'active' ? matchTotp(deps.gate.openSecret(found.name, found.totpSealed), body.code, deps.clock.nowMs(), found.totpUsedStep) : null;
      if (!found || step === null || !(await takeOperatorStep(deps.pool, found.id, step))) {
        await deps.authLimits.loginFailed(address, key);
        await recordEvent(deps.pool, { kind: 'operator.login_failed', actor: body.name, subject: `operator:${body.name}`, details: { address } });
        throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'name, password or code is wrong, or the account is disabled', 401);
      }
      await deps.authLimits.loginSucceeded(address, key);
      const token = OPERATOR_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
      const nowMs = deps.clock.nowMs();
      const expiresAtMs = nowMs + OPERATOR_SESSION_TTL_MS;
      await insertOperatorSession(deps.pool, hashSessionToken(token), found.id, nowMs, expiresAtMs);
      await recordEvent(deps.pool, { kind: 'operator.login', actor: found.name, subject: `operator:${found.name}`, details: { address, role: found.role } });
      return { status: 200, body: { token, expiresAt: new Date(expiresAtMs).toISOString(), operator: { name: found.name, role: found.role } } };
    },
  });

const ALL_ROLES = ['admin', 'finance', 'auditor', 'support'] as const;

const logout = (deps: OperatorsApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/logout',
    summary: "End this operator session: refused from the next request on, on every process",
    security: 'operator',
    roles: ALL_ROLES,
    responses: { 200: 'Logged out' },
    async handle({ req }) {
      await revokeOperatorSession(deps.pool, hashSessionToken(bearerToken(req)!));
      return { status: 200, body: { loggedOut: true } };
    },
  });

const me = () =>
  route({
    method: 'GET',
    path: '/api/operator/me',
    summary: 'The operator of this session: name and role',
    security: 'operator',
    roles: ALL_ROLES,
    responses: { 200: '{ name, role }' },
    handle: (caller) => ({ status: 200, body: { name: operatorOf(caller).name, role: operatorOf(caller).role } }),
  });

const list = (deps: OperatorsApiDeps) =>
  route({
    method: 'GET',
    path: '/api/operator/operators',
    summary: 'Every operator account, disabled ones included',
    security: 'operator',
    roles: ['admin'],
    responses: { 200: '{ operators: [{ name, role, status, createdBy, createdAt }] }' },
    handle: async () => ({ status: 200, body: { operators: (await listOperators(deps.pool)).map(view) } }),
  });

const create = (deps: OperatorsApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/operators',
    summary: "Create an operator with a role and an initial password; answers their TOTP secret once, for them to add to their authenticator app",
    security: 'operator',
    roles: ['admin'],
    body: schemas.operatorCreate,
    responses: { 201: '{ name, role, totp: { secret, otpauthUri } }', 409: 'ALREADY_EXISTS: the name is taken' },
    async handle(caller) {
      const { body, req } = caller;
      const passwordHash = await deps.passwords.hash(req.remoteAddress, body.password);
      const totp = deps.gate.newSecret(body.name);
      const created = await insertOperator(deps.pool, { name: body.name, role: body.role, passwordHash, totpSealed: totp.sealed, createdBy: operatorOf(caller).name });
      if (!created) throw new AppError(ErrorCode.ALREADY_EXISTS, `an operator named ${body.name} exists`, 409);
      return { status: 201, body: { ...view(created), totp: { secret: totp.secret, otpauthUri: totp.otpauthUri } } };
    },
  });

const change = (deps: OperatorsApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/operators/:name',
    summary: "Change an operator's role or disable them (or enable them again): every session of theirs ends at once",
    security: 'operator',
    roles: ['admin'],
    params: schemas.operatorParams,
    body: schemas.operatorChange,
    responses: { 200: '{ name, role, status, sessionsEnded }', 404: 'NOT_FOUND', 409: 'LAST_ADMIN: the last active admin cannot be disabled or demoted' },
    async handle(caller) {
      const { params, body } = caller;
      const done = await changeOperator(deps.pool, params.name, body);
      if (!done) throw new AppError(ErrorCode.NOT_FOUND, `no operator named ${params.name}`, 404);
      if (done === 'last_admin') throw new AppError(ErrorCode.LAST_ADMIN, 'the last active admin cannot be disabled or demoted: make another admin first', 409);
      deps.logger.info({ operator: params.name, role: done.after.role, status: done.after.status, by: operatorOf(caller).name }, 'operator changed');
      return { status: 200, body: { ...view(done.after), sessionsEnded: done.sessionsEnded } };
    },
  });
