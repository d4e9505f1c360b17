// bench/dayServers.ts — the servers a bench:day variant runs: one process or several over
// Redis, on the benchmark's database, in one write mode; with what the benchmark reads of
// them (CPU, memory, their own metrics).
import net from 'node:net';
import { Redis } from 'ioredis';
import { startServerProcess, type ServerProcess } from './serverProcess.ts';
import { processRssBytes } from './machine.ts';

/** Prometheus' bearer token for /metrics: what the benchmark reads the servers' own figures with. */
export const DAY_METRICS_TOKEN = 'bench-day-metrics-token-0123456789abcdef';
/** The Redis database a cluster variant uses (emptied first): the benchmark's own. */
const CLUSTER_REDIS_DB = 14;

export interface Variant {
  name: string;
  /** BET_WRITE_MODE. */
  mode: 'batch' | 'single' | 'ceiling';
  processes: number;
  /** SOCKET_TRANSPORT: uWebSockets.js (the platform), or Colyseus' default `ws` on a port of its own. */
  transport?: 'uws' | 'ws';
}

export interface Servers {
  procs: (ServerProcess & { url: string })[];
  cpuSeconds(): number;
  rssBytes(): number;
  /** Sum over the processes of a metric's value (a counter, a histogram's _sum or _count, a gauge). */
  metric(name: string): Promise<number>;
  /** Every process's /metrics at once (reading it resets the event-loop delay figures). */
  scrape(): Promise<Scrape[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The cluster's Redis: REDIS_URL's server, database CLUSTER_REDIS_DB, emptied. */
async function clusterRedis(): Promise<string> {
  const base = process.env.REDIS_URL;
  if (!base) throw new Error('a cluster variant needs REDIS_URL (a Redis server for presence and matchmaking)');
  const url = new URL(base);
  url.pathname = `/${CLUSTER_REDIS_DB}`;
  const redis = new Redis(url.toString(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();
  redis.disconnect();
  return url.toString();
}

export async function startServers(variant: Variant, databaseEnv: Record<string, string>, onLog?: (entry: Record<string, unknown>) => void): Promise<Servers> {
  const env: Record<string, string> = {
    ...databaseEnv,
    BET_WRITE_MODE: variant.mode,
    METRICS_TOKEN: DAY_METRICS_TOKEN,
    // Players here bet faster than a person: the per-connection limit is not what is measured.
    BET_RATE_PER_SECOND: '1000',
    BET_RATE_BURST: '1000',
  };
  if (variant.mode === 'ceiling') env.BENCHMARK_CEILING_NOTHING_IS_RECORDED = 'yes';
  if (variant.processes > 1) env.REDIS_URL = await clusterRedis();
  const procs: Servers['procs'] = [];
  for (let i = 0; i < variant.processes; i++) {
    const own = await processPorts(variant);
    // The same Node flags as `npm start`, on the sources through tsx.
    const proc = await startServerProcess({ ...env, ...own }, { nodeArgs: ['--max-semi-space-size=64', ...serverNodeArgs()], onLog });
    procs.push({ ...proc, url: `ws://127.0.0.1:${proc.port}` });
  }
  return {
    procs,
    cpuSeconds: () => procs.reduce((n, p) => n + p.cpuSeconds(), 0),
    rssBytes: () => procs.reduce((n, p) => n + processRssBytes(p.pid), 0),
    metric: async (name) => (await Promise.all(procs.map((p) => scrapeOf(p.port)))).reduce((n, m) => n + m.value(name), 0),
    scrape: () => Promise.all(procs.map((p) => scrapeOf(p.port))),
    async stop() {
      const codes = await Promise.all(procs.map((p) => p.stop()));
      if (codes.some((c) => c !== 0)) throw new Error(`a server exited with ${codes.join(', ')}`);
    },
  };
}

/** A process's ports: the kernel's pick alone, or chosen here when clients must be told them. */
async function processPorts(variant: Variant): Promise<Record<string, string>> {
  if (variant.transport === 'ws') {
    const socketPort = await freePort();
    return { SOCKET_TRANSPORT: 'ws', BENCHMARK_WS_TRANSPORT: 'yes', SOCKET_PORT: String(socketPort), PUBLIC_ADDRESS: `127.0.0.1:${socketPort}` };
  }
  if (variant.processes === 1) return {};
  const port = await freePort();
  return { PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}` };
}

/** BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers. */
function serverNodeArgs(): string[] {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** One process's metrics, as Prometheus' text format gives them. */
export interface Scrape {
  /** A sample without labels (NaN if absent). */
  value(name: string): number;
  /** A histogram's cumulative bucket counts, by upper bound in the metric's unit (+Inf last). */
  buckets(name: string): [number, number][];
}

/**
 * Once more on a dropped connection: a kept-alive socket the server closed as idle (uWS does
 * after 10 s, and the day waits longer between readings while players join) fails the next
 * request on it.
 */
async function scrapeOf(port: number): Promise<Scrape> {
  const get = () => fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${DAY_METRICS_TOKEN}` } }).then((r) => r.text());
  const text = await get().catch(get);
  return {
    value: (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN),
    buckets: (name) =>
      [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm'))].map((m): [number, number] => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]),
  };
}
