// app/validate.ts — the text rules every field obeys, and the checks zod cannot state:
// request shapes themselves are zod schemas (app/schemas.ts).
import { AppError, ErrorCode } from '../core/errors.ts';
import { JSON_NESTING_DEPTH_MAX } from '../core/limits.ts';

/**
 * What text a field may hold. Never NUL (PostgreSQL refuses the whole statement) nor an
 * unpaired UTF-16 surrogate (no UTF-8 for it: node-postgres would store U+FFFD instead, so
 * two different inputs would become one value). A single line, the default, also has no
 * other control character (C0, DEL, C1): in an email, a region, an id they only hide or
 * forge what an operator reads. A secret (a password) is never shown or stored as text,
 * so any other character it holds is its owner's choice.
 */
export type TextKind = 'line' | 'secret';

// With the u flag, \p{Cs} matches only a surrogate that is not half of a pair.
const NEVER_IN_TEXT = /[\u0000]|\p{Cs}/u;
const NOT_IN_A_LINE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

/** Why `value` is not acceptable text of this kind, or undefined when it is. */
export function textProblem(value: string, kind: TextKind = 'line'): string | undefined {
  if (!(kind === 'line' ? NOT_IN_A_LINE : NEVER_IN_TEXT).test(value)) return undefined;
  return kind === 'line' ? 'must not contain control characters or unpaired surrogates' : 'must not contain NUL or unpaired surrogates';
}

/** Throws BAD_REQUEST naming `name` unless `value` is acceptable text of this kind. */
export function checkText(name: string, value: string, kind: TextKind = 'line'): string {
  const problem = textProblem(value, kind);
  if (problem) throw new AppError(ErrorCode.BAD_REQUEST, `${name.slice(0, 32)} ${problem}`);
  return value;
}

/**
 * Every string anywhere in a decoded JSON value (keys included) is a single line of text,
 * nested at most JSON_NESTING_DEPTH_MAX deep: for bodies passed on whole, like matchmaking's
 * join options. `path` names the field in the message.
 */
export function checkTextDeep(value: unknown, path: string, depth = 0): void {
  if (typeof value === 'string') {
    checkText(path, value);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // A 16 KiB body can nest thousands deep; recursion that deep would overflow the stack.
  if (depth >= JSON_NESTING_DEPTH_MAX) throw new AppError(ErrorCode.BAD_REQUEST, `${path.slice(0, 32)} is nested too deeply`);
  for (const [k, v] of Object.entries(value)) {
    if (!Array.isArray(value)) checkText(`${path} key`, k);
    checkTextDeep(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, depth + 1);
  }
}

/** A real calendar date written YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Whole years between a date of birth and an instant (UTC calendar). */
export function ageYears(dateOfBirth: string, atMs: number): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number);
  const now = new Date(atMs);
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age--;
  return age;
}
