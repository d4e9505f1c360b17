// core/secretBox.ts — small secrets kept at rest in the database (a player's TOTP secret),
// sealed with AES-256-GCM under a key derived from one of ours for one purpose only, and
// bound to what they belong to (`context`, the associated data): a sealed value copied to
// another player's row does not open there.
import crypto from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  private readonly key: Buffer;

  constructor(rootKey: Uint8Array, purpose: string) {
    this.key = crypto.createHmac('sha256', rootKey).update(`lottery/secret-box/v1/${purpose}`).digest();
  }

  /** iv (12) || ciphertext || tag (16). */
  seal(context: string, plain: Uint8Array): Buffer {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }

  /** Throws if it was not sealed for `context` under this key. */
  open(context: string, sealed: Uint8Array): Buffer {
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret too short');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  }
}
