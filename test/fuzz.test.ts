// Hostile input, generated (fast-check), against a real server process with a 512 MiB heap:
// every HTTP route and every kind of WebSocket message, with random, malformed and hostile
// payloads (NUL, lone surrogates, huge and odd numbers, BigInt, deep nesting, msgpack
// bombs, raw protocol garbage). Each request or message gets a clear answer (a stable
// code), never a 500 or silence; the process stays up, its memory stays bounded, it logs
// no more than a line now and then, and it still sells afterwards.
//
// The server runs as its own process (server.ts, as `npm start` runs it) with
// --max-old-space-size=512, on DATABASE_URL when set, else on its embedded database. Its
// draws are the demo schedule's hourly ones (sales close a minute before each UTC hour).
import fs from 'node:fs';
import t from 'tap';
import fc from 'fast-check';
import { Client, type Room } from '@colyseus/sdk';
import { pack } from 'msgpackr';
import { createScratchDatabase, type ScratchDatabase } from './support/database.ts';
import { startServerProcess, stopServerProcess, type ServerProcess } from './support/cluster.ts';
import { http, newPlayer, startTestServer, testDrawKeys } from './support/harness.ts';
import { until } from './support/wait.ts';
import { bootstrapAdmin, TEST_BOOTSTRAP_TOKEN } from './support/operators.ts';
import { MESSAGE_BYTES_MAX } from '../core/limits.ts';

const METRICS_TOKEN = 'fuzz-metrics-token-0123456789abcdef';
/** The first admin's session (through the bootstrap): operator routes are fuzzed past their access check. */
let operatorToken = '';
/** Colyseus 0.18's frame codes (@colyseus/shared-types Protocol), as a client puts them first in a frame. */
const Protocol = { JOIN_ROOM: 10, LEAVE_ROOM: 12, ROOM_DATA: 13, ROOM_DATA_BYTES: 17, ROOM_REQUEST: 21 } as const;
const HEAP_LIMIT_MB = 512;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 2_000);
const WS_RUNS = Number(process.env.FUZZ_WS_RUNS ?? 400);

