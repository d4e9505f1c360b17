// draw/shape.ts — reading untrusted JSON (proofs, receipts, ticket lists) into typed values.
//
// Every reader throws an Error whose message starts with the path of the offending field
// (`reveals.auditors[1].seed: …`), so the verifier can say exactly what is malformed.
// Objects must have exactly the expected fields: a field the signer never meant to sign
// would otherwise ride along, shown by some viewer as if it were part of the proof.
import { assertBoolean, assertInteger, assertString, describe, parseHex, strBytes } from './bytes.ts';

export function plainObject(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${path} must be an object, got ${describe(value)}`);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Error(`${path} must be a plain object`);
  const record = value as Record<string, unknown>;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) throw new Error(`${path}.${key} is missing`);
  }
  const present = Object.keys(record);
  if (present.length !== keys.length) {
    const extra = present.find((k) => !keys.includes(k));
    throw new Error(`${path} has an unexpected field ${JSON.stringify(extra ?? '')}`);
  }
  return record;
}

export function arrayOf(value: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${path} must be an array, got ${describe(value)}`);
  if (value.length < min || value.length > max) throw new Error(`${path} must have ${min} to ${max} elements, got ${value.length}`);
  return value;
}

export function integer(value: unknown, path: string, min: number, max: number): number {
  assertInteger(value, path, min, max);
  // -0 is not an integer a document can hold (draw/README.md §7): JSON.parse makes it of "-0".
  if (Object.is(value, -0)) throw new Error(`${path} must be an integer from ${min} to ${max}, got -0`);
  return value;
}

export function string(value: unknown, path: string): string {
  assertString(value, path);
  return value;
}

/** A string that fits str(): well-formed Unicode, at most 65535 bytes of UTF-8. */
export function text(value: unknown, path: string): string {
  strBytes(value, path);
  return value as string;
}

/** Lowercase hex of exactly `bytes` bytes, kept as the string. */
export function hexString(value: unknown, path: string, bytes: number): string {
  parseHex(value, path, bytes);
  return value as string;
}

export function boolean(value: unknown, path: string): boolean {
  assertBoolean(value, path);
  return value;
}

export function literal<T extends string | number>(value: unknown, path: string, expected: T): T {
  if (value !== expected) throw new Error(`${path} must be ${JSON.stringify(expected)}, got ${describe(value)}`);
  return expected;
}

/** The message of whatever was thrown, for a failed check's detail. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
