// bench/stage.ts — what a live draw stage costs the server per viewer, and how long one state
// change takes to reach every viewer.
//
//   npx tsx bench/stage.ts [--viewers 5000 --loaders 2 --concurrency 50 --refreshes 3]
//
// Seeds a fresh database with one open draw (DATABASE_URL when set, a fresh database on it;
// else embedded PGlite in a temporary directory), starts `server.ts` as its own process, and
// joins the viewers as real SDK clients (no account) from `loaders` child processes
// (bench/stageViewers.ts): an SDK client costs more than its server side, so the load is
// kept out of the server's process and split. Memory is the server process's own: RSS from
// /proc/<pid>/status and V8's heap from its /metrics, read once one viewer has created the
// room and again once every viewer is in and the server has settled; the difference over
// the viewers added is the cost of one. Latency: the server refreshes the state's
// serverTimeMs every STAGE_SERVER_TIME_REFRESH_MS, a patch to every viewer that carries the
// moment it was made (same machine, same clock); for each refresh after all joined, the
// slowest arrival among all viewers is how long that state change took to reach them all.
// Prints a table and writes bench/results/stage-<time>.json.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAGE_SERVER_TIME_REFRESH_MS } from '../core/limits.ts';
import { startServerProcess } from './serverProcess.ts';
import { benchDatabase, openBenchDraw } from './benchDatabase.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';

interface Options {
  viewers: number;
  loaders: number;
  concurrency: number;
  refreshes: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { viewers: 5_000, loaders: 2, concurrency: 50, refreshes: 3 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '') as keyof Options;
    const value = Number(argv[i + 1]);
    if (!(key in o) || !Number.isInteger(value) || value < 1) throw new Error(`bad argument ${argv[i]} ${argv[i + 1]}`);
    o[key] = value;
  }
  if (o.viewers < 2) throw new Error('--viewers must be at least 2');
  return o;
}

/** A database with one open lotto draw; the server's environment to use it. */
/** A fresh ledger with one lotto 6/49 draw on sale for hours: what the viewers watch. */
async function seed(): Promise<{ env: Record<string, string>; drawId: string; cleanup: () => Promise<void> }> {
  const bench = await benchDatabase('lottery_bench');
  const db = await bench.open();
  const nowMs = Date.now();
  const draw = await openBenchDraw(db, bench.vault, 'lotto649', { openAtMs: nowMs - 60_000, cutoffAtMs: nowMs + 6 * 3600_000, drawAtMs: nowMs + 7 * 3600_000 });
  await db.close();
  return { env: bench.env, drawId: draw.publicId, cleanup: bench.cleanup };
}

/** The server's memory: RSS from the kernel, V8's heap from its own metrics. */
async function serverMemory(pid: number, port: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssBytes = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
  const text = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then((r) => r.text());
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { rssBytes, heapUsedBytes: metric('nodejs_heap_size_used_bytes'), eventLoopLagMsP99: 1000 * metric('nodejs_eventloop_lag_p99_seconds') };
}


type Loader = ReturnType<typeof fork>;

function ask<T>(loader: Loader, message: unknown, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: any) => {
      if (m?.type !== type) return;
      loader.off('message', on);
      resolve(m as T);
    };
    loader.on('message', on);
    loader.send(message as any);
  });
}

