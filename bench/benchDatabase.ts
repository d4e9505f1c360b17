// bench/benchDatabase.ts — a benchmark's own ledger: a fresh database on DATABASE_URL's
// server (dropped after), or an embedded PGlite directory, migrated, with the draw keys a
// server started on it uses; draws made through the ledger code as the scheduler makes them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../app/database.ts';
import { createLogger } from '../core/logger.ts';
import { seedCommitment } from '../draw/commit.ts';
import { LEAF_VERSION_CURRENT } from '../draw/encoding.ts';
import { SeedVault } from '../draw/vault.ts';
import { ensureDraw, openDueDraws } from '../ledger/draws.ts';
import { migrate } from '../ledger/migrate.ts';
import { createScratchDatabase } from '../test/support/database.ts';

export interface BenchDatabase {
  /** What a server started on it needs: the database and the draw keys. */
  env: Record<string, string>;
  kind: 'postgres' | 'embedded PGlite';
  vault: SeedVault;
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

export async function benchDatabase(name: string): Promise<BenchDatabase> {
  const logger = createLogger('warn');
  const env: Record<string, string> = { DRAW_SEED_KEY: crypto.randomBytes(32).toString('hex'), DRAW_SIGNING_KEY: crypto.randomBytes(32).toString('hex') };
  const vault = new SeedVault(Buffer.from(env.DRAW_SEED_KEY, 'hex'));
  let bench: BenchDatabase;
  if (process.env.DATABASE_URL) {
    const scratch = await createScratchDatabase(process.env.DATABASE_URL, name);
    env.DATABASE_URL = scratch.url;
    bench = { env, kind: 'postgres', vault, open: () => openDatabase({ databaseUrl: scratch.url, dataDir: '', logger }), cleanup: scratch.drop };
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
    env.DATA_DIR = dataDir;
    bench = { env, kind: 'embedded PGlite', vault, open: () => openDatabase({ dataDir, logger }), cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const db = await bench.open();
  await migrate(db.pool);
  await db.close();
  return bench;
}

/** An open draw of `gameId` with these times, committed to a fresh operator seed. */
export async function openBenchDraw(
  db: Database,
  vault: SeedVault,
  gameId: string,
  times: { openAtMs: number; cutoffAtMs: number; drawAtMs: number },
): Promise<{ id: number; publicId: string; cutoffAtMs: number; drawAtMs: number }> {
  const publicId = `bench-${gameId}-${crypto.randomBytes(4).toString('hex')}`;
  const seed = vault.newSeed();
  const { draw } = await ensureDraw(db.pool, {
    publicId,
    gameId,
    businessDate: new Date(times.cutoffAtMs).toISOString().slice(0, 10),
    ...times,
    seedCommitment: seedCommitment(publicId, 'operator', seed),
    seedSealed: vault.seal(publicId, seed),
    seedKeyId: vault.keyId,
    beacon: null,
    leafVersion: LEAF_VERSION_CURRENT,
  });
  await openDueDraws(db.pool);
  return { id: draw.id, publicId: draw.publicId, cutoffAtMs: times.cutoffAtMs, drawAtMs: times.drawAtMs };
}
