// ledger/faults.ts — telling "the database is away" from "this statement is wrong".
//
// A connection can die at any moment (a restart, a fail-over, pg_terminate_backend, a
// network cut). Work that failed that way wrote nothing and may simply be tried again on
// a new connection once the database answers; callers answer SERVICE_UNAVAILABLE when it
// stays away. Any other error is about the statement or the data, and retrying the same
// thing would fail the same way.

/** SQLSTATEs that mean the server or the session went away, not that the statement was wrong. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
  '25006', // read_only_sql_transaction: a stand-by that has not been promoted yet
]);

/** Socket-level failures (node errors), as node-postgres passes them on. */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** node-postgres' own messages for a connection that died, or could not be made in time. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Query read timeout$/,
  /^Connection timed out$/,
  // 55000 with this text: the database is closed to new sessions (ALLOW_CONNECTIONS false,
  // as during maintenance); other 55000 errors are about a statement and stay errors.
  /is not currently accepting connections/,
];

/** True when `err` says only that the database could not be reached or the session was lost. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08')) return true; // connection_exception class
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
  }
  return UNAVAILABLE_MESSAGES.some((re) => re.test(err.message));
}
