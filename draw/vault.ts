// draw/vault.ts — where draw seeds live between commitment and reveal.
//
// A seed is generated from the OS CSPRNG, committed to in public, and stored only sealed
// with AES-256-GCM under the seed key (DRAW_SEED_KEY). The draw's id is the additional
// authenticated data, so a sealed seed cannot be moved to another draw. The key id stored
// next to each sealed seed tells, at reveal time, whether this process holds the key that
// sealed it. The same key also derives the per-draw player pseudonyms that go into ticket
// leaves: stable within a draw, unlinkable across draws without the key.
import crypto from 'node:crypto';
import { SEED_BYTES } from './commit.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function labelled(label: string, ...parts: string[]): Buffer {
  // Length-prefixed so that no two (label, parts) lists share an encoding.
  const chunks = [label, ...parts].map((s) => {
    const bytes = Buffer.from(s, 'utf8');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length);
    return Buffer.concat([length, bytes]);
  });
  return Buffer.concat(chunks);
}

export class SeedVault {
  readonly keyId: string;
  private readonly key: Buffer;
  private readonly pseudonymKey: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) throw new Error(`seed key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
    this.keyId = crypto.createHash('sha256').update(labelled('lottery/seed-key-id/v1')).update(this.key).digest('hex').slice(0, 16);
    this.pseudonymKey = crypto.createHmac('sha256', this.key).update(labelled('lottery/pseudonym-key/v1')).digest();
  }

  newSeed(): Uint8Array {
    return new Uint8Array(crypto.randomBytes(SEED_BYTES));
  }

  /** iv (12) || ciphertext (32) || tag (16). */
  seal(drawId: string, seed: Uint8Array): Uint8Array {
    if (seed.length !== SEED_BYTES) throw new Error(`seed must be ${SEED_BYTES} bytes`);
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(labelled('lottery/sealed-seed/v1', drawId));
    const body = Buffer.concat([cipher.update(seed), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()]));
  }

  /** Throws if the sealed seed was not sealed for this draw under this key. */
  open(drawId: string, sealed: Uint8Array): Uint8Array {
    if (sealed.length !== IV_BYTES + SEED_BYTES + TAG_BYTES) throw new Error('sealed seed has the wrong length');
    const iv = sealed.subarray(0, IV_BYTES);
    const body = sealed.subarray(IV_BYTES, IV_BYTES + SEED_BYTES);
    const tag = sealed.subarray(IV_BYTES + SEED_BYTES);
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(labelled('lottery/sealed-seed/v1', drawId));
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  }

  /** The pseudonym of a player within one draw (32 hex characters). */
  pseudonym(drawId: string, playerPublicId: string): string {
    return crypto.createHmac('sha256', this.pseudonymKey).update(labelled('lottery/pseudonym/v1', drawId, playerPublicId)).digest('hex').slice(0, 32);
  }
}
