// app/routeSpec.ts — one HTTP route as data: its method, path, what it accepts (zod schemas
// from app/schemas.ts), who may call it, what it answers, and its handler. The server runs
// it (access check, then parse, then handle) and app/openapi.ts publishes it: the document
// cannot drift from what is served, since both read the same table.
import { z } from 'zod';
import { AppError, ErrorCode, invariant } from '../core/errors.ts';
import { OPERATOR_ROLES, type OperatorRole } from '../core/operatorRoles.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import type { HttpHandler, HttpRequest, HttpResponse } from './http.ts';

/**
 * Who may call: a player's session ('session': one that may play; 'withdrawSession': also one
 * opened during a break or self-exclusion to withdraw), an operator of one of the route's
 * `roles`, or either.
 */
export type Security = 'session' | 'withdrawSession' | 'operator' | 'sessionOrOperator';

export type { OperatorRole };
export { OPERATOR_ROLES };

/** An operator signed in (Bearer operator session token, second factor passed at login). */
export interface OperatorCaller {
  id: number;
  name: string;
  role: OperatorRole;
}

export interface Caller {
  /** The session's player; set whenever a route's security is 'session'. */
  player: SessionPlayer | null;
  /** The operator calling, or null. */
  operator: OperatorCaller | null;
}

/** Decides access before anything else is read: a Caller, or the answer that refuses. */
export type AccessCheck = (spec: Pick<AnyRouteSpec, 'security' | 'roles' | 'method' | 'path' | 'scrape' | 'operatorCookie'>, req: HttpRequest) => Promise<Caller | HttpResponse>;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteContext<P, Q, B> extends Caller {
  req: HttpRequest;
  params: P;
  query: Q;
  body: B;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST';
  /** uWS pattern: `:name` is one path segment. */
  path: string;
  summary: string;
  security?: Security;
  /** With 'operator' or 'sessionOrOperator': the roles allowed (required there, and only there). */
  roles?: readonly OperatorRole[];
  /** /metrics: Prometheus may also scrape it with the METRICS_TOKEN bearer. */
  scrape?: true;
  /** The room monitor's page fetches without headers: its operator token may come as the monitor cookie. */
  operatorCookie?: true;
  params?: P;
  query?: Q;
  body?: B;
  /** Route-specific answers, status -> when; app/openapi.ts adds those every route shares. */
  responses: Record<number, string>;
  /** Not part of the published API (probes and scrapes): left out of the OpenAPI document. */
  internal?: boolean;
  handle(ctx: RouteContext<Parsed<P>, Parsed<Q>, Parsed<B>>): HttpResponse | Promise<HttpResponse>;
}

export type AnyRouteSpec = RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

/** Declares a route; the schemas given type its handler's params, query and body. */
export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): AnyRouteSpec {
  return spec as unknown as AnyRouteSpec;
}

const NOBODY: Caller = { player: null, operator: null };

/** The handler HttpRoutes runs for a route: access, then params, query and body, then the route's own work. */
export function routeHandler(spec: AnyRouteSpec, access: AccessCheck): HttpHandler {
  const forOperators = spec.security === 'operator' || spec.security === 'sessionOrOperator';
  invariant(forOperators === (spec.roles !== undefined && spec.roles.length > 0), `${spec.path}: operator routes name their roles, and only they do`);
  return async (req) => {
    const caller = spec.security ? await access(spec, req) : NOBODY;
    if ('status' in caller) return caller;
    invariant((spec.security !== 'session' && spec.security !== 'withdrawSession') || caller.player !== null, `${spec.path}: a session route without its player`);
    return spec.handle({
      ...caller,
      req,
      params: spec.params && parseInput(spec.params, req.params, 'path parameter '),
      query: spec.query && parseInput(spec.query, firstValues(req.query), 'query parameter '),
      body: spec.body && parseInput(spec.body, req.body, ''),
    });
  };
}

/**
 * `value` as `schema` has it, or a 400 naming the first wrong field: the same { code,
 * message } every refusal has, so a client reads one shape. The code is BAD_REQUEST unless
 * the schema gave that refusal a code of its own (INVALID_CURSOR, say).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new AppError(issueCode(issue), issueMessage(issue, where));
}

/** BAD_REQUEST, or the code of its own a schema gave a refusal (app/schemas.ts `coded`). */
function issueCode(issue: z.core.$ZodIssue): ErrorCode {
  const code: unknown = issue.code === 'custom' ? issue.params?.code : undefined;
  return typeof code === 'string' && Object.hasOwn(ErrorCode, code) ? (code as ErrorCode) : ErrorCode.BAD_REQUEST;
}

/** "email must be a string", "unknown field "admin"", "body must be a JSON object". */
export function issueMessage(issue: z.core.$ZodIssue, where: string): string {
  if (issue.code === 'unrecognized_keys') return `unknown field "${String(issue.keys[0]).slice(0, 32)}"`;
  if (issue.path.length === 0) return issue.message;
  return `${where}${issue.path.map(String).join('.').slice(0, 64)} ${issue.message}`;
}

/** A query string as an object: a repeated parameter counts by its first value, as URLSearchParams.get reads it. */
function firstValues(query: URLSearchParams): Record<string, string> {
  // No prototype: a parameter named __proto__ is just a name.
  const values: Record<string, string> = Object.create(null);
  for (const [name, value] of query) if (!Object.hasOwn(values, name)) values[name] = value;
  return values;
}