interface Joined {
  joined: number;
  failed: number;
  lastError: string;
  roomIds: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const seeded = await seed();
  const server = await startServerProcess({ ...seeded.env, METRICS_TOKEN });
  const url = `ws://127.0.0.1:${server.port}`;
  const loaders = Array.from({ length: o.loaders }, () => fork(path.join(ROOT, 'bench/stageViewers.ts'), [], { execArgv: ['--import', 'tsx'], cwd: ROOT }));
  try {
    // One viewer first: the room and its draw's reads exist before the baseline is read.
    await ask<Joined>(loaders[0], { cmd: 'join', url, drawId: seeded.drawId, count: 1, concurrency: 1 }, 'joined');
    await sleep(3_000);
    const before = await serverMemory(server.pid, server.port);
    const added = o.viewers - 1;
    const startedAt = performance.now();
    const shares = loaders.map((_, i) => Math.floor(added / o.loaders) + (i < added % o.loaders ? 1 : 0));
    const joins = await Promise.all(loaders.map((l, i) => ask<Joined>(l, { cmd: 'join', url, drawId: seeded.drawId, count: shares[i], concurrency: o.concurrency }, 'joined')));
    const joinSeconds = (performance.now() - startedAt) / 1000;
    const joined = 1 + joins.reduce((n, j) => n + j.joined, 0);
    const failed = joins.reduce((n, j) => n + j.failed, 0);
    const allJoinedAtMs = Date.now();
    // Settle, then read memory; then wait out the refreshes measured.
    await sleep(5_000);
    const after = await serverMemory(server.pid, server.port);
    const cpuStart = server.cpuSeconds();
    const idleStartedAt = performance.now();
    await sleep(o.refreshes * STAGE_SERVER_TIME_REFRESH_MS + 1_000);
    const serverCpuPercentWatching = (100 * (server.cpuSeconds() - cpuStart)) / ((performance.now() - idleStartedAt) / 1000);
    const reports = await Promise.all(loaders.map((l) => ask<Report>(l, { cmd: 'report' }, 'report')));
    const measured = stateChangesAfter(reports, allJoinedAtMs);
    const rooms = new Set(joins.flatMap((j) => j.roomIds));
    const result = {
      command: `npx tsx bench/stage.ts --viewers ${o.viewers} --loaders ${o.loaders} --concurrency ${o.concurrency} --refreshes ${o.refreshes}`,
      database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      node: process.version,
      cpus: os.cpus().length,
      viewersAsked: o.viewers,
      viewersJoined: joined,
      joinsFailed: failed,
      lastJoinError: joins.find((j) => j.lastError)?.lastError ?? '',
      viewersOpenAtEnd: reports.reduce((n, r) => n + r.open, 0),
      rooms: rooms.size,
      joinSeconds: Number(joinSeconds.toFixed(1)),
      before,
      after,
      rssBytesPerViewer: Math.round((after.rssBytes - before.rssBytes) / (joined - 1)),
      heapBytesPerViewer: Math.round((after.heapUsedBytes - before.heapUsedBytes) / (joined - 1)),
      serverCpuPercentWatching: Number(serverCpuPercentWatching.toFixed(1)),
      stateChanges: measured,
    };
    printTable(result);
    const dir = path.join(ROOT, 'bench/results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `stage-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    console.log(`\nwritten ${path.relative(ROOT, file)}`);
  } finally {
    await Promise.all(loaders.map((l) => new Promise<void>((resolve) => {
      l.once('exit', () => resolve());
      l.send({ cmd: 'leave' });
      setTimeout(() => l.kill(), 15_000).unref();
    })));
    await server.stop();
    await seeded.cleanup();
  }
}

type Report = { refreshes: [number, [number, number, number]][]; open: number };

/** Each serverTimeMs refresh made after every viewer was in: viewers it reached, and how fast, across all loaders. */
function stateChangesAfter(reports: Report[], allJoinedAtMs: number) {
  const merged = new Map<number, { reached: number; maxMs: number; sumMs: number }>();
  for (const r of reports) {
    for (const [value, [reached, maxMs, sumMs]] of r.refreshes) {
      const m = merged.get(value) ?? { reached: 0, maxMs: 0, sumMs: 0 };
      m.reached += reached;
      m.maxMs = Math.max(m.maxMs, maxMs);
      m.sumMs += sumMs;
      merged.set(value, m);
    }
  }
  return [...merged.entries()]
    .filter(([value]) => value > allJoinedAtMs)
    .sort((a, b) => a[0] - b[0])
    .map(([value, m]) => ({ serverTimeMs: value, viewersReached: m.reached, allViewersReachedMs: m.maxMs, meanMs: Math.round(m.sumMs / m.reached) }));
}

function printTable(r: any) {
  const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
  const rows: [string, string][] = [
    ['database', r.database],
    ['viewers joined / asked', `${r.viewersJoined} / ${r.viewersAsked} (${r.joinsFailed} failed, ${r.rooms} room(s))`],
    ['joins took', `${r.joinSeconds} s`],
    ['server RSS before -> after', `${mb(r.before.rssBytes)} -> ${mb(r.after.rssBytes)}`],
    ['server heap before -> after', `${mb(r.before.heapUsedBytes)} -> ${mb(r.after.heapUsedBytes)}`],
    ['RSS per viewer', `${(r.rssBytesPerViewer / 1024).toFixed(1)} kB`],
    ['heap per viewer', `${(r.heapBytesPerViewer / 1024).toFixed(1)} kB`],
    ['server CPU while watching', `${r.serverCpuPercentWatching} % of a core`],
    ['event loop lag p99 (after)', `${r.after.eventLoopLagMsP99.toFixed(1)} ms`],
  ];
  for (const s of r.stateChanges) rows.push([`state change @${s.serverTimeMs}`, `reached ${s.viewersReached} viewers; all within ${s.allViewersReachedMs} ms (mean ${s.meanMs} ms)`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
