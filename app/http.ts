// app/http.ts — all HTTP of the process: JSON routes on the uWS app, a stable error shape
// ({ code, message }) and no framework in between. Every request gets exactly one answer
// within bounded time and memory:
//  - a route's body is read up to HTTP_BODY_BYTES_MAX (413) within HTTP_BODY_RECEIVE_MS_MAX (408);
//  - its handler has HTTP_HANDLER_MS_MAX (503), and a database that is away is a 503 too;
//  - any other path is a 404, another method a 405 with Allow, a preflight a 204: all at
//    once, without reading a body.
// Colyseus' own router would answer only paths it knows, leaving the rest open forever, and
// reads bodies without a limit: OwnHttpTransport keeps it off the uWS app altogether.
import type uWS from 'uWebSockets.js';
import { uWebSocketsTransport } from '@colyseus/uwebsockets-transport';
import { AppError, ErrorCode, invariant, RetryLaterError } from '../core/errors.ts';
import {
  CORS_PREFLIGHT_MAX_AGE_SECONDS,
  HTTP_BODY_BYTES_MAX,
  HTTP_BODY_RECEIVE_MS_MAX,
  HTTP_FAULT_LOG_EVERY_MS,
  HTTP_HANDLER_MS_MAX,
  HTTP_RETRY_AFTER_SECONDS_UNAVAILABLE,
} from '../core/limits.ts';
import { isDatabaseUnavailable } from '../ledger/faults.ts';
import { clientAddress, TrustedProxies } from './clientAddress.ts';
import { faultSummary, ThrottledLog, type Logger } from '../core/logger.ts';
import { routeHandler, type AccessCheck, type AnyRouteSpec } from './routeSpec.ts';
import { checkText } from './validate.ts';

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  params: Record<string, string>;
  /** The client's address: the peer's, or through a trusted proxy, the one it names (app/clientAddress.ts). */
  remoteAddress: string;
  /** Parsed JSON body (undefined for GET or an empty body). */
  body: unknown;
  /** The body's bytes as received (a POST): what a provider's callback signature covers. */
  rawBody?: Buffer;
}

export interface HttpResponse {
  status: number;
  body?: unknown;
  /** Send as-is with this content type instead of JSON. */
  raw?: { contentType: string; text: string | Uint8Array };
  headers?: Record<string, string>;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export interface HttpRoutesOptions {
  trustedProxies?: TrustedProxies;
  /** Tests shorten these; the defaults are core/limits.ts's. */
  bodyReceiveMsMax?: number;
  handlerMsMax?: number;
  /** Told every answer's status (the metrics' error rate). */
  onAnswered?: (status: number) => void;
}

type Method = 'GET' | 'POST';

interface Route {
  method: Method;
  pattern: string;
  segments: string[];
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** What a browser may send cross-origin: the SDK's JSON posts with a bearer token. */
const CORS_ALLOWED_REQUEST_HEADERS = 'Content-Type, Authorization, Accept, Origin, X-Requested-With';

export function errorBody(code: string, message: string) {
  return { code, message };
}

/**
 * The uWS transport, minus Colyseus' HTTP router. Server.listen() hands its router to
 * bindRouter(), which adds app.any('/*') and app.options('/*'): the catch-all never answers
 * a path the router does not know (each such request holds its socket forever), reads
 * bodies for the paths it does know without a limit, and shows a banner at GET /. HttpRoutes
 * serves every path instead, matchmaking included.
 */
export class OwnHttpTransport extends uWebSocketsTransport {
  constructor(...args: ConstructorParameters<typeof uWebSocketsTransport>) {
    // If an upgrade renamed this method, Colyseus would bind its router some other way and
    // the override below would silently do nothing: stop at start instead.
    invariant(typeof uWebSocketsTransport.prototype.bindRouter === 'function', 'uWebSocketsTransport.bindRouter is gone: re-check OwnHttpTransport');
    super(...args);
  }

  override bindRouter(): void {}
}

export class HttpRoutes {
  private readonly routes: Route[] = [];
  private readonly specs: AnyRouteSpec[] = [];
  private readonly faults: ThrottledLog;
  private readonly trustedProxies: TrustedProxies;
  private readonly bodyReceiveMsMax: number;
  private readonly handlerMsMax: number;
  private readonly onAnswered: ((status: number) => void) | undefined;