/** Every route the server serves; a test below checks this against the server's own list. */
const ROUTES: { method: 'GET' | 'POST'; pattern: string }[] = [
  { method: 'GET', pattern: '/healthz' },
  { method: 'GET', pattern: '/metrics' },
  { method: 'GET', pattern: '/api/openapi.json' },
  { method: 'POST', pattern: '/api/auth/register' },
  { method: 'POST', pattern: '/api/auth/login' },
  { method: 'POST', pattern: '/api/auth/logout' },
  { method: 'GET', pattern: '/api/me' },
  { method: 'GET', pattern: '/api/me/limits' },
  { method: 'POST', pattern: '/api/me/limits' },
  { method: 'POST', pattern: '/api/me/exclusion' },
  { method: 'GET', pattern: '/api/me/identity' },
  { method: 'POST', pattern: '/api/me/totp/setup' },
  { method: 'GET', pattern: '/api/me/session-time' },
  { method: 'POST', pattern: '/api/me/session-time' },
  { method: 'POST', pattern: '/api/me/totp/enable' },
  { method: 'POST', pattern: '/api/me/totp/disable' },
  { method: 'POST', pattern: '/api/me/identity' },
  { method: 'POST', pattern: '/api/identity/callbacks/:provider' },
  { method: 'POST', pattern: '/api/wallet/deposits' },
  { method: 'GET', pattern: '/api/wallet/deposits/:depositId' },
  { method: 'POST', pattern: '/api/wallet/withdrawals' },
  { method: 'GET', pattern: '/api/wallet/withdrawals/:withdrawalId' },
  { method: 'GET', pattern: '/api/wallet/transactions' },
  { method: 'POST', pattern: '/api/payments/webhooks/:provider' },
  { method: 'GET', pattern: '/api/operator/withdrawals' },
  { method: 'POST', pattern: '/api/operator/withdrawals/:withdrawalId/decision' },
  { method: 'GET', pattern: '/api/operator/prize-holds' },
  { method: 'POST', pattern: '/api/operator/prize-holds/:ticketId/decision' },
  { method: 'GET', pattern: '/api/games' },
  { method: 'GET', pattern: '/api/draws' },
  { method: 'POST', pattern: '/matchmake/:method/:roomName' },
  { method: 'GET', pattern: '/api/keys' },
  { method: 'GET', pattern: '/api/draws/:drawId' },
  { method: 'GET', pattern: '/api/draws/:drawId/proof' },
  { method: 'GET', pattern: '/api/draws/:drawId/tickets' },
  { method: 'GET', pattern: '/api/tickets' },
  { method: 'GET', pattern: '/api/tickets/:ticketId' },
  { method: 'GET', pattern: '/api/tickets/:ticketId/proof' },
  { method: 'POST', pattern: '/api/operator/draws/:drawId/auditors' },
  { method: 'POST', pattern: '/api/operator/players/:playerId/status' },
  { method: 'GET', pattern: '/api/operator/reports' },
  { method: 'GET', pattern: '/api/operator/exports/draws/:drawId' },
  { method: 'GET', pattern: '/api/operator/exports/players/:playerId' },
  { method: 'POST', pattern: '/api/operator/draws/:drawId/auditors/:name/reveal' },
  { method: 'POST', pattern: '/api/operator/bootstrap' },
  { method: 'POST', pattern: '/api/operator/login' },
  { method: 'POST', pattern: '/api/operator/logout' },
  { method: 'GET', pattern: '/api/operator/me' },
  { method: 'GET', pattern: '/api/operator/operators' },
  { method: 'POST', pattern: '/api/operator/operators' },
  { method: 'POST', pattern: '/api/operator/operators/:name' },
  { method: 'POST', pattern: '/api/operator/draws/:drawId/interventions' },
  { method: 'POST', pattern: '/api/operator/draws/:drawId/interventions/:interventionId/approve' },
  { method: 'POST', pattern: '/api/operator/draws/:drawId/interventions/:interventionId/withdraw' },
  { method: 'GET', pattern: '/monitor' },
  { method: 'GET', pattern: '/monitor/' },
  { method: 'GET', pattern: '/monitor/assets/:file' },
  { method: 'GET', pattern: '/monitor/api' },
  { method: 'GET', pattern: '/monitor/api/room' },
  { method: 'GET', pattern: '/monitor/api/room/call' },
  { method: 'POST', pattern: '/api/operator/monitor-session' },
  // The web clients' pages and files (app/webApp.ts).
  { method: 'GET', pattern: '/' },
  { method: 'GET', pattern: '/ops' },
  { method: 'GET', pattern: '/ops/' },
  { method: 'GET', pattern: '/draw/:drawId' },
  { method: 'GET', pattern: '/assets/:file' },
  { method: 'GET', pattern: '/favicon.svg' },
  { method: 'GET', pattern: '/api/operator/audit' },
  { method: 'GET', pattern: '/api/operator/audit/verification' },
  { method: 'GET', pattern: '/api/operator/alerts' },
  { method: 'POST', pattern: '/api/operator/alerts/:alertId/review' },
];

// ---- what hostile input looks like ----

