// bench/history.ts — how fast a player with 100,000 tickets reads their history.
//
//   npm run bench:history [-- --tickets 100000 --other-tickets 100000 --requests 300]
//
// Starts the server in this process (real PostgreSQL on a fresh database when DATABASE_URL
// is set, embedded PGlite otherwise), registers a player over HTTP, writes their tickets
// set-based over 400 days of daily lotto 6/49 and keno draws plus as many tickets of 200
// other players (test/support/history.ts), ANALYZEs, then times pages, one request at a
// time: the first page, pages deep in the history, and filtered pages, each at positions
// drawn at random from its band. Two timings per page: GET /api/tickets over loopback HTTP
// (session check, statement, receipts signed, JSON), and the ledger's statement alone
// (ledger/ticketHistory.ts). Prints a table, writes bench/results/history-<time>.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeHistoryCursor } from '../app/schemas.ts';
import { ticketHistoryPage, type HistoryQuery } from '../ledger/ticketHistory.ts';
import { http, newPlayer, startTestServer, type TestServer } from '../test/support/harness.ts';
import { seedHistory, type FixtureDraw } from '../test/support/history.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  tickets: number;
  otherTickets: number;
  requests: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { tickets: 100_000, otherTickets: 100_000, requests: 300 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase()) as keyof Options;
    const value = Number(argv[i + 1]);
    if (!(key in o) || !Number.isInteger(value) || value < 1) throw new Error(`bad argument ${argv[i]} ${argv[i + 1]}`);
    o[key] = value;
  }
  return o;
}

/** A kind of page: its query string and ledger query for the k-th request. */
interface PageCase {
  name: string;
  query(k: number): { http: string; ledger: Omit<HistoryQuery, 'playerId'> };
}

