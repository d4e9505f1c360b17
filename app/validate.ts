// app/validate.ts — small, strict checks for JSON request bodies.
import { AppError, ErrorCode } from '../core/errors.ts';

export function bodyObject(body: unknown, allowed: string[]): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError(ErrorCode.BAD_REQUEST, 'body must be a JSON object');
  }
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new AppError(ErrorCode.BAD_REQUEST, `unknown field "${key.slice(0, 32)}"`);
  }
  return body as Record<string, unknown>;
}

export function stringField(o: Record<string, unknown>, name: string, min: number, max: number, pattern?: RegExp): string {
  const v = o[name];
  if (typeof v !== 'string') throw new AppError(ErrorCode.BAD_REQUEST, `${name} must be a string`);
  if (v.length < min || v.length > max) throw new AppError(ErrorCode.BAD_REQUEST, `${name} must be ${min}..${max} characters`);
  if (pattern && !pattern.test(v)) throw new AppError(ErrorCode.BAD_REQUEST, `${name} has an invalid format`);
  return v;
}

export function integerField(o: Record<string, unknown>, name: string, min: number, max: number): number {
  const v = o[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new AppError(ErrorCode.BAD_REQUEST, `${name} must be a whole number`);
  if (v < min || v > max) throw new AppError(ErrorCode.BAD_REQUEST, `${name} must be between ${min} and ${max}`);
  return v;
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
