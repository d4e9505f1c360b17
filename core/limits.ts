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
/**
 * Longest the oldest queued bet may have waited for the writer before new bets are answered
 * SERVER_BUSY at once (load shedding; the clients resend by themselves). Bets offered faster
 * than the database commits them would otherwise queue without bound: every reply later
 * than the last, and near the cutoff bets received in time but not committed within
 * CUTOFF_GRACE_MS refused DRAW_CLOSED after waiting seconds (bench:day saw 9,835). Time, not
 * count, holds on a slow machine too; a second leaves a batch's write most of the grace.
 * While the database is unreachable the writer keeps bets for BET_DATABASE_WAIT_MS_MAX instead.
 */
export const BET_QUEUE_WAIT_MS_MAX = 1_000;
/**
 * Longest a bet waits in the writer's queue before its batch is flushed (BET_FLUSH_DELAY_MS
 * sets it). A batch that is full enough (BET_BATCH_EAGER_SIZE) leaves sooner.
 */
export const BET_FLUSH_DELAY_MS_MAX = 2;
/** Configurable bound on BET_FLUSH_DELAY_MS: past it a bet's wait is felt by a person. */
export const BET_FLUSH_DELAY_MS_LIMIT = 100;
/**
 * Bets that make a batch worth its transaction at once: a freed writer slot takes the queue
 * straight away only when this many wait (or the oldest has waited its flush delay).
 * Each batch costs the server and the database milliseconds of CPU whatever its size, so at
 * moderate rates a batch that leaves the moment a slot frees carries a handful of bets and
 * each bet pays several times its saturation cost (BENCHMARKS.md, bench:day).
 */
export const BET_BATCH_EAGER_SIZE = 100;
/**
 * Longest a bet waits for a database that cannot be reached (a restart, a fail-over)
 * before it is answered SERVICE_UNAVAILABLE; meanwhile its batch is retried with backoff
 * between these two delays. Long enough to ride out a fast restart or a fail-over, short
 * enough that a player is told within the time they would wait for a reply anyway.
 */
export const BET_DATABASE_WAIT_MS_MAX = 10_000;
export const BET_DATABASE_RETRY_DELAY_MS_MIN = 50;
export const BET_DATABASE_RETRY_DELAY_MS_MAX = 1_000;
/**
 * Longest one statement of a bet batch may take before its connection is given up and the
 * batch written again on another (safe: tickets are unique per player and request id). A
 * batch's round trips take milliseconds, under a surge tens; a connection silent this long
 * is partitioned away, not busy.
 */
export const BET_QUERY_MS_MAX = 5_000;
/**
 * The server's own bound on a bet batch's statement, a second past the client's
 * (BET_QUERY_MS_MAX): it frees the wallet locks of a batch whose client has given up. The
 * client must always give up first. A commit waiting for a lost synchronous standby that the
 * server cancels is kept on the primary alone and reported to the client as a success (with
 * a warning); were that reply to reach a client still waiting, it would acknowledge bets that
 * are on one copy. A client that gave up retries the batch instead, and the retry's own commit
 * waits for the standby (docs/RUNBOOK.md, "The standby is lost").
 */
export const BET_STATEMENT_MS_MAX = BET_QUERY_MS_MAX + 1_000;
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
/** An operator session's lifetime: a working day, then log in again (with a fresh TOTP code). */
export const OPERATOR_SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** How often each process tries to chain pending audit events (actors/AuditChainer.ts). */
export const AUDIT_CHAIN_EVERY_MS = 500;
/** The audit chain's head is signed at most this often while it moves (AUDIT_SIGN_EVERY_MS overrides). */
export const AUDIT_SIGN_EVERY_MS_DEFAULT = 60_000;
/** Deposit bounds, minor units. */
export const DEPOSIT_AMOUNT_MINOR_MIN = 100;
export const DEPOSIT_AMOUNT_MINOR_MAX = 1_000_000;
/** Withdrawal bounds, minor units. */
export const WITHDRAWAL_AMOUNT_MINOR_MIN = 100;
export const WITHDRAWAL_AMOUNT_MINOR_MAX = 100_000_000;
/** Withdrawals above this wait for an operator's approval, unless WITHDRAWAL_REVIEW_ABOVE_MINOR says otherwise. */
export const WITHDRAWAL_REVIEW_ABOVE_MINOR_DEFAULT = 100_000;
/** Movements on one page of a player's statement. */
export const STATEMENT_PAGE_MAX = 100;
export const STATEMENT_PAGE_DEFAULT = 50;
/** Entries listed in an operator's review queue. */
export const REVIEW_QUEUE_LISTED_MAX = 200;
/** Idempotency keys for HTTP money requests. */
export const IDEMPOTENCY_KEY_LENGTH_MAX = 64;
/** Minimum age to hold an account. */
export const PLAYER_AGE_YEARS_MIN = 18;
/**
 * Winning tickets written per statement while settling a draw (prize transfers, ticket
 * prizes, wallet credits): bounds each statement's parameters, not the draw's winners.
 */
