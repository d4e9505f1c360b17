// app/keys.ts — the two long-lived secrets of the verifiable draw.
//
//   DRAW_SEED_KEY     32 bytes (64 hex): seals draw seeds at rest, derives pseudonyms.
//   DRAW_SIGNING_KEY  32 bytes (64 hex): the operator's ed25519 key; signs receipts and proofs.
//
// In production both come from the environment (a secret store) and every process of a
// cluster has the same ones. Without them the server generates each once and keeps it
// under DATA_DIR/keys (mode 0600), and says so: fine for one machine, wrong for a cluster.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Logger } from '../core/logger.ts';
import { isHex32 } from '../core/patterns.ts';

export interface DrawKeys {
  seedKey: Uint8Array;
  signingKey: Uint8Array;
  /** Hex ed25519 public key, as published at GET /api/keys. */
  publicKey: string;
}


function keyFrom(name: string, envValue: string | undefined, dataDir: string, logger: Logger): Uint8Array {
  if (envValue !== undefined && envValue !== '') {
    if (!isHex32(envValue)) throw new Error(`${name} must be 64 lowercase hex characters (32 bytes)`);
    return new Uint8Array(Buffer.from(envValue, 'hex'));
  }
  const file = path.join(dataDir, 'keys', `${name.toLowerCase()}.hex`);
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (!isHex32(text)) throw new Error(`${file} does not hold 64 lowercase hex characters`);
    logger.info({ key: name, file }, 'draw key loaded from the data directory');
    return new Uint8Array(Buffer.from(text, 'hex'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = crypto.randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // 'wx': never overwrite a key another process created a moment ago.
  try {
    fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return keyFrom(name, undefined, dataDir, logger);
    throw err;
  }
  logger.warn({ key: name, file }, `${name} not set: generated one and stored it in the data directory; set ${name} (the same on every process) in production`);
  return new Uint8Array(key);
}

export function loadDrawKeys(env: { seedKey?: string; signingKey?: string }, dataDir: string, logger: Logger): DrawKeys {
  const seedKey = keyFrom('DRAW_SEED_KEY', env.seedKey, dataDir, logger);
  const signingKey = keyFrom('DRAW_SIGNING_KEY', env.signingKey, dataDir, logger);
  return { seedKey, signingKey, publicKey: bytesToHex(ed25519.getPublicKey(signingKey)) };
}
