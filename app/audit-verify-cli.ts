// app/audit-verify-cli.ts — `npm run audit:verify [-- --public-key <hex>]`: walks the audit
// log of the configured database (DATABASE_URL, or the embedded one under DATA_DIR), checks
// every record's hash and link and every signed head, and names the first record altered or
// missing. Heads must be signed with the operator's key: the one given, else the one this
// configuration holds (DRAW_SIGNING_KEY, or the key under DATA_DIR). Exit 1 on any problem.
import { parseArgs } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { createLogger } from '../core/logger.ts';
import { isHex32 } from '../core/patterns.ts';
import { verifyChain } from '../ledger/audit.ts';
import { loadConfig } from './config.ts';
import { openDatabase } from './database.ts';
import { loadDrawKeys } from './keys.ts';

const { values } = parseArgs({ options: { 'public-key': { type: 'string' }, json: { type: 'boolean' } } });
const given = values['public-key'];
if (given !== undefined && !isHex32(given)) {
  console.error('--public-key must be the operator\'s ed25519 public key: 64 lowercase hex characters (GET /api/keys)');
  process.exit(2);
}
const config = loadConfig();
const logger = createLogger('warn');
const publicKey = given ?? bytesToHex(ed25519.getPublicKey(loadDrawKeys({ seedKey: config.drawSeedKey, signingKey: config.drawSigningKey }, config.dataDir, logger).signingKey));
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
try {
  const result = await verifyChain(db.pool, publicKey, Date.now());
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(`${db.description}: ${result.records} audit records, ${result.signedHeads} signed heads (last at ${result.lastSignedSeq ?? 'none'}), ${result.pending} events not chained yet`);
    if (result.ok) console.log('audit log ok: every record hashes to its contents and links to the one before; every signed head matches and verifies');
    for (const p of result.problems) console.log(`PROBLEM at record ${p.seq}: ${p.problem}`);
    if (result.problems.length) console.log(`first altered or missing record: ${result.problems[0].seq}`);
  }
  process.exitCode = result.ok ? 0 : 1;
} finally {
  await db.close();
}