export const SETTLE_PRIZES_PER_STATEMENT_MAX = 5_000;
/**
 * Tickets of a draw one settlement pay transaction covers (ledger/settleSets.ts): each range
 * is read, paid and committed on its own, so its winners' wallets are locked only for that
 * range, and a crash loses at most one range's work. A million tickets are ten ranges.
 */
export const SETTLE_TICKETS_PER_RANGE_MAX = 100_000;
/**
 * Statement bound of a settlement pay transaction: far above what a full range takes, so a
 * busy server is not cut, while a statement stuck on a lock still is (and its range retried).
 */
export const SETTLE_PAY_STATEMENT_MS_MAX = 60_000;

// ---- One process's wiring: writer, rooms, presence (issue 11) ----
/**
 * Bet batches in flight at once. Two overlap all but the final pool credit (ledger/bets.ts);
 * a third would only queue on that credit's row lock. The writer's pool has one connection more.
 */
export const BET_WRITER_CONCURRENCY = 2;
/** The 'single' baseline's writer pool: one transaction per bet, as many at once as connections (benchmark only). */
export const BET_POOL_CONNECTIONS_SINGLE_MODE = 10;
/** Log "the ledger is unreachable" at most this often while it stays so (actors/BetWriter.ts). */
export const BET_UNAVAILABLE_LOG_EVERY_MS = 5_000;
/**
 * Bytes uWS buffers for one slow socket before closing it (closeOnBackpressureLimit): a full
 * minute of live-totals patches for a stalled phone, and the memory bound per connection.
 */
export const SOCKET_BACKPRESSURE_BYTES_MAX = 1024 * 1024;
/** A socket silent this long is closed by uWS; the SDK pings well within it. */
export const SOCKET_IDLE_TIMEOUT_SECONDS = 60;
/**
 * Live totals reach players within a patch of a commit; 250 ms keeps that well under the
 * 500 ms target at 40% of the cost of 100 ms patches for thousands of clients per process.
 */
export const SALES_ROOM_PATCH_MS = 250;
/**
 * A sales room refreshes serverTimeMs this often (and for each player as it joins). Each
 * refresh changed the state, so it was a patch to every player 4 times a second even with
 * nothing sold: with 10,000 players holding, 40% of a core for the server (bench:day). The
 * page keeps counting on its own clock from the offset it measured.
 */
export const SALES_SERVER_TIME_REFRESH_MS = 5_000;
/** How long a dropped connection's seat is kept for the SDK to reconnect to it. */
export const RECONNECT_WINDOW_SECONDS = 20;
/**
 * Colyseus' own frame limit, as a multiple of ours (rooms/connection.ts): out of reach, a
 * backstop only, since it drops a connection without answering the bets it took.
 */
export const COLYSEUS_FRAME_LIMIT_FACTOR = 2;
/** Characters of an error's message a room logs for a client's refusal or unreadable frame. */
export const CLIENT_REASON_CHARS_MAX = 120;
/** Characters of an unknown message type or field a reply echoes back (enough to recognise it). */
export const MESSAGE_TYPE_ECHO_CHARS_MAX = 32;
/**
 * Re-read each live tally from the ledger this often, whatever happens: the safety net for
 * messages lost while presence was away (~0.5 s of database time per 150,000 tickets).
 */
export const TALLY_RESYNC_MS = 10 * 60_000;
/** Largest drum number (and numbers per message) a published live-totals message may carry. */
export const TALLY_NUMBER_MAX = 10_000;
/** setTimeout's longest delay (a signed 32-bit ms count); a later deadline re-arms. */
export const TIMER_DELAY_MS_MAX = 2 ** 31 - 1;
/**
 * A Redis request made while Redis is away fails after this many reconnect attempts (~0.3 s)
 * rather than ioredis' 20 (~7 s): a player asking to join gets a clean error quickly.
 */
