// app/http.ts — JSON routes on the uWS app with a hard body limit, a stable error shape
// ({ code, message }) and no framework in between. The built-in Colyseus router reads
// bodies without a limit, so every route we serve, matchmaking included, goes through here.
import type uWS from 'uWebSockets.js';
import { AppError, ErrorCode } from '../core/errors.ts';
import { HTTP_BODY_BYTES_MAX } from '../core/limits.ts';
import type { Logger } from './logger.ts';

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  params: Record<string, string>;
  remoteAddress: string;
  /** Parsed JSON body (undefined for GET or an empty body). */
  body: unknown;
}

export interface HttpResponse {
  status: number;
  body?: unknown;
  /** Send as-is with this content type instead of JSON. */
  raw?: { contentType: string; text: string };
  headers?: Record<string, string>;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

export function errorBody(code: string, message: string) {
  return { code, message };
}

export class HttpRoutes {
  constructor(
    private readonly app: uWS.TemplatedApp,
    private readonly logger: Logger,
  ) {}

  get(path: string, handler: HttpHandler) {
    this.app.get(path, (res, req) => this.handle('GET', path, res, req, handler));
  }

  post(path: string, handler: HttpHandler) {
    this.app.post(path, (res, req) => this.handle('POST', path, res, req, handler));
  }

  private handle(method: string, pattern: string, res: uWS.HttpResponse, req: uWS.HttpRequest, handler: HttpHandler) {
    // uWS invalidates `req` when this function returns: copy what we need now.
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const headers: Record<string, string> = {};
    req.forEach((key, value) => {
      headers[key] = value;
    });
    const path = req.getUrl();
    const query = new URLSearchParams(req.getQuery() ?? '');
    const params: Record<string, string> = {};
    const names = pattern.split('/').filter((s) => s.startsWith(':'));
    let badPath = false;
    names.forEach((name, i) => {
      try {
        params[name.slice(1)] = decodeURIComponent(req.getParameter(i) ?? '');
      } catch {
        badPath = true; // a malformed %-escape must not throw out of a uWS callback
      }
    });
    const remoteAddress = Buffer.from(res.getRemoteAddressAsText()).toString();

    const respond = (response: HttpResponse) => {
      if (aborted) return;
      const text = response.raw ? response.raw.text : response.body === undefined ? '' : JSON.stringify(response.body);
      res.cork(() => {
        res.writeStatus(`${response.status} ${STATUS_TEXT[response.status] ?? ''}`);
        res.writeHeader('content-type', response.raw ? response.raw.contentType : 'application/json');
        res.writeHeader('access-control-allow-origin', headers.origin || '*');
        res.writeHeader('cache-control', 'no-store');
        for (const [k, v] of Object.entries(response.headers ?? {})) res.writeHeader(k, v);
        res.end(text);
      });
    };

    const run = (rawBody: Buffer | undefined) => {
      let body: unknown;
      if (rawBody && rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          return respond({ status: 400, body: errorBody(ErrorCode.BAD_REQUEST, 'body is not valid JSON') });
        }
      }
      Promise.resolve()
        .then(() => handler({ method, path, query, headers, params, remoteAddress, body }))
        .then(respond, (err: unknown) => {
          if (err instanceof AppError) return respond({ status: err.httpStatus, body: errorBody(err.code, err.message) });
          this.logger.error({ err, method, path: pattern }, 'http handler failed');
          respond({ status: 500, body: errorBody(ErrorCode.INTERNAL_ERROR, 'internal error') });
        });
    };

    if (badPath) {
      if (method !== 'GET') res.onData(() => {});
      return respond({ status: 400, body: errorBody(ErrorCode.BAD_REQUEST, 'malformed path') });
    }
    if (method === 'GET') return run(undefined);

    const declared = Number(headers['content-length'] ?? 0);
    if (declared > HTTP_BODY_BYTES_MAX) {
      return respond({ status: 413, body: errorBody(ErrorCode.PAYLOAD_TOO_LARGE, `body over ${HTTP_BODY_BYTES_MAX} bytes`) });
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    res.onData((chunk, isLast) => {
      if (tooLarge) return;
      received += chunk.byteLength;
      if (received > HTTP_BODY_BYTES_MAX) {
        tooLarge = true;
        respond({ status: 413, body: errorBody(ErrorCode.PAYLOAD_TOO_LARGE, `body over ${HTTP_BODY_BYTES_MAX} bytes`) });
        return;
      }
      // uWS reuses the chunk's memory after this callback: copy it.
      chunks.push(Buffer.from(Buffer.from(chunk)));
      if (isLast) run(Buffer.concat(chunks));
    });
  }
}

/** Reads a bearer token from the Authorization header. */
export function bearerToken(req: HttpRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Bearer ')) return undefined;
  return h.slice(7).trim();
}