const nasty = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\u202e\u0007',
  '%00',
  '%2F',
  '%',
  '..%2F..%2Fetc%2Fpasswd',
  "'; drop table players; --",
  '__proto__',
  'constructor',
  '\u{1d54f}'.repeat(40),
  'x'.repeat(5_000),
);
/** Strings of any UTF-16 code units (lone surrogates included) or the known troublemakers. */
const hostileString = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), nasty);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 2 ** 53 + 2, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER, 0.1 + 0.2, 100.5, 1e21),
);
const scalar = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));
/** JSON-able values, some nested deep, some with prototype-bending keys. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(hostileString, fc.constantFrom('email', 'password', 'amount', 'idempotencyKey', 'drawId', '__proto__')), tie('value'), {
    maxKeys: 6,
  }),
})).value;
const deepJson = fc.integer({ min: 100, max: 5_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));

/** A body for a route: plausible fields with hostile values, other JSON, raw garbage, or too much. */
const body = fc.oneof(
  fc.record(
    {
      email: fc.oneof(hostileString, fc.constant('fuzz@example.test')),
      password: fc.oneof(hostileString, fc.constant('correct horse battery staple')),
      dateOfBirth: fc.oneof(hostileString, fc.constant('1990-01-01'), fc.constant('2026-13-45')),
      country: fc.oneof(hostileString, fc.constant('DE')),
      region: hostileString,
      amount: fc.oneof(hostileNumber, hostileString),
      idempotencyKey: hostileString,
      drawId: hostileString,
      name: hostileString,
      commitment: hostileString,
      seed: hostileString,
      kind: fc.oneof(hostileString, fc.constantFrom('deposit', 'stake', 'loss')),
      period: fc.oneof(hostileString, fc.constantFrom('day', 'week', 'month')),
      amountMinor: fc.oneof(jsonValue, fc.constant(null), fc.integer()),
      limits: jsonValue,
      days: fc.oneof(hostileNumber, fc.integer({ min: -5, max: 50 })),
      months: fc.oneof(hostileNumber, fc.constantFrom(6, 12, 60)),
      givenName: fc.oneof(hostileString, fc.constant('Ada')),
      familyName: fc.oneof(hostileString, fc.constant('Lovelace')),
      documentNumber: fc.oneof(hostileString, fc.constantFrom('P1234567', 'X00000000', 'U00006666')),
      eventId: hostileString,
      code: fc.oneof(hostileString, fc.constantFrom('123456', '000000')),
      status: fc.oneof(hostileString, fc.constantFrom('active', 'suspended', 'closed')),
      reason: hostileString,
      realityCheckMinutes: fc.oneof(hostileNumber, fc.constant(null), fc.integer({ min: 0, max: 300 })),
      sessionLimitMinutes: fc.oneof(hostileNumber, fc.constant(null), fc.integer({ min: 0, max: 2000 })),
      totp: fc.oneof(hostileString, fc.constant('123456')),
      checkId: hostileString,
      decision: fc.oneof(hostileString, fc.constantFrom('verified', 'refused', 'withdrawn')),
    },
    { requiredKeys: [] },
  ).map((o) => JSON.stringify(o)),
  jsonValue.map((v) => JSON.stringify(v) ?? 'null'),
  deepJson,
  fc.uint8Array({ maxLength: 200 }),
  fc.constant('{"email": "a@b.cc", "password": '),
  fc.constant('x'.repeat(20_000)),
  fc.constant(''),
);

/**
 * Percent-encodes any string, lone surrogates included (as the 3-byte sequences a careless
 * client would send for them, which are not UTF-8: the server must refuse them cleanly).
 */
function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const unit = ch.charCodeAt(0);
    if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

/** A path: a real route with hostile parameters, or a near miss, or nonsense. */
const path = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), fc.array(hostileString, { minLength: 3, maxLength: 3 })).map(([route, values]) => {
    let i = 0;
    return route.pattern.replace(/:[a-zA-Z]+/g, () => percentEncode(values[i++ % 3]).slice(0, 300) || 'x');
  }) },
  fc.constantFrom(...ROUTES).map((r) => `${r.pattern.replace(/:[a-zA-Z]+/g, 'sales')}/`),
  fc.constantFrom('/', '//api/me', '/api/me/', '/matchmake/joinOrCreate/sales%2F', '/api/draws/%00', '/api/../metrics', '/%ff', '/api/draws?game=%00'),
  fc.array(fc.stringMatching(/^[A-Za-z0-9%._~-]{0,12}$/), { maxLength: 6 }).map((segments) => `/${segments.join('/')}`),
);
const query = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('game', 'limit', 'x', ''), hostileString, { maxKeys: 3 }).map(
    (q) => `?${Object.entries(q).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`,
  ),
  fc.constantFrom('?game=lotto649&limit=100000', '?limit=-1', '?game=lotto649&game=x', '?%00=%00', '?game=%ZZ'),
);

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  auth: 'none' | 'player' | 'operator' | 'garbage';
  body: string | Uint8Array;
  contentType: string;
}