export const REDIS_RETRIES_PER_REQUEST = 3;
/** Log "matchmaking Redis unavailable" at most this often while it stays so. */
export const REDIS_ERROR_LOG_EVERY_MS = 10_000;
/**
 * How often each process looks for processes gone from the cluster (app/redis.ts,
 * ProcessLiveness); one missing on two sweeps in a row is removed, so within half a second.
 */
export const LIVENESS_SWEEP_MS = 250;
/** How long a swept process may still restore its rooms: Colyseus' SWEPT_RECEIPT_TTL (pinned by test/serial/redis.test.ts). */
export const SWEPT_RECEIPT_TTL_SECONDS = 600;

// ---- Draw schedules (games/schedule.ts) ----
/** Draws a schedule may be asked for at once: a year of daily draws. */
export const UPCOMING_COUNT_MAX = 366;
/** Draws a day a schedule may have: one every quarter hour, round the clock. */
export const DRAW_SLOTS_PER_DAY_MAX = 96;
/** Intl formatters cached, one per time zone in use (constructing one takes tens of µs); least recently used evicted. */
export const TIME_ZONE_FORMATTERS_CACHED_MAX = 64;

// ---- The HTTP edge (issue 10): every request answered, in bounded time, memory and CPU ----
/**
 * Longest a request body may take to arrive after its headers; later: 408 REQUEST_TIMEOUT.
 * uWS's own HTTP timeout (10 s, checked every ~4 s) closes such a socket without a word, so
 * this answers first. 16 KiB arrive well within a second on any link a player uses.
 */
export const HTTP_BODY_RECEIVE_MS_MAX = 5_000;
/**
 * Longest a handler may run before the client gets 503 SERVICE_UNAVAILABLE. uWS has no
 * timeout once a body is in, so a handler waiting on a database that does not answer would
 * hold its socket forever. Above the pool's connect timeout (5 s, app/database.ts) and the
 * password queue's wait limit plus a check, so those answer first with their own, more
 * precise, reply.
 */
export const HTTP_HANDLER_MS_MAX = 10_000;
/** Retry-After on a 503 for a database that is away or a handler over its time: a restart or fail-over takes seconds. */
export const HTTP_RETRY_AFTER_SECONDS_UNAVAILABLE = 5;
/** One log line per kind of fault (database away, handler over time) at most this often; the others are counted in it. */
export const HTTP_FAULT_LOG_EVERY_MS = 5_000;
/** Objects and arrays nested in a request body passed on whole (matchmaking's join options). */
export const JSON_NESTING_DEPTH_MAX = 8;
/** Preflight answers a browser may reuse (browsers cap it: Chromium at 2 h). */
export const CORS_PREFLIGHT_MAX_AGE_SECONDS = 7_200;
/**
 * Password hashes and checks (scrypt N=2^17, r=8: 128 MiB and ~0.3 s of a core each)
 * running at once in a process: bounds their memory whatever arrives.
 */
export const PASSWORD_CHECKS_RUNNING_MAX = 2;
/** Password checks waiting for a slot, whatever their wait; past it: 429 RATE_LIMITED. Bounds the queue's memory. */
export const PASSWORD_CHECKS_QUEUED_MAX = 32;
/**
 * Longest a password check may expect to wait for a slot (checks ahead of it, times the mean
 * check time lately); past it: 429 RATE_LIMITED with that wait as Retry-After. A bound in
 * time, not count, holds on a slow or busy machine too: a login that would wait longer is
 * better refused at once than answered 503 by the handler's time limit.
 */
export const PASSWORD_QUEUE_WAIT_MS_MAX = 3_000;
/** A password check's time before any was measured (~0.3 s on a 2-core VM); then the running mean is used. */
export const PASSWORD_CHECK_MS_EXPECTED = 300;
/**
 * Password checks one client address may have running or waiting, so that one address cannot
 * fill the queue (waiting checks are served round-robin by address, so it cannot make others
 * wait behind all of its own either). Room for a household or an office behind one address.
 */
export const PASSWORD_CHECKS_PER_ADDRESS_MAX = 8;
/** Retry-After when the password queue (or an address's share of it) is full: a few checks' time. */
export const PASSWORD_QUEUE_RETRY_AFTER_SECONDS = 2;
/**
 * Per-address budgets (rate-limiter-flexible, shared by the cluster); operators set them with
 * AUTH_* (app/config.ts). Mobile carriers put thousands of players behind one address (CGNAT),
 * so these allow a busy shared address its surge; what they stop is one address taking the
 * password CPU or trying one password on many accounts.
 * Registrations per client address per window.
 */