interface Timing {
  name: string;
  requests: number;
  httpMsP50: number;
  httpMsP99: number;
  sqlMsP50: number;
  sqlMsP99: number;
  ticketsMean: number;
  responseBytesMean: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Positions drawn from [lo, hi) of the newest-first order, the same sequence every run. */
function band(newestFirst: number[], lo: number, hi: number) {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const picks = Array.from({ length: 4096 }, () => newestFirst[Math.floor(lo + next() * (hi - lo))]);
  return (k: number) => picks[k % picks.length];
}

function cases(newestFirst: number[], draws: FixtureDraw[]): PageCase[] {
  const n = newestFirst.length;
  const mid = band(newestFirst, Math.floor(n * 0.45), Math.floor(n * 0.55));
  const deep = band(newestFirst, n - 1_000, n - 200);
  const withCursor = (id: number, extra: string, ledger: Omit<HistoryQuery, 'playerId' | 'afterRowId'>) => ({
    http: `cursor=${encodeHistoryCursor(id)}${extra}`,
    ledger: { ...ledger, afterRowId: id },
  });
  const month = (k: number) => draws[(k * 7) % (draws.length - 60)];
  return [
    { name: 'first page (50)', query: () => ({ http: '', ledger: { limit: 50 } }) },
    { name: 'first page (200)', query: () => ({ http: 'limit=200', ledger: { limit: 200 } }) },
    { name: 'middle (50, ~50,000 deep)', query: (k) => withCursor(mid(k), '', { limit: 50 }) },
    { name: 'deepest (50, ~99,000 deep)', query: (k) => withCursor(deep(k), '', { limit: 50 }) },
    { name: 'game filter, middle (50)', query: (k) => withCursor(mid(k), '&game=keno', { limit: 50, gameId: 'keno' }) },
    { name: 'one draw (50)', query: (k) => ({ http: `draw=${draws[k % draws.length].publicId}`, ledger: { limit: 50, drawPublicId: draws[k % draws.length].publicId } }) },
    {
      name: 'a month, first page (50)',
      query: (k) => {
        const fromMs = month(k).openAtMs;
        const toMs = fromMs + 30 * 86_400_000;
        return { http: `from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`, ledger: { limit: 50, fromMs, toMs } };
      },
    },
  ];
}

async function time(ts: TestServer, token: string, playerId: number, c: PageCase, requests: number): Promise<Timing> {
  const httpMs: number[] = [];
  const sqlMs: number[] = [];
  let tickets = 0;
  let bytes = 0;
  for (let k = 0; k < requests; k++) {
    const q = c.query(k);
    let start = performance.now();
    const res = await fetch(`${ts.httpUrl}/api/tickets?${q.http}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    httpMs.push(performance.now() - start);
    if (res.status !== 200) throw new Error(`${c.name}: ${res.status} ${text.slice(0, 200)}`);
    tickets += JSON.parse(text).tickets.length;
    bytes += text.length;
    start = performance.now();
    const page = await ticketHistoryPage(ts.pool, { playerId, ...q.ledger });
    sqlMs.push(performance.now() - start);
    if (page.status !== 'page') throw new Error(`${c.name}: ${page.status}`);
  }
  httpMs.sort((a, b) => a - b);
  sqlMs.sort((a, b) => a - b);
  return {
    name: c.name,
    requests,
    httpMsP50: percentile(httpMs, 50),
    httpMsP99: percentile(httpMs, 99),
    sqlMsP50: percentile(sqlMs, 50),
    sqlMsP99: percentile(sqlMs, 99),
    ticketsMean: tickets / requests,
    responseBytesMean: bytes / requests,
  };
}

async function sizes(ts: TestServer) {
  const { rows } = await ts.pool.query(
    `select c.relname, pg_relation_size(c.oid)::int8 as bytes from pg_class c
      where c.relname in ('tickets', 'tickets_pkey', 'tickets_player_id_request_id_key', 'tickets_draw', 'tickets_player_received') order by c.relname`,
  );
  return Object.fromEntries(rows.map((r) => [r.relname, Number(r.bytes)]));
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const ts = await startTestServer();
  try {
    const player = await newPlayer(ts.httpUrl);
    const playerId = Number((await ts.pool.query(`select id from players where email = $1`, [player.email])).rows[0].id);
    const seedStartMs = performance.now();
    const draws = await seedHistory(ts.pool, { playerId, tickets: o.tickets, days: 400, games: ['lotto649', 'keno'], otherPlayers: 200, otherTickets: o.otherTickets });
    const seedSeconds = (performance.now() - seedStartMs) / 1000;
    const { rows } = await ts.pool.query(`select id from tickets where player_id = $1 order by received_at desc, id desc`, [playerId]);
    const newestFirst = rows.map((r) => Number(r.id));
    console.log(`bench:history on ${ts.databaseKind}: ${newestFirst.length} tickets of one player and ${o.otherTickets} of others over ${draws.length} draws (written in ${seedSeconds.toFixed(1)} s)`);
    await http(ts.httpUrl, 'GET', '/api/tickets', undefined, player.token); // warm up the route and the statement's first plan
    const timings: Timing[] = [];
    for (const c of cases(newestFirst, draws)) timings.push(await time(ts, player.token, playerId, c, o.requests));
    print(o, ts.databaseKind, timings, await sizes(ts));
  } finally {
    await ts.close();
  }
}

function print(o: Options, database: string, timings: Timing[], relationBytes: Record<string, number>) {
  const f = (n: number) => n.toFixed(n >= 100 ? 0 : 2);
  console.log('\n| page | requests | HTTP p50 ms | HTTP p99 ms | statement p50 ms | statement p99 ms | tickets/page | bytes/page |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const t of timings) {
    console.log(`| ${t.name} | ${t.requests} | ${f(t.httpMsP50)} | ${f(t.httpMsP99)} | ${f(t.sqlMsP50)} | ${f(t.sqlMsP99)} | ${f(t.ticketsMean)} | ${Math.round(t.responseBytesMean)} |`);
  }
  console.log(`\nrelation sizes (MB): ${Object.entries(relationBytes).map(([k, v]) => `${k} ${(v / 2 ** 20).toFixed(1)}`).join(', ')}`);
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `history-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), database, cpus: os.cpus().length, node: process.version, options: o, timings, relationBytes }, null, 2));
  console.log(`results written to ${path.relative(ROOT, file)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