/** Mostly a route's own method (so that input reaches its checks), sometimes any other. */
const method = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'));

const request: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method,
    path,
    query,
    auth: fc.constantFrom('none', 'player', 'operator', 'garbage'),
    body,
    contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
  })
  .map((r) => {
    if (r.method !== '') return r;
    const route = ROUTES.find((x) => new RegExp(`^${x.pattern.replace(/:[a-zA-Z]+/g, '[^/]+')}$`).test(r.path));
    return { ...r, method: route?.method ?? 'GET' };
  });

// ---- the server under test ----

let server: ServerProcess;
let scratch: ScratchDatabase | undefined;
let playerToken = '';

t.before(async () => {
  if (process.env.DATABASE_URL) scratch = await createScratchDatabase(process.env.DATABASE_URL, 'lottery_fuzz');
  server = await startServerProcess(
    {
      ...testDrawKeys(),
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      REDIS_URL: '',
      OPERATOR_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      METRICS_TOKEN,
      SCHEDULE: 'demo',
      DEMO_PERIOD_SECONDS: '3600',
      // High enough that hostile input reaches validation instead of stopping at the limits.
      AUTH_LOGINS_PER_ADDRESS_PER_MINUTE: '100000',
      AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR: '100000',
      AUTH_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR: '100000',
    },
    60_000,
    [`--max-old-space-size=${HEAP_LIMIT_MB}`],
  );
  playerToken = (await newPlayer(server.url, 100_000)).token;
  operatorToken = (await bootstrapAdmin(server.url)).token;
});

t.teardown(async () => {
  if (server) await stopServerProcess(server);
  await scratch?.drop();
});

/** Resident memory of the server process, MiB (Linux). */
function serverRssMb(): number {
  const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** The lotto draw selling now (waits out the minute before each UTC hour, when none is). */
async function openDrawId(): Promise<string> {
  let id: string | undefined;
  const found = await until(
    async () => {
      const draws = await http(server.url, 'GET', '/api/draws?game=lotto649');
      id = draws.body.find((d: any) => d.status === 'open' && Date.parse(d.cutoffAt) > Date.now() + 45_000)?.drawId;
      return id !== undefined;
    },
    150_000,
    1_000,
  );
  if (!found) throw new Error('no demo draw open');
  return id!;
}

t.test('the fuzzed routes are exactly the routes the server serves', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  const key = (r: { method: string; pattern: string }) => `${r.method} ${r.pattern}`;
  t.same(ts.server.httpRoutes.map(key).sort(), ROUTES.map(key).sort(), 'a new route must be added to ROUTES above');
});

