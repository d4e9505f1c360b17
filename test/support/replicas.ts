// A primary and a synchronous standby of a test's own (ops/db/replica-up on free ports), for
// the database drills; removed with ops/db/replica-down (and any extra clusters named) at the
// test's end. Needs root and the Debian cluster tools (canMakeReplicas).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { freePort } from './cluster.ts';

export const run = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const versions = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql').sort() : [];
export const canMakeReplicas = versions.length > 0 && fs.existsSync('/usr/bin/pg_createcluster') && process.getuid?.() === 0;

export interface Replicas {
  version: string;
  primaryPort: number;
  standbyPort: number;
  primaryUrl: string;
  /** The environment the ops/db scripts read (names, ports, the WAL archive, backups). */
  env: NodeJS.ProcessEnv & Record<'PRIMARY_NAME' | 'STANDBY_NAME' | 'WAL_ARCHIVE_DIR' | 'BACKUP_DIR', string>;
}

/** Makes the pair (names from `prefix` and this process) and removes it, and `alsoDrop`, at teardown. */
export async function replicasFor(t: Test, prefix: string, alsoDrop: string[] = []): Promise<Replicas> {
  const version = versions.at(-1)!;
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    PG_VERSION: version,
    PRIMARY_NAME: `${prefix}_primary_${process.pid}`,
    PRIMARY_PORT: String(primaryPort),
    STANDBY_NAME: `${prefix}_standby_${process.pid}`,
    STANDBY_PORT: String(standbyPort),
    WAL_ARCHIVE_DIR: `/var/lib/postgresql/wal-archive/${prefix}_${process.pid}`,
    BACKUP_DIR: `/var/lib/postgresql/backups/${prefix}_${process.pid}`,
  };
  t.teardown(async () => {
    await run(path.join(ROOT, 'ops/db/replica-down'), alsoDrop, { env }).catch((err) => t.comment(`replica-down: ${err.message}`));
    fs.rmSync(env.BACKUP_DIR, { recursive: true, force: true });
  });
  await run(path.join(ROOT, 'ops/db/replica-up'), [], { env });
  return { version, primaryPort, standbyPort, primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`, env };
}