  constructor(
    private readonly app: uWS.TemplatedApp,
    private readonly logger: Logger,
    options: HttpRoutesOptions = {},
  ) {
    this.faults = new ThrottledLog(logger, HTTP_FAULT_LOG_EVERY_MS);
    this.trustedProxies = options.trustedProxies ?? new TrustedProxies();
    this.bodyReceiveMsMax = options.bodyReceiveMsMax ?? HTTP_BODY_RECEIVE_MS_MAX;
    this.handlerMsMax = options.handlerMsMax ?? HTTP_HANDLER_MS_MAX;
    this.onAnswered = options.onAnswered;
    // uWS prefers a path's own routes to a wildcard and a method's to any(): these two get
    // only what no route below takes.
    app.options('/*', (res, req) => this.preflight(res, req));
    app.any('/*', (res, req) => this.unmatched(res, req));
  }

  /** Every route served, as registered: what the API offers (the fuzz test walks all of them). */
  get served(): { method: Method; pattern: string }[] {
    return this.routes.map(({ method, pattern }) => ({ method, pattern }));
  }

  /** The routes defined as specs (app/routeSpec.ts): what app/openapi.ts publishes. */
  get definitions(): readonly AnyRouteSpec[] {
    return this.specs;
  }

  /** Serves a route spec: its access rule, then its schemas, then its handler. */
  define(spec: AnyRouteSpec, access: AccessCheck) {
    this.specs.push(spec);
    this.add(spec.method, spec.path, routeHandler(spec, access));
  }

  get(pattern: string, handler: HttpHandler) {
    this.add('GET', pattern, handler);
  }

  post(pattern: string, handler: HttpHandler) {
    this.add('POST', pattern, handler);
  }

  private add(method: Method, pattern: string, handler: HttpHandler) {
    this.routes.push({ method, pattern, segments: pattern.split('/') });
    const serve = (res: uWS.HttpResponse, req: uWS.HttpRequest) => this.serve(method, pattern, res, req, handler);
    if (method === 'GET') this.app.get(pattern, serve);
    else this.app.post(pattern, serve);
  }

  /** The methods some route serves at `path` (uWS's own matching: a `:param` is one non-empty segment). */
  private methodsAt(path: string): Method[] {
    const segments = path.split('/');
    const matches = (route: Route) =>
      route.segments.length === segments.length &&
      route.segments.every((s, i) => (s.startsWith(':') ? segments[i] !== '' : s === segments[i]));
    return [...new Set(this.routes.filter(matches).map((r) => r.method))];
  }

  private unmatched(res: uWS.HttpResponse, req: uWS.HttpRequest) {
    const headers = copyHeaders(req);
    const method = req.getMethod().toUpperCase();
    const exchange = new Exchange(res, headers, mayCarryBody(method, headers), this.onAnswered);
    const allowed = this.methodsAt(req.getUrl());
    if (allowed.length === 0) return exchange.reply({ status: 404, body: errorBody(ErrorCode.NOT_FOUND, 'no such path') });
    exchange.reply({
      status: 405,
      headers: { allow: allowed.join(', ') },
      body: errorBody(ErrorCode.METHOD_NOT_ALLOWED, `this path allows ${allowed.join(', ')} only`),
    });
  }

  /** A browser's CORS preflight: what it may send to a path we serve. */
  private preflight(res: uWS.HttpResponse, req: uWS.HttpRequest) {
    const headers = copyHeaders(req);
    const exchange = new Exchange(res, headers, mayCarryBody('OPTIONS', headers), this.onAnswered);
    const allowed = this.methodsAt(req.getUrl());
    if (allowed.length === 0) return exchange.reply({ status: 404, body: errorBody(ErrorCode.NOT_FOUND, 'no such path') });
    exchange.reply({
      status: 204,
      headers: {
        'access-control-allow-methods': [...allowed, 'OPTIONS'].join(', '),
        'access-control-allow-headers': CORS_ALLOWED_REQUEST_HEADERS,
        'access-control-max-age': String(CORS_PREFLIGHT_MAX_AGE_SECONDS),
      },
    });
  }

