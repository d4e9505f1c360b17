// Draw keys and the seed vault: seeds are readable only for their own draw under their own
// key, and a missing key is generated once, kept, and reused.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadDrawKeys } from '../app/keys.ts';
import { createLogger } from '../core/logger.ts';
import { SeedVault } from '../draw/vault.ts';

const logger = createLogger('silent');

t.test('a sealed seed opens only for its draw and under its key', async (t) => {
  const vault = new SeedVault(crypto.randomBytes(32));
  const seed = vault.newSeed();
  t.equal(seed.length, 32);
  t.notSame(vault.newSeed(), seed, 'fresh seeds differ');
  const sealed = vault.seal('lotto649-2026-11-25', seed);
  t.equal(sealed.length, 60, 'iv, ciphertext and tag');
  t.notOk(Buffer.from(sealed).includes(Buffer.from(seed)), 'the seed is not stored in clear');
  t.same(vault.open('lotto649-2026-11-25', sealed), seed);
  t.throws(() => vault.open('lotto649-2026-11-26', sealed), 'another draw cannot use it');
  t.throws(() => new SeedVault(crypto.randomBytes(32)).open('lotto649-2026-11-25', sealed), 'another key cannot open it');
  const flipped = Uint8Array.from(sealed);
  flipped[20] ^= 1;
  t.throws(() => vault.open('lotto649-2026-11-25', flipped), 'a flipped bit is detected');
  t.throws(() => new SeedVault(new Uint8Array(16)), /32 bytes/);
});

t.test('pseudonyms are stable within a draw and differ across draws and keys', async (t) => {
  const key = crypto.randomBytes(32);
  const a = new SeedVault(key);
  t.match(a.pseudonym('d1', 'p_1'), /^[0-9a-f]{32}$/);
  t.equal(a.pseudonym('d1', 'p_1'), new SeedVault(key).pseudonym('d1', 'p_1'));
  t.not(a.pseudonym('d1', 'p_1'), a.pseudonym('d2', 'p_1'));
  t.not(a.pseudonym('d1', 'p_1'), a.pseudonym('d1', 'p_2'));
  t.not(a.pseudonym('d1', 'p_1'), new SeedVault(crypto.randomBytes(32)).pseudonym('d1', 'p_1'));
});

t.test('missing keys are generated once under the data directory and reused', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-keys-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = loadDrawKeys({}, dir, logger);
  const second = loadDrawKeys({}, dir, logger);
  t.same(second.seedKey, first.seedKey);
  t.equal(second.publicKey, first.publicKey);
  const file = path.join(dir, 'keys', 'draw_seed_key.hex');
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'readable by the owner only');
  const fromEnv = loadDrawKeys({ seedKey: 'ab'.repeat(32), signingKey: 'cd'.repeat(32) }, dir, logger);
  t.same(Buffer.from(fromEnv.seedKey).toString('hex'), 'ab'.repeat(32), 'the environment wins');
  t.throws(() => loadDrawKeys({ seedKey: 'xyz' }, dir, logger), /64 lowercase hex/);
  fs.writeFileSync(file, 'garbage');
  t.throws(() => loadDrawKeys({}, dir, logger), /does not hold 64/, 'a damaged key file stops the start-up');
});