export const REGISTRATIONS_PER_ADDRESS_MAX = 60;
export const REGISTRATIONS_PER_ADDRESS_WINDOW_SECONDS = 3_600;
/** Login attempts, right or wrong, per client address per window: an address's share of the password CPU. */
export const LOGIN_ATTEMPTS_PER_ADDRESS_MAX = 60;
export const LOGIN_ATTEMPTS_PER_ADDRESS_WINDOW_SECONDS = 60;
/** Failed logins per client address over all accounts per window: one password sprayed over many accounts. */
export const LOGIN_FAILURES_PER_ADDRESS_MAX = 100;
export const LOGIN_FAILURES_PER_ADDRESS_WINDOW_SECONDS = 3_600;
/** Consecutive failed logins of one address on one account before each further one makes the pair wait. */
export const LOGIN_PAIR_FAILURES_FREE = 3;
/** The pair's wait after its first failure past the free ones; it doubles with each further failure, up to the max. */
export const LOGIN_PAIR_BACKOFF_SECONDS_BASE = 1;
export const LOGIN_PAIR_BACKOFF_SECONDS_MAX = 15 * 60;
/** How long a pair's consecutive failures are remembered after the first of them (a success forgets them at once). */
export const LOGIN_PAIR_FAILURES_WINDOW_SECONDS = 3_600;
/** Longest a rate-limit store (Redis) may take to answer before the process's own in-memory limits decide instead. */
export const RATE_LIMIT_STORE_TIMEOUT_MS = 500;
/** How often expired rate-limit counters are deleted from PostgreSQL (rate_limits). */
export const RATE_LIMIT_SWEEP_EVERY_MS = 5 * 60 * 1000;

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

// ---------------------------------------------------------------------------------------
// The main database pool and long ledger transactions (app/database.ts, ledger/transaction.ts).
// Kept apart at the end of this file on purpose: other parts of the limits change often.

/**
 * How long taking a connection of the main pool may wait (all connections busy, or the
 * server slow to accept) before the request fails SERVICE_UNAVAILABLE: long enough to ride
 * out a burst, short enough that HTTP_HANDLER_MS_MAX still answers.
 */
export const DATABASE_CONNECT_MS_MAX = 5_000;
/**
 * Longest one statement of the main pool may run on the server (statement_timeout). Every
 * request-path statement is an index probe or a bounded page and takes milliseconds; one
 * still running after this answers nobody (HTTP_HANDLER_MS_MAX is 10 s) and holds a
 * connection, and maybe locks, that others wait for. Long legitimate work raises it for
 * its own transaction (LEDGER_LONG_STATEMENT_MS_MAX).
 */
export const DATABASE_STATEMENT_MS_MAX = 10_000;
/**
 * Longest a main-pool session may sit inside a transaction between statements
 * (idle_in_transaction_session_timeout): a process stalled mid-transaction must not hold
 * a draw row or a wallet lock, which every bet batch then waits for, indefinitely. The
 * longest legitimate gap is a draw step's work between statements (a beacon fetch, bounded
 * at 5 s; hashing a big draw's tickets, seconds): a minute leaves room for both.
 */
export const DATABASE_IDLE_IN_TRANSACTION_MS_MAX = 60_000;
/**
 * How long an idle connection stays in a pool before it is closed (node-postgres' own
 * default, made explicit): a burst reuses warm connections, a quiet process gives its
 * server slots back to the others of the cluster.
 */
export const DATABASE_IDLE_CONNECTION_MS_MAX = 10_000;
/**
 * Statement bound for the ledger's long transactions (migrations, settling a draw of a
 * million tickets, the invariants check over the whole ledger), set per transaction: long
 * but finite, so a statement that hangs on a lock is still cut and its work retried.
 */
export const LEDGER_LONG_STATEMENT_MS_MAX = 600_000;

// ---- Actors: draw lifecycle, leadership, clock health; database connections ----
/**
 * Longest a leadership lock query may take before its connection is given up: a partitioned
 * leader must notice within seconds that it may no longer hold its draws.
 */