  private serve(method: Method, pattern: string, res: uWS.HttpResponse, req: uWS.HttpRequest, handler: HttpHandler) {
    // uWS invalidates `req` when this function returns: everything is copied out now.
    const headers = copyHeaders(req);
    const exchange = new Exchange(res, headers, mayCarryBody(method, headers), this.onAnswered);
    const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
    const request: HttpRequest = {
      method,
      path: req.getUrl(),
      query: new URLSearchParams(req.getQuery() ?? ''),
      headers,
      params: {},
      remoteAddress: clientAddress(peer, headers['x-forwarded-for'], this.trustedProxies),
      body: undefined,
    };
    try {
      request.params = pathParams(pattern, req);
      checkQuery(request.query);
    } catch (err) {
      return exchange.reply(this.failure(err, method, pattern));
    }
    if (method === 'GET') return this.run(exchange, handler, request, pattern);
    this.readBody(exchange, res, headers, (raw) => {
      request.rawBody = raw;
      if (raw.length > 0) {
        try {
          request.body = JSON.parse(raw.toString('utf8'));
        } catch {
          return exchange.reply({ status: 400, body: errorBody(ErrorCode.BAD_REQUEST, 'body is not valid JSON') });
        }
      }
      this.run(exchange, handler, request, pattern);
    });
  }

  /** Collects the body, at most HTTP_BODY_BYTES_MAX bytes arriving within bodyReceiveMsMax. */
  private readBody(exchange: Exchange, res: uWS.HttpResponse, headers: Record<string, string>, onBody: (raw: Buffer) => void) {
    const tooLarge = { status: 413, body: errorBody(ErrorCode.PAYLOAD_TOO_LARGE, `body over ${HTTP_BODY_BYTES_MAX} bytes`) };
    if (Number(headers['content-length'] ?? 0) > HTTP_BODY_BYTES_MAX) return exchange.reply(tooLarge);
    exchange.deadline(this.bodyReceiveMsMax, () =>
      exchange.reply({ status: 408, body: errorBody(ErrorCode.REQUEST_TIMEOUT, `body not received within ${this.bodyReceiveMsMax} ms`) }),
    );
    const chunks: Buffer[] = [];
    let received = 0;
    res.onData((chunk, isLast) => {
      if (!exchange.isOpen) return;
      received += chunk.byteLength;
      if (received > HTTP_BODY_BYTES_MAX) return exchange.reply(tooLarge);
      // uWS reuses the chunk's memory after this callback: copy it.
      chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (!isLast) return;
      exchange.bodyReceived();
      onBody(Buffer.concat(chunks));
    });
  }

  /** Runs the handler; whichever comes first, its answer or handlerMsMax, is the reply. */
  private run(exchange: Exchange, handler: HttpHandler, request: HttpRequest, pattern: string) {
    exchange.deadline(this.handlerMsMax, () => {
      this.faults.warn('http handler over its time limit', { method: request.method, route: pattern, limitMs: this.handlerMsMax });
      exchange.reply(
        unavailable(`not finished within ${this.handlerMsMax} ms; it may still take effect, so retry it as it was (same idempotency key)`),
      );
    });
    Promise.resolve()
      .then(() => handler(request))
      .then(
        (response) => exchange.reply(response),
        (err: unknown) => exchange.reply(this.failure(err, request.method, pattern)),
      );
  }

