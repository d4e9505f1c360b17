// draw/bytes.ts — the byte vocabulary every draw/ encoding is written in (draw/README.md,
// "Byte encodings"): big-endian u8/u16/u32/u64, length-prefixed UTF-8 strings, strict hex.
//
// Every writer validates its value and throws an Error naming the field: an encoding that
// silently truncated, rounded or replaced a character would let two different records
// share one hash, and a verifier in another language would disagree with us.
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export const U8_MAX = 0xff;
export const U16_MAX = 0xffff;
export const U32_MAX = 0xffff_ffff;
/** u64 fields are written from JS numbers, so they are limited to safe integers. */
export const U64_SAFE_MAX = Number.MAX_SAFE_INTEGER;
/** str(s): a u16 length prefix bounds every string. */
export const STR_BYTES_MAX = U16_MAX;
export const HASH_BYTES = 32;

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LOWER_HEX = /^(?:[0-9a-f]{2})*$/;

/** A short description of a value for error messages; never its bytes (they may be a seed). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value;
}

export function assertInteger(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
}

export function assertBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw new Error(`${name} must be a boolean, got ${describe(value)}`);
}

export function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new Error(`${name} must be a Uint8Array, got ${describe(value)}`);
  if (length !== undefined && value.length !== length) throw new Error(`${name} must be ${length} bytes, got ${value.length}`);
}

/** A string whose UTF-8 encoding is exact: lone surrogates would become U+FFFD and collide. */
export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new Error(`${name} must be a string, got ${describe(value)}`);
  if (LONE_SURROGATE.test(value)) throw new Error(`${name} is not well-formed Unicode (lone surrogate)`);
}

/** The UTF-8 bytes of a string that fits str(): at most STR_BYTES_MAX bytes. */
export function strBytes(value: unknown, name: string): Uint8Array {
  assertString(value, name);
  const bytes = utf8ToBytes(value);
  if (bytes.length > STR_BYTES_MAX) throw new Error(`${name} is ${bytes.length} bytes of UTF-8, more than ${STR_BYTES_MAX}`);
  return bytes;
}

/** Lowercase hex of exactly `length` bytes (any even length when omitted). */
export function parseHex(value: unknown, name: string, length?: number): Uint8Array {
  if (typeof value !== 'string') throw new Error(`${name} must be a hex string, got ${describe(value)}`);
  const expected = length === undefined ? 'an even number of' : String(length * 2);
  if ((length !== undefined && value.length !== length * 2) || !LOWER_HEX.test(value)) {
    throw new Error(`${name} must be ${expected} lowercase hex characters, got ${describe(value)}`);
  }
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export const toHex = bytesToHex;

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bytewise (unsigned, lexicographic) order; a proper prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Appends big-endian fields to a growing buffer; each method validates its value. */
export class ByteWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(capacity = 256) {
    this.#buffer = new Uint8Array(capacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  #reserve(n: number): number {
    const at = this.#length;
    if (at + n > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, at + n));
      grown.set(this.#buffer.subarray(0, at));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = at + n;
    return at;
  }

  u8(value: unknown, name: string): this {
    assertInteger(value, name, 0, U8_MAX);
    const at = this.#reserve(1); // before reading #buffer: reserving may replace it
    this.#buffer[at] = value;
    return this;
  }

  u16(value: unknown, name: string): this {
    assertInteger(value, name, 0, U16_MAX);
    const at = this.#reserve(2);
    this.#view.setUint16(at, value);
    return this;
  }

  u32(value: unknown, name: string): this {
    assertInteger(value, name, 0, U32_MAX);
    const at = this.#reserve(4);
    this.#view.setUint32(at, value);
    return this;
  }

  u64(value: unknown, name: string): this {
    assertInteger(value, name, 0, U64_SAFE_MAX);
    const at = this.#reserve(8);
    this.#view.setUint32(at, Math.floor(value / 2 ** 32));
    this.#view.setUint32(at + 4, value >>> 0);
    return this;
  }

  bytes(value: Uint8Array): this {
    const at = this.#reserve(value.length);
    this.#buffer.set(value, at);
    return this;
  }

  str(value: unknown, name: string): this {
    const bytes = strBytes(value, name);
    return this.u16(bytes.length, name).bytes(bytes);
  }

  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}
