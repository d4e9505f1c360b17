// core/patterns.ts — the shapes of identifiers and keys that cross a boundary, checked once.

/** A draw's public id: `<game>-<local date>` today; any id a route or a join may carry matches this. */
export const DRAW_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
/** 32 bytes as 64 lowercase hex characters: keys, seeds, commitments, hashes, session ids. */
export const HEX_32_PATTERN = /^[0-9a-f]{64}$/;

export function isDrawId(value: unknown): value is string {
  return typeof value === 'string' && DRAW_ID_PATTERN.test(value);
}

/** True for exactly 64 lowercase hex characters (32 bytes). */
export function isHex32(value: unknown): value is string {
  return typeof value === 'string' && HEX_32_PATTERN.test(value);
}