t.test(`every HTTP route answers hostile requests with a clear code (seed ${SEED})`, async (t) => {
  const logLinesBefore = server.logs.length;
  const rssBeforeMb = serverRssMb();
  const statuses = new Map<number, number>();
  let rssMaxMb = 0;
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers: Record<string, string> = {};
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.auth === 'player') headers.authorization = `Bearer ${playerToken}`;
      if (r.auth === 'operator') headers.authorization = `Bearer ${operatorToken}`;
      if (r.auth === 'garbage') headers.authorization = 'Bearer \u00ff\u00fe';
      const withBody = r.method !== 'GET' && r.method !== 'OPTIONS' && r.method !== 'HEAD';
      let res: Response;
      try {
        res = await fetch(`${server.url}${r.path}${r.query}`, {
          method: r.method,
          headers,
          body: withBody ? (typeof r.body === 'string' ? r.body : new Blob([r.body as Uint8Array<ArrayBuffer>])) : undefined,
          signal: AbortSignal.timeout(15_000),
        });
      } catch (err) {
        // Only a refusal to even form the request (the client's own check) is not the server's.
        if (err instanceof TypeError && /header|URL|ByteString/i.test(String(err.message) + String((err as any).cause?.message))) return;
        throw new Error(`no answer to ${r.method} ${r.path}: ${(err as Error).message}`);
      }
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500 && res.status !== 503) throw new Error(`${r.method} ${r.path} answered ${res.status}: ${text.slice(0, 200)}`);
      if (res.status >= 400 && r.method !== 'HEAD') {
        const parsed = JSON.parse(text);
        if (typeof parsed.code !== 'string' || !/^[A-Z_]+$/.test(parsed.code)) throw new Error(`${res.status} without a stable code: ${text.slice(0, 200)}`);
        if (typeof parsed.message !== 'string') throw new Error(`${res.status} without a message`);
      }
      rssMaxMb = Math.max(rssMaxMb, serverRssMb());
    }),
    { numRuns: HTTP_RUNS, seed: SEED, endOnFailure: true },
  );
  t.ok(server.alive, 'the server is up');
  t.comment(`answers by status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; RSS ${Math.round(rssBeforeMb)} MiB before, peak ${Math.round(rssMaxMb)} MiB`);
  const lines = server.logs.length - logLinesBefore;
  t.ok(lines <= HTTP_RUNS / 20 + 20, `${lines} log lines for ${HTTP_RUNS} hostile requests: no line per refusal`);
  // Two password checks at once are 256 MiB of scrypt; everything else a request may cost is small.
  t.ok(rssMaxMb - rssBeforeMb < 400, `resident memory grew by ${Math.round(rssMaxMb - rssBeforeMb)} MiB at most, under 400`);
});

// ---- WebSocket messages ----

/** A value for a message payload: anything msgpack carries, BigInt and bytes included. */
const payload: fc.Arbitrary<unknown> = fc.oneof(
  jsonValue,
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.record({ requestId: hostileString, lines: fc.array(fc.array(fc.oneof(hostileNumber, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), { maxLength: 8 }), { maxLength: 12 }) }, { requiredKeys: [] }),
  // Nearly right bets: a good request id and six numbers a line, some of them hostile.
  fc.record({
    requestId: fc.stringMatching(/^[a-z0-9]{1,20}$/),
    lines: fc.array(
      fc.array(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 49 }) }, hostileNumber, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), hostileString), {
        minLength: 6,
        maxLength: 6,
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record({ requestId: fc.oneof(hostileString, fc.stringMatching(/^[a-z0-9]{1,20}$/)), quickPick: fc.oneof(hostileNumber, hostileString, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })) }, { requiredKeys: [] }),
  fc.uint8Array({ maxLength: 64 }),
  fc.integer({ min: 1, max: 3_000 }).map((depth) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  }),
);
const messageType = fc.oneof(fc.constantFrom('bet', 'bet', 'bet', '', '__proto__', 'error', 'bet:accepted'), hostileString, fc.integer({ min: -100, max: 1_000_000 }));