export const LEADERSHIP_QUERY_MS_MAX = 5_000;
/** Longest the leadership connection may take to open; then the next poll tries again. */
export const LEADERSHIP_CONNECT_MS_MAX = 5_000;
/** Warn when this process's clock and the database's differ by more (ARCHITECTURE.md, "Time"). */
export const CLOCK_SKEW_WARN_MS = 100;
/** How often the clock offset to the database is sampled. */
export const CLOCK_CHECK_EVERY_MS = 10_000;
/** A clock sample whose round trip took longer than this says little about the offset. */
export const CLOCK_ROUND_TRIP_MS_MAX = 200;
/**
 * Advance play: draws one purchase may cover, the room's own and the ones after it of the same
 * game (a week of a daily game). Each is a ticket of its own, fenced by its own cutoff.
 */
export const ADVANCE_DRAWS_MAX = 7;
/**
 * At least this many upcoming draws per game exist at any time (with their commitments), so
 * an advance purchase always finds its draws: the open one and ADVANCE_DRAWS_MAX after it...
 */
export const DRAWS_AHEAD = ADVANCE_DRAWS_MAX + 1;
/** How often a sales room re-reads the draws after its own (advance play's), beside its creation. */
export const ADVANCE_DRAWS_REFRESH_MS = 30_000;
/** ...and, on a daily schedule, every draw of the next two days (several a day, say). */
export const DRAWS_AHEAD_WINDOW_MS = 2 * 86_400_000;
/** How often each process tries to lead the draws nobody leads: bounds a takeover's delay. */
export const LEAD_POLL_MS = 1_000;
/** A draw gets its leader this long before its sales open. */
export const LEAD_HORIZON_MS = 10 * 60_000;
/** Draws one poll tries to lead: bounds the lock statement's parameters. */
export const LEAD_DRAWS_PER_POLL_MAX = 100;
/** While the database is away every scheduler pass fails: say so once per this. */
export const SCHEDULER_UNAVAILABLE_LOG_EVERY_MS = 10_000;
/** Re-check this often while a draw step is due but did not happen (another process, a wait). */
export const DRAW_STEP_RETRY_MS = 250;
/**
 * A draw made this long after its draw time is drawn late: logged as an alarm and counted
 * (lottery_draws_late_total). It happens when the database was away at draw time; the draw
 * runs as soon as it is back, on inputs committed before sales opened, so the result is the
 * one it would have been on time. Normally a draw is made within a second of its time.
 */
export const DRAW_LATE_ALARM_MS = 5_000;
/** A draw actor never sleeps longer than this: a changed row or clock is noticed within it. */
export const DRAW_ACTOR_SLEEP_MS_MAX = 30_000;
/** Tickets read per query while sealing, settling or building a draw's tree: bounds memory per page. */
export const DRAW_TICKETS_PER_PAGE_MAX = 10_000;
/** A bet waits for the database at most BET_DATABASE_WAIT_MS_MAX: try a connection twice in it. */
export const BET_CONNECT_MS_MAX = 2_000;
/** Log a dying database connection at most this often: a fail-over kills every connection at once. */
export const CONNECTION_ERROR_LOG_EVERY_MS = 5_000;

// ---- The HTTP API: input bounds, listings, caches ----
/** Longest email we take (RFC 5321's path limit). */
export const EMAIL_LENGTH_MAX = 254;
/** Longest password we hash: scrypt's cost does not depend on it, but a body's size does. */
export const PASSWORD_LENGTH_MAX = 128;
/** Shortest password we take (NIST SP 800-63B asks at least 8). */
export const PASSWORD_LENGTH_MIN = 10;
/** Longest region name a player may give at registration. */
export const REGION_LENGTH_MAX = 64;
/** Game ids are at most 43 characters (games/calendar.ts); a query asking for more is malformed. */
export const GAME_ID_LENGTH_MAX = 64;
/** Most draws one listing returns. */
export const DRAWS_LISTED_MAX = 100;
/** A date of birth further back than this is a typing mistake, not a player. */
export const PLAYER_AGE_YEARS_PLAUSIBLE_MAX = 130;
/** Draws listed when the query names no limit. */
export const DRAWS_LISTED_DEFAULT = 20;
/** Yesterday's draws stay listed so players can find recent results. */
export const DRAWS_LISTED_SINCE_MS = 24 * 60 * 60 * 1000;
/** Sealed trees kept in memory for inclusion proofs (~64 bytes per ticket each). */
export const SEALED_TREES_CACHED_MAX = 2;
/** While Redis is away ioredis fails every reconnection attempt; one line this often says so. */
export const LIMIT_STORE_ERROR_LOG_EVERY_MS = 10_000;

