// app/openapi.ts — the published API (GET /api/openapi.json) as an OpenAPI 3.1 document,
// generated from the route table (app/routeSpec.ts) and its zod schemas (app/schemas.ts):
// what the server parses is what the document says, since both come from the same objects.
// Routes marked internal (/healthz, /metrics) are operations' probes, not the API.
import { z } from 'zod';
import { HTTP_BODY_BYTES_MAX, HTTP_RETRY_AFTER_SECONDS_UNAVAILABLE } from '../core/limits.ts';
import type { AnyRouteSpec, Security } from './routeSpec.ts';
import { ErrorBody } from './schemas.ts';

/** The version of the document's contract; raise it when a route changes incompatibly. */
export const API_VERSION = '1.0.0';

const ERROR_REF = { $ref: '#/components/schemas/Error' };

const SECURITY_REQUIREMENTS: Record<Security, Record<string, string[]>[]> = {
  session: [{ session: [] }],
  withdrawSession: [{ session: [] }],
  operator: [{ operator: [] }],
  sessionOrOperator: [{ session: [] }, { operator: [] }],
};

export function openApiDocument(specs: readonly AnyRouteSpec[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    if (spec.internal) continue;
    const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[path] ??= {})[spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lottery platform API',
      version: API_VERSION,
      description:
        'Accounts, wallet, games, draws and their proofs, the player\'s ticket history, matchmaking. Bets are sent over the WebSocket of a room joined ' +
        'through matchmaking, not here. Every refusal is an Error: a stable code and a message.',
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBody) },
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/auth/login' },
        operator: { type: 'http', scheme: 'bearer', description: 'An operator session token (op_…) from POST /api/operator/login; each route names the roles it allows' },
      },
    },
  };
}

function operation(spec: AnyRouteSpec) {
  const parameters = [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')];
  return {
    operationId: operationId(spec),
    summary: spec.summary,
    ...(spec.roles ? { 'x-operator-roles': [...spec.roles] } : {}),
    ...(spec.security ? { security: SECURITY_REQUIREMENTS[spec.security] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body
      ? {
          requestBody: {
            required: !spec.body.safeParse(undefined).success,
            content: { 'application/json': { schema: jsonSchema(spec.body) } },
          },
        }
      : {}),
    responses: responsesOf(spec),
  };
}

/** The route's own answers, then those every route of its kind may give. */
function responsesOf(spec: AnyRouteSpec) {
  const responses: Record<string, unknown> = {};
  const add = (status: number, description: string) => {
    responses[String(status)] ??= status < 400
      ? { description, content: { 'application/json': { schema: {} } } }
      : { description, content: { 'application/json': { schema: ERROR_REF } } };
  };
  for (const [status, description] of Object.entries(spec.responses)) add(Number(status), description);
  if (spec.params || spec.query || spec.body) add(400, 'BAD_REQUEST: the message names the wrong field');
  if (spec.security) add(401, 'UNAUTHORIZED: a session or operator credentials are needed');
  if (spec.roles) add(403, `FORBIDDEN: the operator's role is not one of ${spec.roles.join(', ')}`);
  if (spec.method === 'POST') {
    add(408, 'REQUEST_TIMEOUT: the body did not arrive in time');
    add(413, `PAYLOAD_TOO_LARGE: bodies are at most ${HTTP_BODY_BYTES_MAX} bytes`);
  }
  add(500, 'INTERNAL_ERROR: a bug, logged');
  add(503, `SERVICE_UNAVAILABLE: the ledger is away or the answer is late; retry after Retry-After (${HTTP_RETRY_AFTER_SECONDS_UNAVAILABLE} s)`);
  return responses;
}

/** Each property of a params or query schema as an OpenAPI parameter. */
function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const object = jsonSchema(schema) as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, { description, ...property }]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    ...(description ? { description } : {}),
    schema: property,
  }));
}

/** The JSON Schema (2020-12, OpenAPI 3.1's dialect) of what a client sends. */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  // Refinements (text checks, calendar dates) have no JSON Schema: the document states the
  // shape, the server checks the rest and says which field failed.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** GET /api/draws/:drawId/proof -> getDrawsByDrawIdProof (each word capitalized at a non-alphanumeric). */
function operationId(spec: AnyRouteSpec): string {
  const words = spec.path
    .split('/')
    .filter((s) => s !== '' && s !== 'api')
    .map((s) => (s.startsWith(':') ? `By-${s.slice(1)}` : s).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()));
  return spec.method.toLowerCase() + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