  /** A failed request's answer, and its one log line at most (none for a client's mistake). */
  private failure(err: unknown, method: string, pattern: string): HttpResponse {
    if (err instanceof RetryLaterError) {
      return { status: err.httpStatus, headers: { 'retry-after': String(err.retryAfterSeconds) }, body: errorBody(err.code, err.message) };
    }
    if (err instanceof AppError) return { status: err.httpStatus, body: errorBody(err.code, err.message) };
    if (isDatabaseUnavailable(err)) {
      this.faults.warn('database unavailable: answering 503', { method, route: pattern, err: faultSummary(err) });
      return unavailable('the ledger cannot be reached right now; nothing was recorded');
    }
    // A bug: the one line carries the error, with its stack.
    this.logger.error({ err, method, route: pattern }, 'http handler failed');
    return { status: 500, body: errorBody(ErrorCode.INTERNAL_ERROR, 'internal error') };
  }
}

/** One request's one answer: the first of the reply, a deadline or the client leaving ends it. */
class Exchange {
  private ended = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: uWS.HttpResponse,
    private readonly requestHeaders: Record<string, string>,
    /** A body may still be on its way: answering closes the connection rather than reading it. */
    private bodyPending: boolean,
    private readonly onAnswered: ((status: number) => void) | undefined,
  ) {
    res.onAborted(() => this.end());
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  bodyReceived() {
    this.bodyPending = false;
  }

  /** Replies with `onExpired()` after `ms`, unless answered first; replaces an earlier deadline. */
  deadline(ms: number, onExpired: () => void) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.isOpen && onExpired(), ms);
  }

  reply(response: HttpResponse) {
    if (this.ended) return;
    this.end();
    this.onAnswered?.(response.status);
    const text = response.raw ? response.raw.text : response.body === undefined ? '' : JSON.stringify(response.body);
    const headers: Record<string, string> = { ...corsHeaders(this.requestHeaders), 'cache-control': 'no-store', ...response.headers };
    if (response.status !== 204) headers['content-type'] = response.raw ? response.raw.contentType : 'application/json';
    this.res.cork(() => {
      this.res.writeStatus(`${response.status} ${STATUS_TEXT[response.status] ?? ''}`);
      for (const [k, v] of Object.entries(headers)) this.res.writeHeader(k, v);
      // Bytes of an unread body would be parsed as the next request: close the connection.
      this.res.end(text, this.bodyPending);
    });
  }

  private end() {
    this.ended = true;
    clearTimeout(this.timer);
  }
}

/**
 * CORS on every answer. The browser SDK fetches with credentials: "include", which needs the
 * origin echoed and Allow-Credentials. Never with Basic credentials in the request: a browser
 * attaches those by itself, and another site could then read operator answers.
 */
function corsHeaders(requestHeaders: Record<string, string>): Record<string, string> {
  const origin = requestHeaders.origin;
  const headers: Record<string, string> = {
    'access-control-allow-origin': origin || '*',
    'access-control-expose-headers': 'Retry-After',
    vary: 'Origin',
  };
  if (origin && !/^basic /i.test(requestHeaders.authorization ?? '')) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

function unavailable(message: string): HttpResponse {
  return {
    status: 503,
    headers: { 'retry-after': String(HTTP_RETRY_AFTER_SECONDS_UNAVAILABLE) },
    body: errorBody(ErrorCode.SERVICE_UNAVAILABLE, message),
  };
}

/** The request's headers; a repeated one joined with ", " (a list, as RFC 9110 reads it). */
function copyHeaders(req: uWS.HttpRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  req.forEach((key, value) => {
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  });
  return headers;
}

function mayCarryBody(method: string, headers: Record<string, string>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  if (Number(headers['content-length'] ?? 0) > 0) return true;
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

/** Decoded `:params` of the route, each a line of text (throws BAD_REQUEST naming it). */
function pathParams(pattern: string, req: uWS.HttpRequest): Record<string, string> {
  const params: Record<string, string> = {};
  pattern
    .split('/')
    .filter((s) => s.startsWith(':'))
    .forEach((name, i) => {
      let value: string;
      try {
        value = decodeURIComponent(req.getParameter(i) ?? '');
      } catch {
        throw new AppError(ErrorCode.BAD_REQUEST, 'malformed path'); // a bad %-escape
      }
      params[name.slice(1)] = checkText(`path parameter ${name.slice(1)}`, value);
    });
  return params;
}

/** Every query parameter, name and value, is a line of text (throws BAD_REQUEST naming it). */
function checkQuery(query: URLSearchParams): void {
  for (const [name, value] of query) {
    checkText('query parameter name', name);
    checkText(`query parameter ${name}`, value);
  }
}

/** Reads a bearer token from the Authorization header. */
export function bearerToken(req: HttpRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Bearer ')) return undefined;
  return h.slice(7).trim();
}
