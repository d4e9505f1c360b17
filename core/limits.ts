// core/limits.ts — every bound of the system, named, in one place (TigerBeetle style).

/** Largest WebSocket message the transport accepts; larger closes the socket (uWS). */
export const MESSAGE_BYTES_MAX = 4 * 1024;
/** Largest HTTP request body any route reads; larger gets 413 PAYLOAD_TOO_LARGE. */
export const HTTP_BODY_BYTES_MAX = 16 * 1024;
/** Client request ids: short opaque strings. */
export const REQUEST_ID_LENGTH_MAX = 64;
/** Lines on one ticket. */
export const LINES_PER_TICKET_MAX = 10;
/**
 * Bets in one group-commit transaction. 1000 rather than a few hundred: per-batch costs
 * (round trips, planning, commit, one corked send per socket) dominate at surge rates;
 * measured in BENCHMARKS.md. A batch of 1000 commits in well under 100 ms.
 */
export const BET_BATCH_SIZE_MAX = 1000;
/** Bets waiting for the writer across all rooms of a process; past it bets get SERVER_BUSY. */
export const BET_QUEUE_LENGTH_MAX = 50_000;
/** Longest a bet waits in the writer's queue before its batch is flushed. */
export const BET_FLUSH_DELAY_MS_MAX = 2;
/** How often a failed batch may be retried (split in halves) before its bets are rejected. */
export const BET_BATCH_SPLIT_DEPTH_MAX = 10;
/**
 * Database-side cutoff grace: a batch inserts into a draw only while the database
 * clock is before cutoff + this. It bounds how far a skewed or stalled node can sell
 * past the cutoff, and is how long in-flight bets received before cutoff have to commit.
 */
export const CUTOFF_GRACE_MS = 2_000;
/** Per-connection bet rate: sustained bets per second and burst. */
export const BET_RATE_PER_SECOND_DEFAULT = 20;
export const BET_RATE_BURST_DEFAULT = 40;
/** Clients per sales shard. */
export const SALES_ROOM_CLIENTS_MAX_DEFAULT = 2000;
/** Session lifetime. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Deposit bounds, minor units. */
export const DEPOSIT_AMOUNT_MINOR_MIN = 100;
export const DEPOSIT_AMOUNT_MINOR_MAX = 1_000_000;
/** Idempotency keys for HTTP money requests. */
export const IDEMPOTENCY_KEY_LENGTH_MAX = 64;
/** Login attempts per email per window before RATE_LIMITED; tracked emails bounded. */
export const LOGIN_ATTEMPTS_MAX = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_TRACKED_KEYS_MAX = 100_000;
/** Minimum age to hold an account. */
export const PLAYER_AGE_YEARS_MIN = 18;
/**
 * Winning tickets written per statement while settling a draw (prize transfers, ticket
 * prizes, wallet credits): bounds each statement's parameters, not the draw's winners.
 */
export const SETTLE_PRIZES_PER_STATEMENT_MAX = 5_000;

// --- Sockets, seats and sessions (issue 10) ---
/**
 * Longest log line the server writes for something a client did (a refused join, an
 * unreadable frame, Colyseus' own messages): the first line only, cut here. Stack traces
 * of such refusals are kept at debug level, so a client refused a million times costs a
 * million short lines, not 1.6 GB.
 */
export const CLIENT_LOG_LINE_CHARS_MAX = 240;
/**
 * A connection may send at most max(SOCKET_FRAMES_PER_SECOND_MIN, SOCKET_FRAMES_PER_ALLOWED_BET
 * x (bet rate + burst)) frames in a second; past it the room stops reading it, answers the
 * bets it took and closes it (FLOODED). Four frames per bet the rate allows leaves room for
 * pings and retries: no client within its bet rate comes near it.
 */
export const SOCKET_FRAMES_PER_SECOND_MIN = 50;
export const SOCKET_FRAMES_PER_ALLOWED_BET = 4;
/**
 * Seats one player may hold in one draw's shards, per process: reserved, connected, or kept
 * for a dropped connection's reconnection. Two lets a player keep a second device (or a
 * rejoin racing the old seat's expiry) without letting one account fill a shard.
 */
export const SEATS_PER_PLAYER_PER_DRAW_MAX = 2;
/**
 * Seat reservations of one player not yet connected (joins in flight), per process, all
 * draws together: each holds a seat for Colyseus' seat reservation time (15 s) whether or not
 * anyone connects.
 */
export const SEAT_RESERVATIONS_PER_PLAYER_MAX = 4;
/**
 * How often each process checks the sessions of all its connections against the ledger
 * (one query per SESSION_CHECK_BATCH_MAX sessions): the bound on how long a connection
 * outlives a session whose end was not announced (a lost pub/sub message, a revocation
 * made straight in the database, a suspended account).
 */
export const SESSION_CHECK_INTERVAL_MS = 5_000;
export const SESSION_CHECK_BATCH_MAX = 10_000;
/** Session ids one session-ended message may carry (a player has a handful of sessions). */
export const SESSIONS_PER_END_MESSAGE_MAX = 1_000;
/**
 * How long ending a session (logout) waits for every process to acknowledge that it has
 * closed the session's connections before answering anyway (the periodic check then
 * closes what is left).
 */
export const SESSION_END_PUBLISH_TIMEOUT_MS = 1_000;
/**
 * Ended sessions each process remembers, and for how long: a connection arriving with a
 * seat reserved before its session ended (seat reservations last 15 s) is refused at once.
 */
export const ENDED_SESSIONS_REMEMBERED_MAX = 100_000;
export const ENDED_SESSION_MEMORY_MS = 60_000;