/** Frames no SDK would send: garbage, other protocol codes, msgpack that lies about its size. */
const rawFrame: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 100 })).map(([code, rest]) => Uint8Array.from([code, ...rest])),
  fc.constantFrom(
    // ROOM_DATA "bet" with an array32 / str32 / map32 claiming 4 G entries, and 4,000 nested arrays.
    Uint8Array.from([Protocol.ROOM_DATA, 3, ...Buffer.from('bet'), 0xdd, 0xff, 0xff, 0xff, 0xff]),
    Uint8Array.from([Protocol.ROOM_DATA, 3, ...Buffer.from('bet'), 0xdb, 0xff, 0xff, 0xff, 0xff]),
    Uint8Array.from([Protocol.ROOM_DATA, 3, ...Buffer.from('bet'), 0xdf, 0xff, 0xff, 0xff, 0xff]),
    Uint8Array.from([Protocol.ROOM_DATA, 3, ...Buffer.from('bet'), ...Buffer.alloc(4_000, 0x91)]),
    // A msgpackr record definition, a timestamp extension, an unknown extension.
    Uint8Array.from([Protocol.ROOM_DATA, 3, ...Buffer.from('bet'), 0xd4, 0x72, 0x40, 0x92, 0xa1, 0x61, 0xa1, 0x62, 0x01, 0x02]),
    Uint8Array.from([Protocol.ROOM_DATA, 3, ...Buffer.from('bet'), 0xd6, 0xff, 0, 0, 0, 1]),
    Uint8Array.from([Protocol.ROOM_DATA, 3, ...Buffer.from('bet'), 0xc7, 0xff, 0x05, ...Buffer.alloc(255)]),
    // A type string whose length byte lies; a ROOM_DATA with nothing after it.
    Uint8Array.from([Protocol.ROOM_DATA, 200, 0x62]),
    Uint8Array.from([Protocol.ROOM_DATA]),
    Uint8Array.from([Protocol.ROOM_DATA_BYTES, 3, ...Buffer.from('bet'), 1, 2, 3]),
    Uint8Array.from([Protocol.JOIN_ROOM]),
    Uint8Array.from([Protocol.LEAVE_ROOM]),
  ),
);

interface Conn {
  room: Room;
  replies: number;
  closed: number | undefined;
}

async function connect(drawId: string, token: string): Promise<Conn> {
  const client = new Client(`ws://127.0.0.1:${server.port}`);
  client.auth.token = token;
  const room = await client.joinOrCreate('sales', { drawId });
  room.reconnection.enabled = false;
  const conn: Conn = { room, replies: 0, closed: undefined };
  for (const type of ['bet:accepted', 'bet:rejected', 'error']) room.onMessage(type, () => conn.replies++);
  room.onMessage('*', () => conn.replies++);
  room.onLeave((code: number) => (conn.closed = code));
  return conn;
}