// --- Live information (issue 12, actors/LiveInfo.ts) ---
/** How often a process re-reads each live draw's rollover and sold-out combinations. */
export const LIVE_INFO_POLL_MS = 500;
/** Sold-out combinations shown per draw at most (pick-4 has 10,000 combinations). */
export const LIVE_SOLD_OUT_MAX = 1_000;
/** A failing live-information read is logged at most this often per process. */
export const LIVE_INFO_LOG_EVERY_MS = 10_000;
/** Winning tickets listed in one `result` message (its total counts every one). */
export const RESULT_TICKETS_LISTED_MAX = 100;

// --- Ticket history (issue 12, GET /api/tickets, ledger/ticketHistory.ts) ---
/** Tickets on a history page when the query names no limit. */
export const TICKET_HISTORY_PAGE_DEFAULT = 50;
/**
 * Tickets on a history page at most. Each carries its lines (at most LINES_PER_TICKET_MAX
 * of at most 20 numbers) and a receipt of one ticket (~0.5 kB): a page stays under ~0.5 MB.
 */
export const TICKET_HISTORY_PAGE_MAX = 200;
/**
 * Tickets a history request looks at when a game or draw filter may leave some out: a
 * player who filters for a game they rarely play costs at most this many index entries and
 * rows per request, and is told where to resume (a page may then be short, or empty).
 */
export const TICKET_HISTORY_SCAN_ROWS_MAX = 2_000;
/** The period a history query may name: `from` and `to` between these instants. */
export const TICKET_HISTORY_PERIOD_MS_MIN = Date.UTC(2000, 0, 1);
export const TICKET_HISTORY_PERIOD_MS_MAX = Date.UTC(2100, 0, 1);

/** The web clients' build (app/webApp.ts), held in memory: files, and bytes of one file. */
export const WEB_ASSETS_MAX = 200;
export const WEB_ASSET_BYTES_MAX = 4 * 1024 * 1024;

// --- Live draw stage (issue 16, rooms/StageRoom.ts, actors/StageDraws.ts) ---
/** Viewers in one stage room before the matchmaker opens another shard of the same draw. */
export const STAGE_ROOM_CLIENTS_MAX_DEFAULT = 5_000;
/**
 * How often a process re-reads each draw it has stage rooms for (one query per draw per
 * process, never per room or viewer): a status change reaches viewers within about this.
 */
export const STAGE_DRAW_POLL_MS = 1_000;
/** A failing stage read is logged at most this often per process (the rooms keep the last state). */
export const STAGE_LOG_EVERY_MS = 10_000;
/**
 * The first ball is revealed this long after the draw was recorded as drawn (its drawn_at),
 * the next ones STAGE_BALL_EVERY_MS apart. Longer than one poll plus a slow read, so every
 * process has learnt of the draw before its first ball is due: all show it at the same moment.
 */
export const STAGE_REVEAL_DELAY_MS = 2_500;
export const STAGE_BALL_EVERY_MS = 1_500;
/**
 * Stage patches: nothing a viewer sees changes faster (a ball or a status change is sent at
 * once, not at the next patch), and one patch a second to thousands of sockets is cheap.
 */
export const STAGE_ROOM_PATCH_MS = 1_000;
/**
 * serverTimeMs is refreshed this often: each refresh is a frame to every viewer, and a page
 * keeps counting on its own clock from the offset it measured.
 */
export const STAGE_SERVER_TIME_REFRESH_MS = 5_000;
/**
 * Frames a viewer may send in a second: the SDK sends only its join, pings and leave. Data
 * frames are never read; a connection past this is closed (rooms/StageRoom.ts).
 */
export const STAGE_VIEWER_FRAMES_PER_SECOND_MAX = 10;
/** How long a dropped viewer's seat is kept for the SDK to reconnect to it. */
export const STAGE_RECONNECT_WINDOW_SECONDS = 20;
/** Draws one process follows for stages at once: a flood of joins for many draws is bounded. */
export const STAGE_DRAWS_FOLLOWED_MAX = 200;
/** Drawn numbers shown one by one at most (keno draws 20; a raffle names its winning entries). */
export const STAGE_BALLS_MAX = 100;
/** Prize tiers shown at most (keno's paytable has the most). */
export const STAGE_TIERS_MAX = 100;
