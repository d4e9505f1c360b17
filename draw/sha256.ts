// draw/sha256.ts — SHA-256 for the tree and leaf code, and one reusable context for hot loops.
//
// Everything in draw/ hashes with @noble/hashes by default, so the verifier runs anywhere
// JavaScript does. The functions that build trees and leaves also take a `Sha256`, so the
// server can hash its receipts with OpenSSL instead (app/nativeCrypto.ts): the digest is the
// same function of the same bytes, only the implementation differs.
//
// @noble/hashes allocates a hasher (state, a 64-byte block buffer, views) on every
// sha256(...) call; for the short inputs of a Merkle tree that allocation costs as much as
// the hashing. Cloning a pristine context into one kept object halves the cost of a node
// (measured: 2.0 µs to 1.0 µs for 65 bytes). JS is single-threaded and nothing here calls
// back out, so a context is never used by two hashes at once.
import { sha256, type _SHA256 } from '@noble/hashes/sha2.js';

/**
 * SHA-256 of one whole message, written to out[offset .. offset + 32). Trees write every
 * node straight into their level buffers, so a hash allocates nothing the caller keeps.
 */
export type Sha256 = (data: Uint8Array, out: Uint8Array, offset: number) => void;

export class Sha256Context {
  readonly #fresh: _SHA256 = sha256.create() as _SHA256;
  #hasher: _SHA256 = this.#fresh.clone();

  /** A reset hasher: `ctx.reset().update(a).update(b).digestInto(out)`. */
  reset(): _SHA256 {
    this.#hasher = this.#fresh._cloneInto(this.#hasher);
    return this.#hasher;
  }
}

const shared = new Sha256Context();

/** The pure-JavaScript SHA-256 (@noble/hashes): the default wherever a `Sha256` is taken. */
export const nobleSha256: Sha256 = (data, out, offset) => {
  shared.reset().update(data).digestInto(offset === 0 && out.length === 32 ? out : out.subarray(offset, offset + 32));
};