t.test(`every WebSocket message, well-formed or not, is answered or refused with a code (seed ${SEED})`, async (t) => {
  const drawId = await openDrawId();
  // A player of its own: the HTTP fuzz may well have logged the first one out.
  let { token } = await newPlayer(server.url, 100_000);
  // A socket dropped by the transport keeps its seat for reconnection, and a player holds at
  // most two seats of a draw: past that, carry on as another player.
  const reconnect = async (): Promise<Conn> => {
    try {
      return await connect(drawId, token);
    } catch (err) {
      if ((err as { code?: number }).code !== 429) throw err;
      token = (await newPlayer(server.url, 100_000)).token;
      return connect(drawId, token);
    }
  };
  let conn = await reconnect();
  const closes = new Map<number, number>();
  const logLinesBefore = server.logs.length;
  const ensureOpen = async () => {
    if (conn.closed === undefined) return;
    closes.set(conn.closed, (closes.get(conn.closed) ?? 0) + 1);
    conn = await reconnect();
  };
  /** Sends, then waits for one reply, or (only where `mayClose`) for the socket to close with a code. */
  const sendAndWait = async (send: () => void, label: string, mayClose: boolean) => {
    await ensureOpen();
    const before = conn.replies;
    send();
    const answered = await until(() => conn.replies > before || conn.closed !== undefined, 5_000, 2);
    if (!answered) throw new Error(`no answer to ${label}`);
    if (conn.closed !== undefined && !mayClose) throw new Error(`the socket was closed (${conn.closed}) instead of an answer to ${label}`);
    if (conn.closed !== undefined && conn.closed < 1000) throw new Error(`closed without a code after ${label}`);
    // Paced below the flood limit: flooding has its own test.
    await new Promise((r) => setTimeout(r, 15));
  };

  await fc.assert(
    fc.asyncProperty(messageType, payload, async (type, message) => {
      let bytes: number;
      try {
        bytes = pack(message).length + Buffer.byteLength(String(type)) + 10;
      } catch {
        return; // the client could not encode it (a BigInt over 64 bits): nothing reaches the server
      }
      // Closes allowed here: over the transport's message limit (4 KiB), where uWS closes the
      // socket; and a type name with a lone surrogate, which the SDK's own encoder writes as a
      // malformed frame (a length that disagrees with its bytes), which Colyseus answers by
      // closing with 4002. Everything else must get its answer.
      const label = `${JSON.stringify(String(type)).slice(0, 40)} message of ${bytes} bytes`;
      const malformedBySdk = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(String(type));
      await sendAndWait(() => conn.room.send(type as string, message), label, bytes > MESSAGE_BYTES_MAX || malformedBySdk);
    }),
    { numRuns: WS_RUNS, seed: SEED, endOnFailure: true },
  );
  await fc.assert(
    fc.asyncProperty(rawFrame, async (frame) => {
      await ensureOpen();
      conn.room.connection.send(frame);
      // Garbage may well get no reply; the connection must still answer a bet after it (or have closed with a code).
      const label = `a bet after the raw frame ${Buffer.from(frame).toString('hex').slice(0, 40)}`;
      await sendAndWait(() => conn.room.send('bet', { requestId: 'after-raw', lines: 'none' }), label, true);
    }),
    { numRuns: Math.round(WS_RUNS / 2), seed: SEED, endOnFailure: true },
  );
  t.ok(server.alive, 'the server is up');
  t.comment(`connections closed by the server, by code: ${JSON.stringify(Object.fromEntries(closes))}`);
  // An unreadable frame costs its connection (Colyseus closes it, 4002) and one short line;
  // nothing else a client sends may write one (registering the fuzz's spare players aside).
  const written = server.logs.slice(logLinesBefore).filter((l) => l.msg !== 'player registered');
  const byMessage = new Map<string, number>();
  for (const l of written) byMessage.set(l.msg, (byMessage.get(l.msg) ?? 0) + 1);
  const closedByServer = [...closes.values()].reduce((a, b) => a + b, 0);
  t.ok(written.length <= closedByServer + 10, `${written.length} log lines for ${WS_RUNS * 1.5} hostile messages, ${closedByServer} connections closed: at most one line per refusal`, {
    lines: Object.fromEntries(byMessage),
  });
  t.ok(written.every((l) => JSON.stringify(l).length < 600), 'every line short: no stack traces');
  // A socket the fuzz left half-broken may never acknowledge a leave.
  await Promise.race([conn.room.leave().catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
});

t.test('after all that, the server still sells, within its memory', async (t) => {
  const drawId = await openDrawId();
  const { token } = await newPlayer(server.url, 10_000);
  const client = new Client(`ws://127.0.0.1:${server.port}`);
  client.auth.token = token;
  const room = await client.joinOrCreate('sales', { drawId });
  const reply = await new Promise<any>((resolve) => {
    room.onMessage('bet:accepted', resolve);
    room.onMessage('bet:rejected', resolve);
    room.send('bet', { requestId: 'after-the-fuzz', lines: [[1, 2, 3, 4, 5, 6]] });
  });
  t.equal(reply.ticketId !== undefined, true, `a plain bet is bought (${reply.code ?? reply.ticketId})`);
  await Promise.race([room.leave().catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
  const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await metrics.text();
  const heapUsedMb = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)![1]) / 2 ** 20;
  t.ok(heapUsedMb < HEAP_LIMIT_MB * 0.8, `heap in use ${Math.round(heapUsedMb)} MiB, under its ${HEAP_LIMIT_MB} MiB limit`);
  t.ok(server.alive, 'never ran out of memory');
});
