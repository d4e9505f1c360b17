// web/lib/api.ts — the HTTP API (GET /api/openapi.json describes it) from the browser: JSON
// in and out, the session token as a bearer header, and every refusal as an ApiError with
// the server's stable code and a message for people (web/lib/errors.ts).
import { errorMessage } from './errors.ts';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    /** The server's own words: shown beside the friendly message where it adds detail. */
    readonly detail: string,
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(errorMessage(code, detail));
    this.name = 'ApiError';
  }
}

/** Bounded: a request that hangs is reported, never waited on forever. */
const REQUEST_MS_MAX = 20_000;

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function api<T = any>(method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const timeout = AbortSignal.timeout(REQUEST_MS_MAX);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      credentials: 'same-origin',
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError' && options.signal?.aborted) throw error;
    throw new ApiError('NETWORK', 'The server could not be reached. Check your connection and try again.', 0);
  }
  const text = await response.text();
  let data: any = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const retry = Number(response.headers.get('retry-after'));
    throw new ApiError(data?.code ?? `HTTP_${response.status}`, data?.message ?? response.statusText, response.status, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return data as T;
}

/** A fresh idempotency key or request id (A-Z a-z 0-9 _ . : -, what the server accepts). */
export function newRequestId(prefix = 'w'): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
