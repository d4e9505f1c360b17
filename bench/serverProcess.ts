// bench/serverProcess.ts — the server under measurement, as its own process: `server.ts` on
// tsx (the sources, as baseline trees run), on a free port, with its JSON log read until it
// says `lottery server listening`. Its errors go to stderr; every log entry can be watched
// (bench:bets reads the bet writer's drain statistics from one). CPU from /proc (Linux).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { processCpuSeconds } from './machine.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const START_MS_MAX = 60_000;

export interface ServerProcess {
  port: number;
  pid: number;
  cpuSeconds(): number;
  /** SIGTERM, then the exit code once it has drained and stopped. */
  stop(): Promise<number | null>;
}

export interface ServerProcessOptions {
  /** Node flags before the entry point (`--max-semi-space-size=64`, `--cpu-prof`). */
  nodeArgs?: string[];
  /** Told every JSON log entry the server writes. */
  onLog?: (entry: Record<string, unknown>) => void;
}

/** Servers still running: stopped with the benchmark if it fails midway (killServerProcesses). */
const running = new Set<ChildProcess>();

/** Kills every server this process started that is still running (a benchmark failing midway). */
export function killServerProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export async function startServerProcess(env: Record<string, string>, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'server.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env, PORT: env.PORT ?? '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => (running.delete(child), resolve(code))));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in ${START_MS_MAX / 1000} s`)), START_MS_MAX);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(text);
        } catch {
          continue; // not a log line
        }
        options.onLog?.(entry);
        if (entry.msg === 'lottery server listening') {
          clearTimeout(timer);
          resolve(entry.port as number);
        } else if (Number(entry.level) >= 50) {
          process.stderr.write(text + '\n');
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return {
    port,
    pid: child.pid!,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
